#!/usr/bin/env python3
"""Replays a recorded exchange from the cross-SDK default-chain suite (smithy-rs test-data/.../http-traffic.json,
read in place) on 127.0.0.1, as a server and as an HTTP proxy (the recorded URIs name fixed addresses such as
169.254.169.254 and 169.254.170.2; a client reaches them here through http_proxy).

Each incoming request takes the next recorded exchange, in order, and must match it: method, path and query, the
host when the client says it (proxy form), and the recorded headers that carry meaning - the IMDS token and TTL
headers, Accept, Content-Type, X-Amz-Security-Token, the access key of a SigV4 Authorization - and for a form body
every field but RoleSessionName (whose default differs per SDK). A match is answered with the recorded status,
headers and body; a mismatch with 500, and a request beyond the recording with 404. --log receives one JSON line
per request: {"n", "method", "uri", "host", "authorization", "security_token", "form", "result": "served"|
"mismatch: ..."|"unexpected"}, after a first line {"total": N}; "form" is the form body as an object (null for other
bodies), so a test can check the fields a recording cannot.

Some recordings were made with other fixtures than the case directory now holds (a role ARN or token file changed
later, a session token from an earlier run): --ignore-field NAME (repeatable) leaves a form field out of the
comparison and --token-presence-only compares only whether X-Amz-Security-Token is sent; the test then checks those
values against the case's own files from the log. A recorded URI without a path ("http://host") means "/".
Standard library only.
"""
import argparse
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHECKED_HEADERS = ["x-aws-ec2-metadata-token", "x-aws-ec2-metadata-token-ttl-seconds", "accept", "content-type",
                   "x-amz-security-token"]
SKIPPED_RESPONSE_HEADERS = {"content-length", "connection", "transfer-encoding"}


def load_exchanges(path):
    events = json.load(open(path))["events"]
    order, by_conn = [], {}
    for e in events:
        cid, action = e["connection_id"], e["action"]
        x = by_conn.setdefault(cid, {"request": None, "request_body": "", "status": None, "headers": {},
                                     "body": ""})
        if "Request" in action:
            x["request"] = action["Request"]["request"]
            order.append(cid)
        elif "Response" in action:
            ok = action["Response"]["response"].get("Ok", {})
            x["status"], x["headers"] = ok.get("status", 500), ok.get("headers", {})
        elif "Data" in action:
            data = action["Data"]["data"].get("Utf8", "")
            if action["Data"]["direction"] == "Request":
                x["request_body"] += data
            else:
                x["body"] += data
    return [by_conn[c] for c in order]


def akid(authorization):
    # "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, ..." -> AKID
    if not authorization or "Credential=" not in authorization:
        return None
    return authorization.split("Credential=", 1)[1].split("/", 1)[0]


def mismatch(x, method, target, headers, body, ignore_signer, ignore_fields=(), token_presence_only=False):
    want = x["request"]
    if method != want["method"]:
        return f"method {method}, recorded {want['method']}"
    rec = urllib.parse.urlsplit(want["uri"])
    # An origin-form request target is never empty: a recorded "http://host" was a request for "/".
    rec_path = (rec.path or "/") + ("?" + rec.query if rec.query else "")
    if target.startswith("http://") or target.startswith("https://"):
        got = urllib.parse.urlsplit(target)
        if got.netloc != rec.netloc:
            return f"host {got.netloc}, recorded {rec.netloc}"
        target = (got.path or "/") + ("?" + got.query if got.query else "")
    if target != rec_path:
        return f"path {target}, recorded {rec_path}"
    rec_headers = {k.lower(): v for k, v in want.get("headers", {}).items()}
    for name in CHECKED_HEADERS:
        if name not in rec_headers or (ignore_signer and name == "x-amz-security-token"):
            continue
        got_v, rec_v = headers.get(name), rec_headers[name][0]
        if name == "x-amz-security-token" and token_presence_only:
            got_v, rec_v = got_v is not None, True
        if name == "content-type" and got_v:  # the media type; a "; charset=utf-8" parameter changes nothing
            got_v, rec_v = got_v.split(";")[0].strip(), rec_v.split(";")[0].strip()
        if got_v != rec_v:
            return f"header {name}: {got_v!r}, recorded {rec_v!r}"
    if "authorization" in rec_headers and akid(rec_headers["authorization"][0]) and not ignore_signer:
        if akid(headers.get("authorization")) != akid(rec_headers["authorization"][0]):
            return f"signed by {akid(headers.get('authorization'))}, recorded {akid(rec_headers['authorization'][0])}"
    if x["request_body"] and rec_headers.get("content-type", [""])[0].startswith("application/x-www-form-urlencoded"):
        skip = {"RoleSessionName", *ignore_fields}
        got_f = {k: v for k, v in urllib.parse.parse_qsl(body) if k not in skip}
        rec_f = {k: v for k, v in urllib.parse.parse_qsl(x["request_body"]) if k not in skip}
        if got_f != rec_f:
            return f"form {sorted(got_f.items())}, recorded {sorted(rec_f.items())}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--traffic", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ignore-signer", action="store_true",
                    help="do not compare the signing key and session token (for recordings whose STS request was "
                         "signed with other credentials than the recorded source returned)")
    ap.add_argument("--ignore-field", action="append", default=[], metavar="NAME",
                    help="a form field not to compare (the recording was made with another value than the case's "
                         "files hold); repeatable")
    ap.add_argument("--token-presence-only", action="store_true",
                    help="compare only whether X-Amz-Security-Token is sent, not its value")
    args = ap.parse_args()
    exchanges = load_exchanges(args.traffic)
    lock = threading.Lock()
    state = {"next": 0}
    with open(args.log, "w") as f:
        f.write(json.dumps({"total": len(exchanges)}) + "\n")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode() if n else ""
            headers = {k.lower(): v for k, v in self.headers.items()}
            with lock:
                i = state["next"]
                state["next"] += 1
            form = None
            if (headers.get("content-type") or "").startswith("application/x-www-form-urlencoded"):
                form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
            entry = {"n": i, "method": self.command, "uri": self.path, "host": headers.get("host"),
                     "authorization": headers.get("authorization"),
                     "security_token": headers.get("x-amz-security-token"), "form": form}
            if i >= len(exchanges):
                entry["result"] = "unexpected"
                status, out_headers, out = 404, {"content-type": ["text/plain"]}, "beyond the recording"
            else:
                x = exchanges[i]
                why = mismatch(x, self.command, self.path, headers, body, args.ignore_signer, args.ignore_field,
                               args.token_presence_only)
                if why:
                    entry["result"] = "mismatch: " + why
                    status, out_headers, out = 500, {"content-type": ["text/plain"]}, "replay mismatch"
                else:
                    entry["result"] = "served"
                    status, out_headers, out = x["status"], x["headers"], x["body"]
            with lock, open(args.log, "a") as f:
                f.write(json.dumps(entry) + "\n")
            data = out.encode()
            self.send_response(status)
            for k, values in out_headers.items():
                if k.lower() not in SKIPPED_RESPONSE_HEADERS:
                    for v in values:
                        self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = handle_any

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
