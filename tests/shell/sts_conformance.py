#!/usr/bin/env python3
"""End-to-end run of smithy-rs's assume-role-tests.json through credsh against a real moto server.

For each case: a fresh HOME with the case's profiles in ~/.aws/config, moto reset, then
`credsh exec --mode keys -p SELECTED -- env`; afterwards moto's /moto-api/data.json says which roles were
assumed. Prints one TSV line per check: description, expected, actual (tests/shell/t_sts_conformance.sh feeds
them to lib.sh's check), and "SKIP\tcase\treason" for a case this run cannot serve.

Success cases: credsh exits 0, moto recorded exactly the AssumeRole / AssumeRoleWithWebIdentity calls of the
expected chain in order (role ARN, and session name / external id where the case sets them), and the exported
AWS_ACCESS_KEY_ID is the last assumed role's. Error cases: credsh exits non-zero and moto saw no call at all.

usage: sts_conformance.py SUITE_JSON CREDSH_BIN MOTO_URL WORKDIR HAVE_IMDS(0|1)
"""
import json
import os
import subprocess
import sys
import urllib.request

suite, credsh, moto, work, have_imds = sys.argv[1:6]


def moto_call(path, data=None):
    req = urllib.request.Request(moto + path, data=data, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read()


def assumed_roles():
    data = json.loads(moto_call("/moto-api/data.json"))
    return data.get("sts", {}).get("AssumedRole", [])


def out(desc, expected, actual):
    print(f"{desc}\t{expected}\t{actual}")


cases = json.load(open(suite))
print(f"# {len(cases)} cases", file=sys.stderr)
for i, case in enumerate(cases):
    name = f"case {i + 1:02d} ({case['docs']})"
    inp, want = case["input"], case["output"]
    chain = want.get("ProfileChain", [])
    kinds = [next(iter(step)) for step in chain]
    if any(k == "Sso" for k in kinds):
        print(f"SKIP\t{name}\tIAM Identity Center: moto has no SSO portal (the aws-sso plugin's tests replay these "
              "with their SSO fake); the chain itself is checked in test_chain.cpp")
        continue
    named = [step["NamedSource"] for step in chain if "NamedSource" in step]
    if "Ec2InstanceMetadata" in named and have_imds != "1":
        print(f"SKIP\t{name}\tcredential_source = Ec2InstanceMetadata needs the imds plugin, which this build "
              "does not have (credsh-imds.so); the chain itself is checked in test_chain.cpp")
        continue

    home = os.path.join(work, f"case{i + 1:02d}")
    os.makedirs(os.path.join(home, ".aws"), exist_ok=True)
    token = os.path.join(home, "token.jwt")
    with open(token, "w") as f:
        f.write("eyJhbGciOiJub25lIn0.eyJzdWIiOiJjcmVkc2gifQ.")  # moto does not verify the token
    lines = []
    for prof, props in inp["profiles"].items():
        lines.append(f"[profile {prof}]" if prof != "default" else "[default]")
        for k, v in props.items():
            # The suite's /var/token.jwt does not exist here: point at a real file (the path is not compared).
            lines.append(f"{k} = {token if k == 'web_identity_token_file' else v}")
        lines.append("")
    for sess, props in inp.get("sso_sessions", {}).items():
        lines.append(f"[sso-session {sess}]")
        lines += [f"{k} = {v}" for k, v in props.items()]
    with open(os.path.join(home, ".aws", "config"), "w") as f:
        f.write("\n".join(lines) + "\n")

    env = {"PATH": "/usr/bin:/bin", "HOME": home, "AWS_ENDPOINT_URL_STS": moto, "AWS_REGION": "us-east-1",
           "XDG_CACHE_HOME": os.path.join(home, ".cache"), "XDG_CONFIG_HOME": os.path.join(home, ".config")}
    if "Ec2InstanceMetadata" in named:
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = moto  # moto serves a permissive IMDS
    else:
        env["AWS_EC2_METADATA_DISABLED"] = "true"
    moto_call("/moto-api/reset", b"")
    r = subprocess.run([credsh, "exec", "--mode", "keys", "-p", inp["selected_profile"], "--", "env"],
                       env=env, capture_output=True, text=True, timeout=60)
    exported = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    roles = assumed_roles()
    if "Error" in want:
        out(f"{name}: credsh fails", "non-zero", "non-zero" if r.returncode != 0 else f"exit 0")
        out(f"{name}: no STS call was made", "0", str(len(roles)))
        out(f"{name}: nothing exported", "", exported.get("AWS_ACCESS_KEY_ID", ""))
        continue
    out(f"{name}: credsh succeeds", "0", f"{r.returncode}" + (f" ({r.stderr.strip()})" if r.returncode else ""))
    expected_calls = [(k, step[k]) for step, k in zip(chain, kinds) if k in ("AssumeRole", "WebIdentityToken")]
    out(f"{name}: STS calls", str(len(expected_calls)), str(len(roles)))
    for n, ((kind, exp), got) in enumerate(zip(expected_calls, roles)):
        out(f"{name}: call {n + 1} role", exp["role_arn"], got.get("role_arn"))
        if "role_session_name" in exp:
            out(f"{name}: call {n + 1} session name", exp["role_session_name"], got.get("session_name"))
        else:  # credsh's default, like botocore's botocore-session-<epoch>
            out(f"{name}: call {n + 1} default session name", "credsh-session-",
                (got.get("session_name") or "")[:15])
        out(f"{name}: call {n + 1} external id", str(exp.get("external_id")), str(got.get("external_id")))
    if roles:
        out(f"{name}: exports the last role's key", roles[-1]["access_key_id"], exported.get("AWS_ACCESS_KEY_ID", ""))
        out(f"{name}: exports its session token", roles[-1]["session_token"], exported.get("AWS_SESSION_TOKEN", ""))
