#!/usr/bin/env python3
"""credsh against the AWS CLI v2 on generated role-chain profile graphs, with moto as STS (t_sts_differential.sh).

Each case is a small ~/.aws config: a chain of 1-3 AssumeRole hops (random external_id, duration_seconds,
role_session_name) over a base credential - static keys, credential_source = Environment, a profile with
web_identity_token_file, or web identity from AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE - or one of the
broken graphs both tools must refuse (missing source profile, loop, role_arn alone, both source_profile and
credential_source, partial keys, Environment without keys, a missing token file, an unknown
credential_source). Every case runs four times, each in a fresh HOME on a freshly reset moto:

  cli     /usr/bin/aws configure export-credentials --profile P   (env web identity: AWS_PROFILE=P, since
          --profile makes botocore ignore the variables)
  credsh  credsh exec --mode keys -p P -- env
  then, for cases that succeed, the caches (~/.aws/cli/cache): the CLI first and credsh second in one HOME,
  and credsh first and the CLI second in another.

Checks (TSV lines "description, expected, actual" on stdout):
  - both succeed or both fail;
  - the same STS calls in the same order (moto's recorded AssumeRole/AssumeRoleWithWebIdentity: role ARN,
    external id, and the session name when configured; unconfigured names start botocore-session- and
    credsh-session- respectively);
  - each tool exports the last assumed role's key, and both expirations are the same distance from their run
    (so duration_seconds reached STS alike);
  - cache interop: the second tool makes no STS call at all and exports exactly the first tool's key.

usage: sts_differential.py --seed S --n N --cli AWS --credsh BIN --motos URL[,URL...] --work DIR --data-path DIR
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timezone

ACCOUNT = "111122223333"
SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def word(rng, alphabet, lo, hi):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def generate(rng, i):
    """One case: {profiles: {name: {k: v}}, credentials: {name: {k: v}}, env: {k: v}, profile, cli_env_profile,
    kind, token: bool}."""
    profiles, creds, env = {}, {}, {}
    case = {"profiles": profiles, "credentials": creds, "env": env, "token": False, "cli_env_profile": False}
    hops = rng.randint(1, 3)
    base_kind = rng.choice(["keys", "keys", "environment", "web_profile", "web_env"])
    broken = rng.random() < 0.3
    case["kind"] = f"{base_kind}+{hops}"

    def role(n):
        r = {"role_arn": f"arn:aws:iam::{ACCOUNT}:role/Case{i}Role{n}"}
        if rng.random() < 0.4:
            r["external_id"] = word(rng, SAFE + "+=,.@:/-", 2, 24)
        if rng.random() < 0.4:
            r["duration_seconds"] = str(rng.choice([900, 1200, 1800, 2700, 3600]))
        if rng.random() < 0.4:
            r["role_session_name"] = word(rng, SAFE + "+=,.@_-", 2, 32)
        return r

    # the chain: p0 (selected) -> p1 -> ... -> base
    names = [f"p{n}" for n in range(hops)]
    for n, name in enumerate(names):
        profiles[name] = role(n)
        if n + 1 < hops:
            profiles[name]["source_profile"] = names[n + 1]
    last = profiles[names[-1]]
    if base_kind == "keys":
        last["source_profile"] = "base"
        creds["base"] = {"aws_access_key_id": "AKIA" + word(rng, SAFE.upper()[:36], 16, 16),
                         "aws_secret_access_key": word(rng, SAFE, 40, 40)}
        profiles.setdefault("base", {"region": "us-east-1"})
    elif base_kind == "environment":
        last["credential_source"] = "Environment"
        env["AWS_ACCESS_KEY_ID"] = "AKIAENVIRONMENT0001"
        env["AWS_SECRET_ACCESS_KEY"] = word(rng, SAFE, 40, 40)
    elif base_kind == "web_profile":
        last["source_profile"] = "web"
        profiles["web"] = {"role_arn": f"arn:aws:iam::{ACCOUNT}:role/Case{i}Web",
                           "web_identity_token_file": "@TOKEN@"}
        if rng.random() < 0.5:
            profiles["web"]["role_session_name"] = word(rng, SAFE, 2, 20)
        case["token"] = True
    else:  # web identity from the environment serves a profile with no credentials of its own
        profiles.clear()
        profiles["p0"] = {"region": "us-east-1"}
        env["AWS_ROLE_ARN"] = f"arn:aws:iam::{ACCOUNT}:role/Case{i}EnvWeb"
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = "@TOKEN@"
        if rng.random() < 0.5:
            env["AWS_ROLE_SESSION_NAME"] = word(rng, SAFE, 2, 20)
        case["token"] = True
        case["cli_env_profile"] = True
        case["kind"] = "web_env"
    case["profile"] = "p0"

    if broken and base_kind != "web_env":
        how = rng.choice(["missing_source", "loop", "role_alone", "both", "partial", "env_no_keys",
                          "missing_token", "bad_source"])
        case["kind"] += "/broken:" + how
        if how == "missing_source":
            last.pop("credential_source", None)
            last["source_profile"] = "nowhere"
        elif how == "loop":
            last.pop("credential_source", None)
            last["source_profile"] = "p0" if hops > 1 else "loopback"
            profiles.setdefault("loopback", {"role_arn": f"arn:aws:iam::{ACCOUNT}:role/Loop",
                                             "source_profile": "p0"})
        elif how == "role_alone":
            last.pop("credential_source", None)
            last.pop("source_profile", None)
        elif how == "both":
            last["source_profile"] = "p0" if hops > 1 else "base"
            last["credential_source"] = "Environment"
            creds.setdefault("base", {"aws_access_key_id": "AKIABASE", "aws_secret_access_key": "x"})
        elif how == "partial":
            last.pop("credential_source", None)
            last["source_profile"] = "half"
            creds["half"] = {"aws_access_key_id": "AKIAHALF"}
        elif how == "env_no_keys":
            last.pop("source_profile", None)
            last["credential_source"] = "Environment"
            env.pop("AWS_ACCESS_KEY_ID", None)
            env.pop("AWS_SECRET_ACCESS_KEY", None)
        elif how == "missing_token":
            last.pop("credential_source", None)
            last["source_profile"] = "web"
            profiles["web"] = {"role_arn": f"arn:aws:iam::{ACCOUNT}:role/Case{i}Web",
                               "web_identity_token_file": "@HOME@/no-such-token"}
        elif how == "bad_source":
            last.pop("source_profile", None)
            last["credential_source"] = "Bogus"
    return case


def write_home(case, home):
    os.makedirs(os.path.join(home, ".aws"), exist_ok=True)
    token = os.path.join(home, "token.jwt")
    with open(token, "w") as f:
        f.write("eyJhbGciOiJub25lIn0.eyJzdWIiOiJkaWZmIn0.")

    def subst(v):
        return v.replace("@TOKEN@", token).replace("@HOME@", home)

    with open(os.path.join(home, ".aws", "config"), "w") as f:
        for name, props in case["profiles"].items():
            f.write(f"[profile {name}]\n")
            for k, v in props.items():
                f.write(f"{k} = {subst(v)}\n")
    with open(os.path.join(home, ".aws", "credentials"), "w") as f:
        for name, props in case["credentials"].items():
            f.write(f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in props.items()))
    return {k: subst(v) for k, v in case["env"].items()}


class Runner:
    def __init__(self, a, moto):
        self.a, self.moto = a, moto

    def moto_roles(self):
        with urllib.request.urlopen(self.moto + "/moto-api/data.json", timeout=10) as r:
            data = json.load(r)
        return data.get("sts", {}).get("AssumedRole", [])

    def reset(self):
        urllib.request.urlopen(urllib.request.Request(self.moto + "/moto-api/reset", data=b"", method="POST"),
                               timeout=10).read()

    def run(self, tool, case, home, extra_env):
        env = {"PATH": "/usr/bin:/bin", "HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1",
               "AWS_DATA_PATH": self.a.data_path.replace("@PORT@", self.moto.rsplit(":", 1)[1]),
               "AWS_ENDPOINT_URL_STS": self.moto, "XDG_CACHE_HOME": home + "/.cache",
               "XDG_CONFIG_HOME": home + "/.config"}
        env.update(extra_env)
        if tool == "cli":
            args = [self.a.cli, "configure", "export-credentials", "--format", "env-no-export"]
            if case["cli_env_profile"]:
                env["AWS_PROFILE"] = case["profile"]
            else:
                args += ["--profile", case["profile"]]
        else:
            args = [self.a.credsh, "exec", "--mode", "keys", "-p", case["profile"], "--", "env"]
        t0 = time.time()
        r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        vals = dict(l.split("=", 1) for l in r.stdout.splitlines() if "=" in l)
        return {"rc": r.returncode, "err": r.stderr.strip(), "vals": vals, "t": t0}


def calls_of(roles):
    return [(r["role_arn"], r.get("external_id"), r.get("session_name")) for r in roles]


def session_shape(name, configured):
    if configured:
        return name
    for prefix in ("botocore-session-", "credsh-session-"):
        if (name or "").startswith(prefix):
            return "<default>"
    return name


def expiry_offset(res):
    exp = res["vals"].get("AWS_CREDENTIAL_EXPIRATION")
    if not exp:
        return None
    t = datetime.fromisoformat(exp.replace("Z", "+00:00").replace("UTC", "+00:00"))
    return t.timestamp() - res["t"]


def run_case(a, runner, i, case, lines):
    cid = f"case {i:02d} [{case['kind']}]"
    configured = set()
    for props in case["profiles"].values():
        if "role_session_name" in props:
            configured.add(props["role_session_name"])
    if "AWS_ROLE_SESSION_NAME" in case["env"]:
        configured.add(case["env"]["AWS_ROLE_SESSION_NAME"])
    out = {}
    for tool in ("cli", "credsh"):
        home = os.path.join(a.work, f"c{i:02d}-{tool}")
        env = write_home(case, home)
        runner.reset()
        res = runner.run(tool, case, home, env)
        roles = runner.moto_roles()
        res["calls"] = [(arn, ext, session_shape(s, s in configured)) for arn, ext, s in calls_of(roles)]
        res["last_key"] = roles[-1]["access_key_id"] if roles else ""
        out[tool] = res
    cli, cr = out["cli"], out["credsh"]
    lines.append((f"{cid}: success agrees (cli rc {cli['rc']}: {cli['err'][-160:]!r}; credsh rc {cr['rc']}: "
                  f"{cr['err'][-160:]!r})", str(cli["rc"] == 0), str(cr["rc"] == 0)))
    lines.append((f"{cid}: same STS calls in the same order", json.dumps(cli["calls"]), json.dumps(cr["calls"])))
    if cli["rc"] != 0 or cr["rc"] != 0:
        return
    for tool in ("cli", "credsh"):
        lines.append((f"{cid}: {tool} exports the last role's key", out[tool]["last_key"],
                      out[tool]["vals"].get("AWS_ACCESS_KEY_ID", "")))
    oc, ok = expiry_offset(cli), expiry_offset(cr)
    same = oc is not None and ok is not None and abs(oc - ok) < 120
    lines.append((f"{cid}: expirations the same distance from the run (cli {oc}, credsh {ok})", "True", str(same)))

    # Cache interop, both ways, each in one HOME. An entry with 15 minutes or less left is stale for both
    # tools (botocore's and credsh's refresh window): with duration_seconds = 900 on the selected profile the
    # second tool must assume that last role again - once - and reuse everything before it.
    last = case["profiles"].get(case["profile"], {}).get("duration_seconds")
    stale = last is not None and int(last) <= 900 + 60
    for first, second in (("cli", "credsh"), ("credsh", "cli")):
        home = os.path.join(a.work, f"c{i:02d}-{first}-then-{second}")
        env = write_home(case, home)
        runner.reset()
        r1 = runner.run(first, case, home, env)
        n1 = len(runner.moto_roles())
        r2 = runner.run(second, case, home, env)
        n2 = len(runner.moto_roles())
        lines.append((f"{cid}: {second} after {first}: succeeds ({r2['err'][-160:]!r})", "0", str(r2["rc"])))
        if stale:
            lines.append((f"{cid}: {second} after {first}: the 900 s role assumed again, only it", str(n1 + 1), str(n2)))
            lines.append((f"{cid}: {second} after {first}: a new key", "True",
                          str(r2["vals"].get("AWS_ACCESS_KEY_ID") not in (None, r1["vals"].get("AWS_ACCESS_KEY_ID")))))
            continue
        lines.append((f"{cid}: {second} after {first}: no STS call", str(n1), str(n2)))
        lines.append((f"{cid}: {second} after {first}: the same key", r1["vals"].get("AWS_ACCESS_KEY_ID", "?"),
                      r2["vals"].get("AWS_ACCESS_KEY_ID", "")))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--cli", required=True)
    p.add_argument("--credsh", required=True)
    p.add_argument("--motos", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--data-path", required=True)
    a = p.parse_args()
    rng = random.Random(a.seed)
    cases = [generate(rng, i) for i in range(a.n)]
    with open(os.path.join(a.work, "cases.json"), "w") as f:  # for the failure report
        json.dump(cases, f, indent=1)
    motos = a.motos.split(",")
    results = {}

    def worker(k):
        runner = Runner(a, motos[k])
        for i in range(k, len(cases), len(motos)):
            lines = []
            try:
                run_case(a, runner, i, cases[i], lines)
            except Exception as e:  # a harness failure is a failed check, not a silent pass
                lines.append((f"case {i:02d}: harness", "no exception", repr(e)))
            results[i] = lines

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(len(motos))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kinds = {}
    for i in range(len(cases)):
        for d, e, act in results.get(i, [(f"case {i:02d}: ran", "yes", "no")]):
            print(f"{d}\t{e}\t{act}".replace("\n", " "))
        kinds[cases[i]["kind"].split("+")[0].split("/")[0]] = kinds.get(cases[i]["kind"].split("+")[0].split("/")[0], 0) + 1
    print("# kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + "; broken: " +
          str(sum("broken" in c["kind"] for c in cases)), file=sys.stderr)


if __name__ == "__main__":
    main()
