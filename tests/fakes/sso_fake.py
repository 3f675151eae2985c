#!/usr/bin/env python3
"""A local IAM Identity Center peer for the tests: the SSO portal and SSO-OIDC on one 127.0.0.1 port.

Formats are docs/protocols.md §1 (botocore data/sso and data/sso-oidc 2019-06-10, rest-json): errors carry the
x-amzn-ErrorType header (what botocore reads) and an OAuth body {"error", "error_description"} (what the
service sends), so both credsh and /usr/bin/aws see the same error codes.

  POST /client/register           RegisterClient (device clients; with grantTypes/redirectUris/issuerUrl: an
                                  authorization-code client)
  GET  /authorize                 the authorization-code sign-in page, approved at once: 302 to the client's
                                  loopback redirect_uri (any port, RFC 8252) with code and state; checks
                                  client_id, redirect_uri, response_type, S256 and the challenge's form
  POST /device_authorization      StartDeviceAuthorization
  POST /token                     CreateToken: device_code grant (authorization_pending until approved,
                                  slow_down, expired_token, access_denied) and refresh_token grant (rotating:
                                  a refresh token works once; reusing one is invalid_grant)
  GET  /federation/credentials    GetRoleCredentials (x-amz-sso_bearer_token; 401 UnauthorizedException)
  GET  /assignment/accounts       ListAccounts (max_result / next_token paging)
  GET  /assignment/roles          ListAccountRoles
  POST /logout                    Logout
Test control (not AWS):
  GET  /_fake/state               counters and a log of every call, as JSON
  POST /_fake/config              merge a JSON object into the settings (see DEFAULTS)
  POST /_fake/approve             approve every pending device code now

--replay FILE serves a recorded http-traffic.json instead (smithy-rs "events" or Kotlin's list form): each
request must match the next recorded one (path, query parameters, x-amz-sso_bearer_token), else 599.
--replay-retries N: a recorded 429/5xx answer is given again when the same request comes again (a client's
retry), at most N times in all; the state's replay_retries counts them.
"""
import argparse
import base64
import hashlib
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULTS = {
    "approve_after": 2,        # device-code polls answered authorization_pending before the token is issued
    "slow_down_at": [],        # poll numbers (1-based) answered slow_down
    "device_mode": "approve",  # approve | expire (expired_token after the pending polls) | deny (access_denied)
    "interval": 1,             # StartDeviceAuthorization interval (s)
    "device_expires_in": 600,
    "token_ttl": 28800,        # CreateToken expiresIn
    "issue_refresh_token": True,
    "rotate_refresh_token": True,  # False: a refresh returns no refreshToken (the old one stays valid)
    "registration_ttl": 90 * 86400,
    "role_ttl": 3600,          # GetRoleCredentials expiration, seconds from now
    "now": None,               # epoch seconds standing in for the clock (role expiry, token expiry); None: real
    "valid_tokens": [],        # access tokens accepted besides the ones issued here (pre-seeded caches)
    "valid_refresh_tokens": [],
    "accounts": {"111111111111": {"name": "dev", "email": "dev@example.com", "roles": ["Admin", "ReadOnly"]},
                 "222222222222": {"name": "prod", "email": "prod@example.com", "roles": ["ReadOnly"]}},
    "page_size": 1,            # default page size when max_result is absent (small, so paging is exercised)
    "token_delay": 0.0,        # seconds each refresh CreateToken takes (widens race windows for the tests)
    "fail_role_credentials": 0,  # answer GetRoleCredentials with this status instead (e.g. 503)
    "authorize_mode": "approve",  # approve | deny (redirect with error=access_denied) | wrong_state
    "device_override": {},     # members merged into the StartDeviceAuthorization reply (hostile values for tests)
    "issued_token_accounts": None,  # a list: tokens issued from now on reach only these accounts (403 otherwise),
                                    # as a token of another identity would
}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.cfg = json.loads(json.dumps(DEFAULTS))
        self.n = 0
        self.clients = {}        # clientId -> {secret, expires, name, scopes}
        self.devices = {}        # deviceCode -> {client, polls, approved, times}
        self.codes = {}          # authorization code -> {client, redirect_uri, challenge, scopes}
        self.tokens = {}         # accessToken -> expiry epoch
        self.token_accounts = {} # accessToken -> accounts it reaches (absent: all)
        self.refresh = {}        # refreshToken -> clientId (present = still usable)
        self.revoked = set()
        self.counts = {}
        self.log = []
        self.replay = None       # list of (request, response) when replaying
        self.replay_pos = 0
        self.replay_retries = 0
        self.replay_retries_max = 0
        self.mismatches = []

    def now(self):
        return self.cfg["now"] if self.cfg["now"] is not None else time.time()

    def count(self, key):
        self.counts[key] = self.counts.get(key, 0) + 1

    def next_id(self):
        self.n += 1
        return self.n


S = State()


def load_replay(path):
    data = json.load(open(path))
    pairs = []
    if isinstance(data, list):  # Kotlin: [{request:{method,uri,headers}, response:{status,headers,body}}]
        for e in data:
            pairs.append((e["request"], {"status": e["response"]["status"], "headers": e["response"].get("headers", {}),
                                         "body": e["response"].get("body", "")}))
        return pairs
    req = None
    for ev in data.get("events", []):  # smithy-rs: Request, Data, Eof, Response, Data, Eof per connection
        a = ev["action"]
        if "Request" in a:
            r = a["Request"]["request"]
            req = {"method": r["method"], "uri": r["uri"],
                   "headers": {k: v[0] if isinstance(v, list) else v for k, v in r.get("headers", {}).items()}}
            pairs.append([req, {"status": 0, "headers": {}, "body": ""}])
        elif "Response" in a:
            ok = a["Response"]["response"]["Ok"]
            pairs[-1][1]["status"] = ok["status"]
            pairs[-1][1]["headers"] = {k: v[0] if isinstance(v, list) else v for k, v in ok.get("headers", {}).items()}
        elif "Data" in a and a["Data"]["direction"] == "Response":
            pairs[-1][1]["body"] += a["Data"]["data"].get("Utf8", "")
    return [tuple(p) for p in pairs]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet; the state endpoint is the record
        pass

    # -- plumbing --
    def body_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def send(self, status, obj=None, headers=None, raw=None):
        body = raw.encode() if raw is not None else (json.dumps(obj).encode() if obj is not None else b"")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            if k.lower() not in ("content-length", "content-type", "connection"):
                self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, exc, oauth=None, message=None):
        body = {"error": oauth, "error_description": message} if oauth else {"message": message or exc}
        self.send(status, body, {"x-amzn-ErrorType": exc + ":http://internal.amazon.com/coral/com.amazonaws.sso/"})

    def record(self, op, **kw):
        entry = {"op": op, "t": time.time()}
        entry.update(kw)
        S.log.append(entry)
        S.count(op)

    # -- dispatch --
    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        url = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        if url.path == "/_fake/state":
            with S.lock:
                return self.send(200, {"counts": S.counts, "log": S.log, "replay_served": S.replay_pos,
                                       "replay_total": len(S.replay or []), "replay_retries": S.replay_retries, "mismatches": S.mismatches,
                                       "devices": {k: {"polls": v["polls"]} for k, v in S.devices.items()}})
        if url.path == "/_fake/config" and method == "POST":
            body = self.body_json() or {}
            with S.lock:
                S.cfg.update(body)
            return self.send(200, S.cfg)
        if url.path == "/_fake/approve" and method == "POST":
            with S.lock:
                for d in S.devices.values():
                    d["approved"] = True
            return self.send(200, {})
        if S.replay is not None:
            return self.replayed(method, url, q)
        body = self.body_json() if method == "POST" else {}
        if body is None:
            return self.error(400, "InvalidRequestException", "invalid_request", "body is not JSON")
        routes = {("POST", "/client/register"): self.register, ("POST", "/device_authorization"): self.device,
                  ("POST", "/token"): self.token, ("GET", "/federation/credentials"): self.role_credentials,
                  ("GET", "/assignment/accounts"): self.accounts, ("GET", "/assignment/roles"): self.roles,
                  ("POST", "/logout"): self.logout, ("GET", "/authorize"): self.authorize}
        fn = routes.get((method, url.path))
        if not fn:
            return self.send(404, {"message": "no route " + method + " " + url.path})
        return fn(body, q)

    def replayed(self, method, url, q):
        with S.lock:
            pos = S.replay_pos
            if pos > 0 and S.replay_retries < S.replay_retries_max:
                prev_want, prev_resp = S.replay[pos - 1]
                if prev_resp["status"] in (429, 500, 502, 503, 504) and \
                        urllib.parse.urlsplit(prev_want["uri"]).path == url.path and \
                        {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(prev_want["uri"]).query).items()} == q:
                    S.replay_retries += 1
                    S.log.append({"op": "replay-retry", "path": url.path, "query": q})
                    return self.send(prev_resp["status"], None, prev_resp["headers"], raw=prev_resp["body"])
            if pos >= len(S.replay):
                S.mismatches.append({"why": "unexpected extra request", "path": url.path})
                return self.send(599, {"message": "replay: no more recorded requests"})
            want, resp = S.replay[pos]
            w = urllib.parse.urlsplit(want["uri"])
            wq = {k: v[0] for k, v in urllib.parse.parse_qs(w.query).items()}
            whdr = {k.lower(): v for k, v in want["headers"].items()}
            problems = []
            if method != want["method"]:
                problems.append("method %s != %s" % (method, want["method"]))
            if url.path != w.path:
                problems.append("path %s != %s" % (url.path, w.path))
            if q != wq:
                problems.append("query %s != %s" % (sorted(q.items()), sorted(wq.items())))
            for h in ("x-amz-sso_bearer_token",):
                if h in whdr and self.headers.get(h) != whdr[h]:
                    problems.append("header %s differs" % h)
            S.log.append({"op": "replay", "path": url.path, "query": q})
            if problems:
                S.mismatches.append({"why": "; ".join(problems), "path": url.path})
                return self.send(599, {"message": "replay mismatch: " + "; ".join(problems)})
            S.replay_pos += 1
        return self.send(resp["status"], None, resp["headers"], raw=resp["body"])

    # -- SSO-OIDC --
    def client_ok(self, body):
        c = S.clients.get(body.get("clientId"))
        return c and c["secret"] == body.get("clientSecret") and c["expires"] > S.now()

    def register(self, body, q):
        with S.lock:
            if not body.get("clientName") or body.get("clientType") != "public":
                return self.error(400, "InvalidRequestException", "invalid_request", "clientName/clientType")
            i = S.next_id()
            cid, sec = "client-%d" % i, "csecret-%d-%s" % (i, secrets.token_hex(4))
            now = int(S.now())
            exp = now + int(S.cfg["registration_ttl"])
            grants = body.get("grantTypes")
            if grants is not None and ("authorization_code" not in grants or not body.get("redirectUris") or
                                       not body.get("issuerUrl")):
                return self.error(400, "InvalidRequestException", "invalid_request", "grantTypes/redirectUris/issuerUrl")
            S.clients[cid] = {"secret": sec, "expires": exp, "name": body["clientName"], "scopes": body.get("scopes"),
                              "grants": grants or [], "redirects": body.get("redirectUris") or []}
            self.record("RegisterClient", clientName=body["clientName"], scopes=body.get("scopes"),
                        grantTypes=grants, redirectUris=body.get("redirectUris"), issuerUrl=body.get("issuerUrl"))
        return self.send(200, {"clientId": cid, "clientSecret": sec, "clientIdIssuedAt": now,
                               "clientSecretExpiresAt": exp})

    def device(self, body, q):
        with S.lock:
            self.record("StartDeviceAuthorization", startUrl=body.get("startUrl"))
            if not self.client_ok(body):
                return self.error(401, "InvalidClientException", "invalid_client", "unknown or expired client")
            if S.clients[body["clientId"]]["grants"]:
                return self.error(400, "UnauthorizedClientException", "unauthorized_client", "not a device client")
            if not body.get("startUrl"):
                return self.error(400, "InvalidRequestException", "invalid_request", "startUrl")
            i = S.next_id()
            code, user = "device-%d-%s" % (i, secrets.token_hex(4)), "WXYZ-%04d" % i
            S.devices[code] = {"client": body["clientId"], "polls": 0, "approved": False, "times": [],
                               "expires": time.time() + S.cfg["device_expires_in"], "scopes": S.clients[body["clientId"]]["scopes"]}
            port = self.server.server_address[1]
            reply = {"deviceCode": code, "userCode": user,
                     "verificationUri": "http://127.0.0.1:%d/device" % port,
                     "verificationUriComplete": "http://127.0.0.1:%d/device?user_code=%s" % (port, user),
                     "expiresIn": S.cfg["device_expires_in"], "interval": S.cfg["interval"]}
            reply.update(S.cfg["device_override"])
        return self.send(200, reply)

    def authorize(self, body, q):
        with S.lock:
            self.record("Authorize", query=q)
            c = S.clients.get(q.get("client_id"))
            redirect = q.get("redirect_uri", "")
            r = urllib.parse.urlsplit(redirect)
            # The registered loopback URI, any port (RFC 8252 §7.3).
            registered = c and any(urllib.parse.urlsplit(u)._replace(netloc=r.hostname or "") ==
                                   r._replace(netloc=r.hostname or "") for u in c["redirects"])
            problems = []
            if not c or "authorization_code" not in c["grants"]:
                problems.append("client_id")
            if not registered or r.hostname != "127.0.0.1" or not r.port:
                problems.append("redirect_uri")
            if q.get("response_type") != "code":
                problems.append("response_type")
            if q.get("code_challenge_method") != "S256" or len(q.get("code_challenge", "")) != 43 or \
                    "=" in q.get("code_challenge", ""):
                problems.append("code_challenge")
            if not q.get("state"):
                problems.append("state")
            if problems:
                return self.send(400, raw="<p>bad authorize request: %s</p>" % ", ".join(problems))
            state = q["state"]
            if S.cfg["authorize_mode"] == "deny":
                target = redirect + "?" + urllib.parse.urlencode({"error": "access_denied", "state": state})
            else:
                code = "code-%d-%s" % (S.next_id(), secrets.token_hex(6))
                S.codes[code] = {"client": q["client_id"], "redirect_uri": redirect, "challenge": q["code_challenge"]}
                if S.cfg["authorize_mode"] == "wrong_state":
                    state = "not-" + state
                target = redirect + "?" + urllib.parse.urlencode({"code": code, "state": state})
        return self.send(302, raw="", headers={"Location": target})

    def issue(self, client_id, with_refresh):
        i = S.next_id()
        at = "atoken-%d-%s" % (i, secrets.token_hex(6))
        ttl = int(S.cfg["token_ttl"])
        S.tokens[at] = S.now() + ttl
        if S.cfg["issued_token_accounts"] is not None:
            S.token_accounts[at] = list(S.cfg["issued_token_accounts"])
        out = {"accessToken": at, "tokenType": "Bearer", "expiresIn": ttl}
        if with_refresh:
            rt = "rtoken-%d-%s" % (i, secrets.token_hex(6))
            S.refresh[rt] = client_id
            out["refreshToken"] = rt
        return out

    def token(self, body, q):
        grant = body.get("grantType")
        if grant == "refresh_token":
            delay = S.cfg["token_delay"]
            if delay:
                time.sleep(delay)
        with S.lock:
            if not body.get("clientId") or not body.get("clientSecret"):
                return self.error(400, "InvalidRequestException", "invalid_request", "clientId/clientSecret")
            if grant == "urn:ietf:params:oauth:grant-type:device_code":
                d = S.devices.get(body.get("deviceCode"))
                self.record("CreateToken.device_code")
                if not self.client_ok(body) or not d or d["client"] != body["clientId"]:
                    return self.error(401, "InvalidClientException", "invalid_client", "unknown client or device")
                d["polls"] += 1
                d["times"].append(time.time())
                S.log[-1]["poll"] = d["polls"]
                if S.cfg["device_mode"] == "deny":
                    return self.error(400, "AccessDeniedException", "access_denied", "the user denied")
                if d["polls"] in S.cfg["slow_down_at"]:
                    return self.error(400, "SlowDownException", "slow_down", "polling too fast")
                if not d["approved"] and d["polls"] <= S.cfg["approve_after"]:
                    return self.error(400, "AuthorizationPendingException", "authorization_pending", None)
                if S.cfg["device_mode"] == "expire" or time.time() > d["expires"]:
                    return self.error(400, "ExpiredTokenException", "expired_token", "the device code expired")
                del S.devices[body["deviceCode"]]
                with_refresh = S.cfg["issue_refresh_token"] and bool(d["scopes"])
                return self.send(200, self.issue(body["clientId"], with_refresh))
            if grant == "refresh_token":
                rt = body.get("refreshToken")
                self.record("CreateToken.refresh_token", refreshToken=rt)
                if S.clients.get(body["clientId"]) is None and rt in S.cfg["valid_refresh_tokens"]:
                    pass  # a pre-seeded cache entry: its client is not one we registered
                elif not self.client_ok(body):
                    return self.error(401, "InvalidClientException", "invalid_client", "unknown or expired client")
                if rt not in S.refresh and rt not in S.cfg["valid_refresh_tokens"]:
                    S.count("invalid_grant")
                    return self.error(400, "InvalidGrantException", "invalid_grant", "refresh token is invalid")
                if S.cfg["rotate_refresh_token"]:
                    S.refresh.pop(rt, None)
                    if rt in S.cfg["valid_refresh_tokens"]:
                        S.cfg["valid_refresh_tokens"].remove(rt)
                    return self.send(200, self.issue(body["clientId"], True))
                return self.send(200, self.issue(body["clientId"], False))
            if grant == "authorization_code":
                c = S.codes.pop(body.get("code"), None)
                self.record("CreateToken.authorization_code", redirectUri=body.get("redirectUri"), code=body.get("code"))
                if not self.client_ok(body):
                    return self.error(401, "InvalidClientException", "invalid_client", "unknown or expired client")
                if not c or c["client"] != body["clientId"]:
                    return self.error(400, "InvalidGrantException", "invalid_grant", "unknown or used code")
                if body.get("redirectUri") != c["redirect_uri"]:
                    return self.error(400, "InvalidGrantException", "invalid_grant", "redirectUri differs")
                verifier = body.get("codeVerifier") or ""
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
                if digest != c["challenge"]:
                    S.count("pkce_mismatch")
                    return self.error(400, "InvalidGrantException", "invalid_grant", "code_verifier does not match")
                return self.send(200, self.issue(body["clientId"], S.cfg["issue_refresh_token"]))
            self.record("CreateToken.other")
            return self.error(400, "UnsupportedGrantTypeException", "unsupported_grant_type", "grantType")

    # -- portal --
    def bearer(self):
        t = self.headers.get("x-amz-sso_bearer_token")
        if not t or t in S.revoked:
            return None
        if t in S.cfg["valid_tokens"]:
            return t
        exp = S.tokens.get(t)
        return t if exp and exp > S.now() else None

    def role_credentials(self, body, q):
        with S.lock:
            t = self.bearer()
            self.record("GetRoleCredentials", account=q.get("account_id"), role=q.get("role_name"),
                        token=self.headers.get("x-amz-sso_bearer_token"))
            if S.cfg["fail_role_credentials"]:
                return self.send(int(S.cfg["fail_role_credentials"]), {"message": "injected failure"})
            if not t:
                return self.error(401, "UnauthorizedException", message="Session token not found or invalid")
            acct = S.cfg["accounts"].get(q.get("account_id"))
            reach = S.token_accounts.get(t)
            if not acct or q.get("role_name") not in acct["roles"] or (reach is not None and q.get("account_id") not in reach):
                return self.error(403, "ForbiddenException", message="No access")
            i = S.next_id()
            exp_ms = int((S.now() + S.cfg["role_ttl"]) * 1000)
        return self.send(200, {"roleCredentials": {"accessKeyId": "ASIAFAKE%08d" % i,
                                                   "secretAccessKey": "fake-secret-%d-%s" % (i, secrets.token_hex(8)),
                                                   "sessionToken": "fake-session-%d-%s" % (i, secrets.token_hex(8)),
                                                   "expiration": exp_ms}})

    def paged(self, items, q, key):
        start = int(q.get("next_token") or 0)
        size = int(q.get("max_result") or S.cfg["page_size"])
        page = items[start:start + size]
        out = {key: page}
        if start + size < len(items):
            out["nextToken"] = str(start + size)
        return out

    def accounts(self, body, q):
        with S.lock:
            self.record("ListAccounts", next_token=q.get("next_token"))
            if not self.bearer():
                return self.error(401, "UnauthorizedException", message="Session token not found or invalid")
            items = [{"accountId": k, "accountName": v["name"], "emailAddress": v["email"]}
                     for k, v in sorted(S.cfg["accounts"].items())]
            return self.send(200, self.paged(items, q, "accountList"))

    def roles(self, body, q):
        with S.lock:
            self.record("ListAccountRoles", account=q.get("account_id"), next_token=q.get("next_token"))
            if not self.bearer():
                return self.error(401, "UnauthorizedException", message="Session token not found or invalid")
            acct = S.cfg["accounts"].get(q.get("account_id"), {"roles": []})
            items = [{"roleName": r, "accountId": q.get("account_id")} for r in acct["roles"]]
            return self.send(200, self.paged(items, q, "roleList"))

    def logout(self, body, q):
        with S.lock:
            t = self.headers.get("x-amz-sso_bearer_token")
            self.record("Logout", token=t)
            if t:
                S.revoked.add(t)
        return self.send(200, {})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--replay")
    ap.add_argument("--replay-retries", type=int, default=0)
    ap.add_argument("--config", help="JSON merged into the settings at start")
    a = ap.parse_args()
    if a.replay:
        S.replay = load_replay(a.replay)
        S.replay_retries_max = a.replay_retries
    if a.config:
        S.cfg.update(json.loads(a.config))
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    print("sso_fake listening on", a.port, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
