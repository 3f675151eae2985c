#!/usr/bin/env python3
"""An ECS / EKS Pod Identity container credentials endpoint on 127.0.0.1, for tests (moto has none).

GET --path (default /v1/credentials) answers {AccessKeyId, SecretAccessKey, Token, AccountId, Expiration, RoleArn}
when the Authorization header equals --auth exactly (no --auth: no header may be sent), else 401 with the EKS
agent's JSON error shape. --fail-first N answers the first N requests with 503 (retries); --status S answers every
request with S; --token-json sets the Token from a JSON string literal (hostile values: a NUL byte, say).
Each request is appended to --log as one JSON line {method, host, path, authorization, accept, status}.
It also answers as an HTTP proxy (http_proxy=...), for the fixed agent addresses (169.254.170.2, 169.254.170.23).
Standard library only.
"""
import argparse
import datetime
import json
import threading
import urllib.parse
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--path", default="/v1/credentials")
    ap.add_argument("--auth")
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--status", type=int, default=0)
    ap.add_argument("--expires-in", type=int, default=6 * 3600)
    ap.add_argument("--expiration", help="a fixed Expiration (ISO 8601) instead of now + --expires-in")
    ap.add_argument("--token-json", help="the Token as a JSON string literal, e.g. '\"a\\u0000b\"'")
    args = ap.parse_args()
    lock = threading.Lock()
    seen = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def parse_request(self):
            # Also serves as an HTTP proxy (http_proxy=...): then the request target is absolute and names the
            # host the client meant (169.254.169.254, [fd00:ec2::254], ...); self.path becomes the path alone.
            if not super().parse_request():
                return False
            self.target_host = self.headers.get("Host")
            if self.path.startswith("http://"):
                u = urllib.parse.urlsplit(self.path)
                self.target_host = u.netloc
                self.path = u.path + ("?" + u.query if u.query else "")
            return True

        def reply(self, status, obj):
            auth = self.headers.get("Authorization")
            with lock, open(args.log, "a") as f:
                f.write(json.dumps({"method": self.command, "host": self.target_host, "path": self.path,
                                    "authorization": auth,
                                    "accept": self.headers.get("Accept"), "status": status}) + "\n")
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            with lock:
                seen[0] += 1
                n = seen[0]
            if args.status:
                return self.reply(args.status, {"code": "ServerError", "message": "status set by the test"})
            if n <= args.fail_first:
                return self.reply(503, {"code": "ServiceUnavailable", "message": "try again"})
            if self.path != args.path:
                return self.reply(404, {"code": "NotFound", "message": "no such path"})
            if self.headers.get("Authorization") != args.auth:
                return self.reply(401, {"code": "AccessDeniedException",
                                        "message": "the Authorization header is missing or wrong"})
            self.reply(200, {"RoleArn": "arn:aws:iam::111122223333:role/pod-role",
                             "AccessKeyId": "ASIACONTAINERFAKE01", "SecretAccessKey": "container-fake-secret",
                             "Token": json.loads(args.token_json) if args.token_json else "container-fake-token",
                             "AccountId": "111122223333",
                             "Expiration": args.expiration or iso(time.time() + args.expires_in)})

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
