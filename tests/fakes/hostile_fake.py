#!/usr/bin/env python3
"""A hostile HTTP(S) server for credsh's tests: a server (or a proxy in front of one) that echoes the whole
request in its error reply, or answers with a body the test chose (NUL bytes, 50k members, expiries in the past,
1e30 lifetimes). Stdlib only, 127.0.0.1 only. Every request is appended to --log as one JSON line
{method, path, host}, so a test can show which server was asked and that another received no request; each connection is
recorded too ({connect: true}), so a test can show that another received no connection at all.

  --mode echo    every request is answered --status (default 400) with the request itself - the sensitive
                 headers (any name with token, auth, secret, bearer, security), then the body, then the other
                 headers - all on ONE line (so "first line only" protections do not hide it), in the shape each
                 protocol reads an error from: STS query protocol (a form body with Action=) gets
                 <ErrorResponse><Error><Code>EchoError</Code><Message>ECHO</Message>; everything else gets JSON
                 {__type, code, message, Message, error: "invalid_request", error_description}, all carrying ECHO.
  --mode body    every request is answered --status (default 200) with the bytes of --body-file
                 (Content-Type --content-type, default application/json).
  --ok-get-secret FILE   (either mode) Secrets Manager GetSecretValue answers 200 with FILE's text as
                 SecretString; other Secrets Manager actions fall through to the mode.
  --ok-lwa       (either mode) POST /auth/o2/token answers 200 with a token and a rotated refresh token:
                 {access_token: "Atza|hostile-access-S3CR3T", refresh_token: "Atzr|hostile-rotated-S3CR3T",
                 expires_in: 3600}.
  --ok-register  (either mode) SSO-OIDC RegisterClient (POST /client/register) answers 200 with a client whose
                 secret is "S3CR3T-registered-client-secret", so the device flow goes on to the calls that send it.
  --tls CERT KEY serve https with this certificate (PEM files the test made with openssl).
"""
import argparse
import json
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

SENSITIVE = ("token", "auth", "secret", "bearer", "security")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--mode", choices=["echo", "body"], default="echo")
    ap.add_argument("--status", type=int)
    ap.add_argument("--body-file")
    ap.add_argument("--content-type", default="application/json")
    ap.add_argument("--ok-get-secret")
    ap.add_argument("--ok-lwa", action="store_true")
    ap.add_argument("--ok-register", action="store_true")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = ap.parse_args()
    lock = threading.Lock()
    fixed = open(args.body_file, "rb").read() if args.body_file else b""
    tls = None
    if args.tls:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls[0], args.tls[1])

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def setup(self):
            # Every connection is recorded, even one that never becomes an HTTP request (TLS to this plain server,
            # or a client that gives up on this one's certificate): the TLS handshake comes after the record.
            with lock, open(args.log, "a") as f:
                f.write(json.dumps({"connect": True}) + "\n")
            if tls:
                self.request = tls.wrap_socket(self.request, server_side=True)
            super().setup()

        def send(self, status, body, ctype):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            with lock, open(args.log, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path,
                                    "host": self.headers.get("Host")}) + "\n")
            target = self.headers.get("X-Amz-Target", "")
            if args.ok_get_secret and target == "secretsmanager.GetSecretValue":
                text = open(args.ok_get_secret, encoding="utf-8").read()
                reply = {"ARN": "arn:aws:secretsmanager:us-east-1:111122223333:secret:hostile",
                         "Name": "hostile", "VersionId": "v1", "SecretString": text}
                return self.send(200, json.dumps(reply).encode(), "application/x-amz-json-1.1")
            if args.ok_lwa and self.command == "POST" and urllib.parse.urlsplit(self.path).path == "/auth/o2/token":
                reply = {"access_token": "Atza|hostile-access-S3CR3T", "token_type": "bearer",
                         "refresh_token": "Atzr|hostile-rotated-S3CR3T", "expires_in": 3600}
                return self.send(200, json.dumps(reply).encode(), "application/json")
            if args.ok_register and self.command == "POST" and self.path == "/client/register":
                import time
                reply = {"clientId": "hostile-client-id", "clientSecret": "S3CR3T-registered-client-secret",
                         "clientIdIssuedAt": int(time.time()), "clientSecretExpiresAt": int(time.time()) + 86400}
                return self.send(200, json.dumps(reply).encode(), "application/json")
            if args.mode == "body":
                return self.send(args.status or 200, fixed, args.content_type)
            hot = [f"{k}: {v}" for k, v in self.headers.items() if any(s in k.lower() for s in SENSITIVE)]
            cold = [f"{k}: {v}" for k, v in self.headers.items() if not any(s in k.lower() for s in SENSITIVE)]
            echo = " | ".join(hot + [body.decode("utf-8", "replace").replace("\n", " ")] +
                              [f"{self.command} {self.path}"] + cold)
            status = args.status or 400
            if body.startswith(b"Action=") or b"&Action=" in body:
                xml = ("<ErrorResponse><Error><Type>Sender</Type><Code>EchoError</Code><Message>%s</Message>"
                       "</Error><RequestId>echo</RequestId></ErrorResponse>" % escape(echo))
                return self.send(status, xml.encode(), "text/xml")
            reply = {"__type": "com.amazonaws#EchoException", "code": "EchoException", "message": echo,
                     "Message": echo, "error": "invalid_request", "error_description": echo}
            self.send(status, json.dumps(reply).encode(), "application/json")

        do_GET = do_POST = do_PUT = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
