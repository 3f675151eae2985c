#!/usr/bin/env python3
"""A strict local STS for the mfa-sts tests, where moto is lax (docs/protocols.md §2: moto never checks MFA codes or
DurationSeconds). Query protocol, XML replies in AWS's shapes (docs/protocols.md §1).

Strict about:
  - signing: AssumeRole and GetSessionToken need a SigV4 Authorization header (service sts) whose
    SignedHeaders all arrive on the wire; AssumeRoleWithWebIdentity must be unsigned and carry a token;
  - MFA: with SerialNumber, TokenCode must be --mfa-code (else AccessDenied, as STS words it); a role whose
    ARN contains "Mfa" refuses a call without MFA;
  - DurationSeconds: AssumeRole 900..--role-max (default 3600: STS's "exceeds the MaxSessionDuration" error),
    GetSessionToken 900..129600; else ValidationError.

Test hooks: GET /_calls lists the calls so far (action, role, session name, external id, serial, duration,
signed headers, whether a session token came along; never a secret), POST /_reset forgets them.
POST /_fail with n=N&kind=K answers the next N STS calls (recorded all the same) with a failure: K is 503
(ServiceUnavailable), 500, throttle (400 Throttling), idp (400 IDPCommunicationError) or denied (403 AccessDenied).
--delay S answers after S seconds (to make concurrent callers overlap); --expires-in S sets the credentials'
lifetime; --date-offset S shifts the Date header (and the credentials' expiry) by S seconds, a server whose
clock disagrees with this machine's; --blackhole accepts connections and never answers (a dead endpoint for deadline tests).
"""
import argparse
import datetime
import http.server
import json
import socket
import threading
import time
import urllib.parse

NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def error(code, message, status=400):
    body = (f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
            f"<Message>{message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>")
    return status, body


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = []
        self.counter = 0
        self.fail_next = 0
        self.fail_kind = ""


FAILURES = {
    "503": ("ServiceUnavailable", "Service is unavailable", 503),
    "500": ("InternalFailure", "Internal failure", 500),
    "throttle": ("Throttling", "Rate exceeded", 400),
    "idp": ("IDPCommunicationError", "Couldn't retrieve verification key from your identity provider", 400),
    "denied": ("AccessDenied", "User is not authorized to perform: sts:AssumeRole", 403),
}


def make_handler(args, state):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def date_time_string(self, timestamp=None):
            return super().date_time_string(time.time() + args.date_offset)

        def reply(self, status, body, ctype="text/xml"):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/_calls":
                with state.lock:
                    return self.reply(200, json.dumps(state.calls), "application/json")
            self.reply(404, "")

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n).decode("utf-8", "replace")
            if self.path == "/_reset":
                with state.lock:
                    state.calls.clear()
                    state.fail_next = 0
                return self.reply(200, "{}", "application/json")
            if self.path == "/_fail":
                q = urllib.parse.parse_qs(raw)
                with state.lock:
                    state.fail_next = int(q["n"][0])
                    state.fail_kind = q["kind"][0]
                return self.reply(200, "{}", "application/json")
            form = {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}
            status, body = self.handle_sts(form)
            if args.delay:
                time.sleep(args.delay)
            self.reply(status, body)

        def handle_sts(self, form):
            action = form.get("Action", "")
            auth = self.headers.get("Authorization", "")
            signed = []
            if "SignedHeaders=" in auth:
                signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
            record = {
                "action": action, "role_arn": form.get("RoleArn"), "session_name": form.get("RoleSessionName"),
                "external_id": form.get("ExternalId"), "serial": form.get("SerialNumber"),
                "duration": form.get("DurationSeconds"), "signed_headers": signed,
                "session_token": bool(self.headers.get("X-Amz-Security-Token")), "signed": bool(auth),
                "access_key": auth.split("Credential=")[1].split("/")[0] if "Credential=" in auth else None,
                "region": auth.split("Credential=")[1].split("/")[2] if auth.count("/") >= 3 else None,
            }
            with state.lock:
                state.calls.append(record)
                failing = state.fail_next > 0
                if failing:
                    state.fail_next -= 1
            if failing:
                return error(*FAILURES[state.fail_kind])
            if form.get("Version") != "2011-06-15":
                return error("InvalidAction", "Could not find operation " + action + " for version NO_VERSION_SPECIFIED")
            if action in ("AssumeRole", "GetSessionToken"):
                if not auth.startswith("AWS4-HMAC-SHA256 ") or "/sts/aws4_request" not in auth:
                    return error("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
                missing = [h for h in signed if self.headers.get(h) is None]
                if missing:
                    return error("SignatureDoesNotMatch", "signed headers not in the request: " + ",".join(missing), 403)
            elif action == "AssumeRoleWithWebIdentity":
                if auth:
                    return error("InvalidParameterValue", "AssumeRoleWithWebIdentity must not be signed")
                if not form.get("WebIdentityToken"):
                    return error("InvalidIdentityToken", "No web identity token")
            else:
                return error("InvalidAction", "Could not find operation " + action)

            serial, code = form.get("SerialNumber"), form.get("TokenCode")
            if serial is not None or code is not None:
                if code != args.mfa_code:
                    return error("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.", 403)
            elif action == "AssumeRole" and "Mfa" in (form.get("RoleArn") or ""):
                return error("AccessDenied", "User is not authorized to perform: sts:AssumeRole (MFA required)", 403)

            limits = {"GetSessionToken": (900, 129600)}.get(action, (900, args.role_max))
            duration = form.get("DurationSeconds")
            if duration is not None:
                try:
                    d = int(duration)
                except ValueError:
                    return error("ValidationError", "DurationSeconds must be an integer")
                if d < 900:
                    return error("ValidationError", "1 validation error detected: Value '%s' at 'durationSeconds' "
                                 "failed to satisfy constraint: Member must have value greater than or equal to 900" % duration)
                if d > limits[1]:
                    return error("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration "
                                 "set for this role.")

            with state.lock:
                state.counter += 1
                n = state.counter
            expires = (datetime.datetime.now(datetime.timezone.utc) +
                       datetime.timedelta(seconds=args.expires_in + args.date_offset)).strftime("%Y-%m-%dT%H:%M:%SZ")
            creds = (f"<Credentials><AccessKeyId>ASIAFAKE{n:08d}</AccessKeyId>"
                     f"<SecretAccessKey>fakeSecret{n}</SecretAccessKey><SessionToken>fakeToken{n}</SessionToken>"
                     f"<Expiration>{expires}</Expiration></Credentials>")
            user = ""
            if action != "GetSessionToken":
                role = form.get("RoleArn", "")
                name = role.split("/")[-1]
                account = role.split(":")[4] if role.count(":") >= 5 else "000000000000"
                session = form.get("RoleSessionName", "")
                user = (f"<AssumedRoleUser><Arn>arn:aws:sts::{account}:assumed-role/{name}/{session}</Arn>"
                        f"<AssumedRoleId>AROAFAKE:{session}</AssumedRoleId></AssumedRoleUser>")
            body = (f'<{action}Response xmlns="{NS}"><{action}Result>{creds}{user}</{action}Result>'
                    f"<ResponseMetadata><RequestId>fake-{n}</RequestId></ResponseMetadata></{action}Response>")
            return 200, body

    return Handler


def blackhole(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    held = []
    while True:
        conn, _ = s.accept()
        held.append(conn)  # never read, never answered, never closed


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mfa-code", default="123456")
    p.add_argument("--role-max", type=int, default=3600)
    p.add_argument("--expires-in", type=int, default=3600)
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--date-offset", type=int, default=0)
    p.add_argument("--blackhole", action="store_true")
    args = p.parse_args()
    if args.blackhole:
        return blackhole(args.port)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args, State()))
    srv.daemon_threads = True
    srv.serve_forever()


if __name__ == "__main__":
    main()
