#!/usr/bin/env python3
"""Runs the aws-c-auth SigV4 suite's requests through libcurl's signer (CURLOPT_AWS_SIGV4, via the curl tool
that uses the same libcurl.so as the plugins) against a local echo server, and compares the Authorization
header libcurl computed with the suite's.

The suite's signed request (header-signed-request.txt) is replayed without its Authorization header: the
headers the suite's signer added (X-Amz-Date, x-amz-content-sha256, X-Amz-Security-Token) are passed to curl
as ordinary headers, and libcurl takes its timestamp from the X-Amz-Date it is given.

usage: sigv4_libcurl.py SUITE_DIR   prints one TSV line per case: name, verdict (match|differ|error), detail
"""
import http.server
import json
import os
import socketserver
import subprocess
import sys
import tempfile
import threading
import urllib.parse

seen = {}


class Echo(http.server.BaseHTTPRequestHandler):
    def _any(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        seen["auth"] = self.headers.get("Authorization", "")
        seen["path"] = self.path
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = _any

    def log_message(self, *a):
        pass


def parse_request(text):
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    method, rest = lines[0].split(" ", 1)
    target = rest.rsplit(" ", 1)[0]  # the path may hold spaces: "GET /example space/ HTTP/1.1"
    headers = []
    for line in lines[1:]:
        if line.startswith((" ", "\t")) and headers:  # a folded (multi-line) header value
            headers[-1] = (headers[-1][0], headers[-1][1] + "\n" + line)
            continue
        name, _, value = line.partition(":")
        headers.append((name, value))
    return method, target, headers, body


def encode_target(target):
    path, q, query = target.partition("?")
    # What a client puts on the wire: percent-encoded UTF-8 and spaces, reserved characters as written.
    path = urllib.parse.quote(path, safe="/~-._%")
    query = urllib.parse.quote(query, safe="=&~-._%")
    return path + (("?" + query) if q else "")


def main():
    suite = sys.argv[1]
    srv = socketserver.TCPServer(("127.0.0.1", 0), Echo)
    port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    for case in sorted(os.listdir(suite)):
        d = os.path.join(suite, case)
        try:
            ctx = json.load(open(os.path.join(d, "context.json")))
            signed = open(os.path.join(d, "header-signed-request.txt"), encoding="utf-8").read()
        except (OSError, ValueError) as e:
            print(f"{case}\terror\tcannot read the case: {e}")
            continue
        method, target, headers, body = parse_request(signed)
        expected = next((v for k, v in headers if k.lower() == "authorization"), "")
        host = next((v for k, v in headers if k.lower() == "host"), "")
        cred = ctx["credentials"]
        args = ["curl", "-sS", "-o", "/dev/null", "--max-time", "5", "-X", method,
                "--aws-sigv4", f"aws:amz:{ctx['region']}:{ctx['service']}",
                "--connect-to", f"{host}:80:127.0.0.1:{port}",
                # No User-Agent (the suite's requests have none); Accept is added inside libcurl and not signed.
                "-A", ""]
        if not ctx.get("normalize", True):
            args.append("--path-as-is")  # the suite signs the path as written: curl must send it so
        for k, v in headers:
            if k.lower() in ("authorization", "host"):
                continue
            args += ["-H", f"{k}:{v}" if v else f"{k};"]
        with tempfile.NamedTemporaryFile("w", delete=False) as cfg:
            # user and password through a config file, the way the plugin passes them (never argv)
            cfg.write(f'user = "{cred["access_key_id"]}:{cred["secret_access_key"]}"\n')
        args += ["-K", cfg.name]
        if body:
            bf = cfg.name + ".body"
            open(bf, "w").write(body)
            args += ["--data-binary", "@" + bf]
        args.append(f"http://{host}{encode_target(target)}")
        seen.clear()
        r = subprocess.run(args, capture_output=True, text=True)
        os.unlink(cfg.name)
        if body:
            os.unlink(cfg.name + ".body")
        if r.returncode != 0 or "auth" not in seen:
            print(f"{case}\terror\tcurl exit {r.returncode}: {r.stderr.strip()[:200]}")
            continue
        verdict = "match" if seen["auth"] == expected else "differ"
        print(f"{case}\t{verdict}\tlibcurl: {seen['auth']} | suite: {expected} | wire path: {seen['path']}")
    srv.shutdown()


if __name__ == "__main__":
    main()
