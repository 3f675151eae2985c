#!/usr/bin/env python3
"""A strict EC2 instance metadata service on 127.0.0.1, for tests (moto's IMDS enforces nothing).

It behaves as IMDS does with HttpTokens=required, and can be told to behave otherwise:
  PUT /latest/api/token   needs x-aws-ec2-metadata-token-ttl-seconds in 1..21600 (else 400); answers a fresh
                          token, or what --token says (403, 404, 405: "IMDSv2 not here"; 400; 500; "hang": no answer).
  GET /latest/meta-data/iam/security-credentials/        the role name (404 with --no-role)
  GET /latest/meta-data/iam/security-credentials/ROLE    {Code, LastUpdated, Type, AccessKeyId, SecretAccessKey,
                                                         Token, Expiration}
  A GET with an unknown or expired token is 401; without one it is 401 unless --v1 on (IMDSv1 allowed).
Every request is appended to --log as one JSON line {method, host, path, token: none|valid|invalid, ttl, status}, so a
test counts calls and sees which protocol was used. It also answers as an HTTP proxy, so a client left on the
default address (169.254.169.254) reaches it through http_proxy and the log shows the host it asked for.
Standard library only.
"""
import argparse
import datetime
import json
import secrets
import threading
import urllib.parse
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREDS_PATH = "/latest/meta-data/iam/security-credentials/"


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--token", default="ok", choices=["ok", "400", "403", "404", "405", "500", "hang"])
    ap.add_argument("--v1", default="off", choices=["on", "off"])
    ap.add_argument("--role", default="credsh-test-role")
    ap.add_argument("--no-role", action="store_true")
    ap.add_argument("--expires-in", type=int, default=6 * 3600)
    ap.add_argument("--expiration", help="a fixed Expiration (ISO 8601) instead of now + --expires-in")
    ap.add_argument("--code", help="answer the credentials request with this error Code (200, as IMDS does)")
    ap.add_argument("--access-key-id", default="ASIAIMDSFAKE0000001")
    ap.add_argument("--secret", default="imds-fake-secret")
    ap.add_argument("--session-token", default="imds-fake-session-token")
    args = ap.parse_args()

    tokens = {}  # token -> expiry (epoch)
    lock = threading.Lock()

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

        def record(self, status, token_state, ttl=None):
            with lock, open(args.log, "a") as f:
                f.write(json.dumps({"method": self.command, "host": self.target_host, "path": self.path,
                                    "token": token_state, "ttl": ttl, "status": status}) + "\n")

        def reply(self, status, body="", ctype="text/plain"):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_PUT(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n:
                self.rfile.read(n)
            ttl = self.headers.get("x-aws-ec2-metadata-token-ttl-seconds")
            if self.path != "/latest/api/token":
                self.record(404, "none", ttl)
                return self.reply(404, "not found")
            if args.token == "hang":
                self.record(0, "none", ttl)
                time.sleep(30)
                return
            if args.token != "ok":
                self.record(int(args.token), "none", ttl)
                return self.reply(int(args.token), "token requests are not served here")
            # Real IMDS refuses a PUT that came through a proxy (X-Forwarded-For), and a missing or bad TTL.
            if self.headers.get("X-Forwarded-For"):
                self.record(403, "none", ttl)
                return self.reply(403, "forbidden")
            try:
                seconds = int(ttl)
            except (TypeError, ValueError):
                seconds = 0
            if not 1 <= seconds <= 21600:
                self.record(400, "none", ttl)
                return self.reply(400, "missing or invalid x-aws-ec2-metadata-token-ttl-seconds")
            token = "AQAEA" + secrets.token_urlsafe(40)
            with lock:
                tokens[token] = time.time() + seconds
            self.record(200, "none", ttl)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("x-aws-ec2-metadata-token-ttl-seconds", str(seconds))
            self.send_header("Content-Length", str(len(token)))
            self.end_headers()
            self.wfile.write(token.encode())

        def do_GET(self):
            token = self.headers.get("x-aws-ec2-metadata-token")
            if token is None:
                state = "none"
            else:
                with lock:
                    state = "valid" if tokens.get(token, 0) > time.time() else "invalid"
            if state == "invalid" or (state == "none" and args.v1 != "on"):
                self.record(401, state)
                return self.reply(401, "Unauthorized")
            if self.path == CREDS_PATH:
                if args.no_role:
                    self.record(404, state)
                    return self.reply(404, "not found", "text/html")
                self.record(200, state)
                return self.reply(200, args.role)
            if self.path == CREDS_PATH + args.role and not args.no_role:
                now = time.time()
                if args.code:
                    doc = {"Code": args.code, "Message": "EC2 cannot assume the role " + args.role,
                           "LastUpdated": iso(now - 60)}
                    self.record(200, state)
                    return self.reply(200, json.dumps(doc, indent=2))
                doc = {"Code": "Success", "LastUpdated": iso(now - 60), "Type": "AWS-HMAC",
                       "AccessKeyId": args.access_key_id, "SecretAccessKey": args.secret,
                       "Token": args.session_token, "Expiration": args.expiration or iso(now + args.expires_in)}
                self.record(200, state)
                return self.reply(200, json.dumps(doc, indent=2))
            self.record(404, state)
            return self.reply(404, "not found", "text/html")

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
