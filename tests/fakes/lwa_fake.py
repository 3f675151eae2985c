#!/usr/bin/env python3
"""A Login-with-Amazon token endpoint for credsh's tests (moto has no LWA). Stdlib only, 127.0.0.1 only.

POST /auth/o2/token, as docs/protocols.md §1 describes LWA: form-encoded (or JSON, as the ASK CLI sends it)
grant_type=refresh_token, refresh_token, client_id, client_secret[, scope]. Answers
  200 {access_token, token_type: "bearer", expires_in, refresh_token?}
  401 {error: "invalid_client", ...}   unknown client id or wrong secret
  400 {error: "invalid_grant", ...}    unknown, revoked or rotated-away refresh token
  400 {error: "unsupported_grant_type"}
With --rotate, every refresh issues a new refresh token and revokes the one used (so a second writer with
the old token gets invalid_grant, as after a real rotation). Without it, no refresh_token is returned.

Test controls (not LWA):
  GET  /__hits     {"token": N (every POST to the token path), "ok": N, "requests": [fields, secrets masked,
                   plus content_type, refresh_token_used and via_proxy_to (the host asked for through a proxy)]}
  POST /__config   JSON: {"delay": seconds, "rotate": bool, "expires_in": N, "valid": [refresh tokens]}
                   (with a delay, every token request is answered that late with a 503 and changes nothing)
                   {"hold": true}: every token request waits, once recorded in /__hits, until {"release": true}
                   (so a test can act while a refresh is in flight, without guessing a time)
"""
import argparse
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {
    "clients": {},      # client id -> secret
    "valid": set(),     # refresh tokens that work
    "rotate": False,
    "delay": 0.0,
    "expires_in": 3600,
    "hits": 0,
    "ok": 0,
    "issued": 0,
    "requests": [],
}
RELEASE = threading.Event()
RELEASE.set()  # not holding


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep the log short: one line per request
        print("%s %s" % (self.command, self.path), flush=True)

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        if self.path == "/__hits":
            with LOCK:
                return self.reply(200, {"token": STATE["hits"], "ok": STATE["ok"], "requests": STATE["requests"]})
        self.reply(404, {"error": "not_found"})

    def do_POST(self):
        raw = self.read_body()
        if self.path == "/__config":
            cfg = json.loads(raw or b"{}")
            if cfg.get("hold"):
                RELEASE.clear()
            if cfg.get("release"):
                RELEASE.set()
            with LOCK:
                for key in ("delay", "rotate", "expires_in"):
                    if key in cfg:
                        STATE[key] = cfg[key]
                if "valid" in cfg:
                    STATE["valid"] = set(cfg["valid"])
            return self.reply(200, {"ok": True})
        # A request through a proxy names the whole URL (absolute form): this fake then plays the proxy too,
        # and records which host the client wanted (the ASK_CLI_PROXY test).
        via = urllib.parse.urlsplit(self.path).netloc if self.path.startswith("http") else ""
        if urllib.parse.urlsplit(self.path).path != "/auth/o2/token":
            return self.reply(404, {"error": "not_found"})
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            fields = {k: str(v) for k, v in json.loads(raw or b"{}").items()}
        else:
            fields = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode(), keep_blank_values=True).items()}
        with LOCK:
            STATE["hits"] += 1
            seen = {k: ("****" if k in ("refresh_token", "client_secret") else v) for k, v in fields.items()}
            seen["content_type"] = ctype.split(";")[0]
            seen["via_proxy_to"] = via
            seen["refresh_token_used"] = fields.get("refresh_token", "")
            STATE["requests"].append(seen)
            delay = STATE["delay"]
        RELEASE.wait(120)  # held by the test (bounded: a forgotten release cannot hang the suite)
        if delay:
            # A hung endpoint: answer late, and change nothing (a client that gave up must not find its
            # refresh token rotated away by a request it abandoned).
            time.sleep(delay)
            return self.reply(503, {"error": "temporarily_unavailable"})
        if fields.get("grant_type") != "refresh_token":
            return self.reply(400, {"error": "unsupported_grant_type", "error_description": "grant_type"})
        with LOCK:
            if STATE["clients"].get(fields.get("client_id")) != fields.get("client_secret"):
                return self.reply(401, {"error": "invalid_client",
                                        "error_description": "Client authentication failed"})
            token = fields.get("refresh_token", "")
            if token not in STATE["valid"]:
                return self.reply(400, {"error": "invalid_grant",
                                        "error_description": "The request has an invalid grant parameter : refresh_token"})
            STATE["issued"] += 1
            STATE["ok"] += 1
            n = STATE["issued"]
            out = {"access_token": "Atza|fake-access-%d" % n, "token_type": "bearer",
                   "expires_in": STATE["expires_in"]}
            if STATE["rotate"]:
                new = "Atzr|fake-rotated-%d" % n
                STATE["valid"].discard(token)
                STATE["valid"].add(new)
                out["refresh_token"] = new
        self.reply(200, out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--client", action="append", default=[], help="ID:SECRET (repeatable)")
    ap.add_argument("--refresh", action="append", default=[], help="a valid refresh token (repeatable)")
    ap.add_argument("--rotate", action="store_true")
    ap.add_argument("--expires-in", type=int, default=3600)
    args = ap.parse_args()
    for c in args.client:
        cid, _, secret = c.partition(":")
        STATE["clients"][cid] = secret
    STATE["valid"] = set(args.refresh)
    STATE["rotate"] = args.rotate
    STATE["expires_in"] = args.expires_in
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
