#!/usr/bin/env python3
"""A local AWS federation endpoint (signin.aws.amazon.com/federation) for `credsh console` (docs/protocols.md §1).

GET /federation?Action=getSigninToken[&SessionDuration=N]&Session=JSON: the session JSON must be an object of exactly
sessionId, sessionKey and sessionToken, each a non-empty string (else 400, as the real endpoint refuses it); the
answer is {"SigninToken": "FAKESIGNIN-<n>"}. SessionDuration, when present, must be 900..43200.
GET /federation?Action=login&...: 200, a page (what the browser would get).
Test hooks: GET /_calls lists the getSigninToken calls (the session's id, whether key and token came, the duration);
--record FILE appends every request as received (request line, headers, body), so a test can prove a secret
never arrived.
"""
import argparse
import http.server
import json
import urllib.parse


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--record", default="")
    a = p.parse_args()
    calls = []

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            pass

        def reply(self, status, body, ctype="application/json"):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if a.record:
                with open(a.record, "a") as f:
                    f.write(self.requestline + "\n" + str(self.headers) + "\n")
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/_calls":
                return self.reply(200, json.dumps(calls))
            if url.path != "/federation":
                return self.reply(404, "{}")
            q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            action = q.get("Action", [""])[0]
            if action == "login":
                return self.reply(200, "<html>console</html>", "text/html")
            if action != "getSigninToken":
                return self.reply(400, "{}")
            try:
                session = json.loads(q["Session"][0])
            except (KeyError, ValueError):
                return self.reply(400, "{}")
            keys = ("sessionId", "sessionKey", "sessionToken")
            if not isinstance(session, dict) or sorted(session) != sorted(keys) or \
                    not all(isinstance(session[k], str) and session[k] for k in keys):
                return self.reply(400, "{}")
            duration = q.get("SessionDuration", [None])[0]
            if duration is not None and not (duration.isdigit() and 900 <= int(duration) <= 43200):
                return self.reply(400, "{}")
            calls.append({"session_id": session["sessionId"], "duration": duration,
                          "key": bool(session["sessionKey"]), "token": bool(session["sessionToken"])})
            self.reply(200, json.dumps({"SigninToken": "FAKESIGNIN-%d" % len(calls)}))

    http.server.ThreadingHTTPServer(("127.0.0.1", a.port), H).serve_forever()


if __name__ == "__main__":
    main()
