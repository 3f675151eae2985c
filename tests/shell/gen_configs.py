#!/usr/bin/env python3
"""Random AWS config/credentials cases for t_differential_awscli.sh, and the comparison of its results.

Why this exists: the AWS CLI v2 is the reference for "which credentials does profile P give". Hand-written
cases only cover what their author thought of; a seeded generator mixes static keys in either file (the
credentials file wins on duplicates), credential_process (with and without SessionToken/Expiration),
regions, AWS_PROFILE, environment keys and broken profiles in combinations nobody would write by hand.
The same seed gives the same cases, so a failure printed with its seed can be replayed exactly.

    gen_configs.py generate --seed S --n N --out DIR   one directory per case (DIR/NN/...)
    gen_configs.py aws REGION_FILE -- ARGS...          runs /usr/bin/aws ARGS, then writes the effective region
    gen_configs.py compare DIR                         one TSV line per check: description, expected, actual

Only constructs the AWS CLI and the cross-SDK profile spec agree on are generated (no inline comments, no
duplicate sections or keys, no odd section spacing: docs/protocols.md section 2).
"""
import argparse
import datetime as dt
import json
import os
import random
import shlex
import string
import sys

ALNUM_UP = string.ascii_uppercase + string.digits
B64 = string.ascii_letters + string.digits + "+/"
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1"]

# The kinds of profile the generator draws from; the comment says what the CLI should make of each.
KINDS = [
    "static_creds",          # keys (maybe a token) in ~/.aws/credentials
    "static_config",         # keys (maybe a token) in ~/.aws/config
    "static_both",           # different keys in both files: the credentials file wins
    "process",               # credential_process printing Version 1 JSON
    "process_in_creds",      # credential_process written in the credentials file
    "process_and_config_keys",  # credential_process beats config-file keys in the CLI's chain
    "process_and_creds_keys",   # credentials-file keys beat credential_process
    "process_fail",          # the process exits 1: error
    "process_bad",           # Version 2 / no SecretAccessKey: error
    "partial_creds",         # only aws_access_key_id in the credentials file: error
    "split_keys",            # aws_access_key_id in credentials, aws_secret_access_key in config: error in the CLI
    "token_split",           # keys in credentials, aws_session_token only in config
    "nokeys",                # only a region: no credentials, error
]


def rand_key(r):
    return "AKIA" + "".join(r.choice(ALNUM_UP) for _ in range(16))


def rand_temp_key(r):
    return "ASIA" + "".join(r.choice(ALNUM_UP) for _ in range(16))


def rand_secret(r):
    return "".join(r.choice(B64) for _ in range(40))


def rand_token(r):
    n = r.choice([16, 64, 300])
    return "".join(r.choice(B64) for _ in range(n)) + r.choice(["", "=", "=="])


def fmt_expiration(r, now):
    t = now + dt.timedelta(seconds=r.randint(3600, 30 * 3600))
    style = r.choice(["Z", "Z", "frac", "offset0", "offset2"])
    if style == "Z":
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == "frac":
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % r.randint(0, 999)
    if style == "offset0":
        return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    local = t + dt.timedelta(hours=2)
    return local.strftime("%Y-%m-%dT%H:%M:%S+02:00")


class Case:
    def __init__(self, idx, root):
        self.idx = idx
        self.dir = os.path.join(root, "%02d" % idx)
        self.config = {}       # section name -> list of (key, value)
        self.creds = {}
        self.summary = []
        self.scripts = {}      # file name -> text
        self.env = {}
        self.profile = None    # the -p argument, None for the no-profile cases
        self.kinds = {}        # profile name -> kind

    def add(self, where, section, key, value):
        d = self.config if where == "config" else self.creds
        d.setdefault(section, []).append((key, value))

    def script(self, name, body):
        path = os.path.join(self.dir, name)
        self.scripts[name] = "#!/bin/sh\n" + body
        return path


def process_json(r, now, with_token, with_exp, extra=None):
    doc = {"Version": 1, "AccessKeyId": rand_temp_key(r) if with_token else rand_key(r),
           "SecretAccessKey": rand_secret(r)}
    if with_token:
        doc["SessionToken"] = rand_token(r)
    if with_exp:
        doc["Expiration"] = fmt_expiration(r, now)
    if extra:
        extra(doc)
    return doc


def process_command(r, case, name, doc, fail=False):
    text = json.dumps(doc, indent=r.choice([None, 2]))
    body = "echo 'credential_process failed' >&2\nexit 1\n" if fail else "cat <<'EOF'\n" + text + "\nEOF\n"
    path = case.script("proc_%s.sh" % name, body)
    # Sometimes through sh with a quoted argument: both sides split the line like shlex.split.
    if r.random() < 0.3:
        return "/bin/sh %s 'an arg' \"two words\"" % path
    return path


def add_profile(r, case, name, kind, now):
    sect_cfg = "default" if name == "default" else "profile " + name
    desc = [name + ":" + kind]
    tok = r.random() < 0.4
    # botocore reads the legacy name aws_security_token too (after aws_session_token), in either file.
    tok_key = "aws_security_token" if r.random() < 0.25 else "aws_session_token"
    if kind in ("static_creds", "static_config", "static_both", "process_and_creds_keys", "token_split"):
        where = "config" if kind == "static_config" else "credentials"
        sect = sect_cfg if where == "config" else name
        case.add(where, sect, "aws_access_key_id", rand_key(r))
        case.add(where, sect, "aws_secret_access_key", rand_secret(r))
        if tok and kind != "token_split":
            case.add(where, sect, tok_key, rand_token(r))
            desc.append("token(%s)" % tok_key)
        if kind == "static_both":
            case.add("config", sect_cfg, "aws_access_key_id", rand_key(r))
            case.add("config", sect_cfg, "aws_secret_access_key", rand_secret(r))
            if r.random() < 0.5:
                case.add("config", sect_cfg, tok_key, rand_token(r))
                desc.append("config-token(%s)" % tok_key)
        if kind == "token_split":
            case.add("config", sect_cfg, tok_key, rand_token(r))
            desc.append("config-token(%s)" % tok_key)
    if kind.startswith("process"):
        with_exp = r.random() < 0.6
        with_tok = r.random() < 0.6
        doc = process_json(r, now, with_tok, with_exp)
        fail = kind == "process_fail"
        if kind == "process_bad":
            if r.random() < 0.5:
                doc["Version"] = 2
                desc.append("version2")
            else:
                del doc["SecretAccessKey"]
                desc.append("no-secret")
        desc += ["process-token" if with_tok else "process-no-token",
                 "expiration=" + doc.get("Expiration", "none")]
        cmd = process_command(r, case, name, doc, fail)
        if kind == "process_in_creds":
            case.add("credentials", name, "credential_process", cmd)
        else:
            case.add("config", sect_cfg, "credential_process", cmd)
        if kind == "process_and_config_keys":
            case.add("config", sect_cfg, "aws_access_key_id", rand_key(r))
            case.add("config", sect_cfg, "aws_secret_access_key", rand_secret(r))
    if kind in ("partial_creds", "split_keys"):
        case.add("credentials", name, "aws_access_key_id", rand_key(r))
        if kind == "split_keys":
            case.add("config", sect_cfg, "aws_secret_access_key", rand_secret(r))
    # Region: none, in config, in credentials, or in both (the credentials file wins).
    rw = r.choice(["none", "none", "config", "config", "credentials", "both"])
    if kind == "nokeys" and rw == "none":
        rw = "config"
    if rw in ("config", "both"):
        reg = r.choice(REGIONS)
        case.add("config", sect_cfg, "region", reg)
        desc.append("region(config)=" + reg)
    if rw in ("credentials", "both"):
        reg = r.choice(REGIONS)
        case.add("credentials", name, "region", reg)
        desc.append("region(credentials)=" + reg)
    # Make sure the section exists in at least one file (a profile that only has a region, etc.).
    if sect_cfg not in case.config and name not in case.creds:
        case.config.setdefault(sect_cfg, [])
    case.summary.append(" ".join(desc))


# Situations forced once each (after the kinds) so that no seed misses them: -p naming no profile, and the
# three no -p worlds (environment keys, AWS_PROFILE, nothing set but a default profile).
SITUATIONS = ["@missing", "@none-envkeys", "@none-profile", "@none-default"]


def generate_case(r, idx, root, now):
    case = Case(idx, root)
    n = r.randint(1, 4)
    names = r.sample(["default", "dev", "prod", "ci", "sandbox", "team-a"], n)
    # Every other case among the first ones is forced: each kind named with -p, then each situation, so
    # every seed exercises all of them; the rest is drawn at random.
    forced_list = KINDS + SITUATIONS
    forced = forced_list[idx // 2] if idx % 2 == 0 and idx // 2 < len(forced_list) else None
    if forced == "@none-default" and "default" not in names:
        names[0] = "default"
    if forced is None:
        mode = r.choices(["profile", "missing", "none"], weights=[6, 1, 3])[0]
    elif forced == "@missing":
        mode = "missing"
    elif forced.startswith("@none"):
        mode = "none"
    else:
        mode = "profile"
    chosen = r.choice(names)
    for name in names:
        kind = forced if forced in KINDS and name == chosen else r.choice(KINDS)
        add_profile(r, case, name, kind, now)
        case.kinds[name] = kind
    if mode == "profile":
        case.profile = chosen
    elif mode == "missing":
        case.profile = "absent"
    # The ambient environment: AWS_PROFILE (an existing or a missing profile), environment keys, and the
    # legacy AWS_SECURITY_TOKEN trap.
    want_profile = r.random() < 0.5
    want_keys = r.random() < 0.4
    if forced == "@none-envkeys":
        want_keys = True
    elif forced == "@none-profile":
        want_profile, want_keys = True, False
    elif forced == "@none-default":
        want_profile = want_keys = False
    if want_profile:
        case.env["AWS_PROFILE"] = r.choice(names + ["nowhere"]) if mode != "none" else r.choice(names)
    if want_keys:
        case.env["AWS_ACCESS_KEY_ID"] = rand_key(r)
        case.env["AWS_SECRET_ACCESS_KEY"] = rand_secret(r)
        if r.random() < 0.5:
            case.env["AWS_SESSION_TOKEN"] = rand_token(r)
    if case.env.get("AWS_ACCESS_KEY_ID") and r.random() < 0.2:
        case.env["AWS_SECURITY_TOKEN"] = rand_token(r)
    return case


def write_ini(path, sections):
    with open(path, "w") as f:
        for sect, items in sections.items():
            f.write("[%s]\n" % sect)
            for k, v in items:
                f.write("%s = %s\n" % (k, v))
            f.write("\n")


def cmd_generate(args):
    r = random.Random(args.seed)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    os.makedirs(args.out, exist_ok=True)
    for i in range(args.n):
        c = generate_case(r, i, args.out, now)
        aws = os.path.join(c.dir, "home", ".aws")
        os.makedirs(aws)
        if c.config:
            write_ini(os.path.join(aws, "config"), c.config)
        if c.creds:
            write_ini(os.path.join(aws, "credentials"), c.creds)
        for name, text in c.scripts.items():
            p = os.path.join(c.dir, name)
            with open(p, "w") as f:
                f.write(text)
            os.chmod(p, 0o755)
        with open(os.path.join(c.dir, "profile"), "w") as f:
            f.write(c.profile if c.profile is not None else "")
        with open(os.path.join(c.dir, "env"), "w") as f:
            for k, v in c.env.items():
                f.write("%s=%s\n" % (k, v))
        with open(os.path.join(c.dir, "kind"), "w") as f:
            f.write(c.kinds.get(c.profile, "missing profile") if c.profile is not None
                    else "no -p: " + (" ".join(sorted(c.env)) or "nothing set"))
        with open(os.path.join(c.dir, "summary"), "w") as f:
            f.write("case %02d (seed %s): credsh exec %s\n" % (
                i, args.seed, ("-p " + c.profile) if c.profile is not None else "(no -p)"))
            f.write("  env: %s\n" % (" ".join(
                "%s=%s" % (k, v if k in ("AWS_PROFILE",) else "<%d chars>" % len(v)) for k, v in c.env.items())
                or "(none)"))
            for s in c.summary:
                f.write("  profile " + s + "\n")
            for fname in ("config", "credentials"):
                p = os.path.join(aws, fname)
                if os.path.exists(p):
                    f.write("  --- ~/.aws/%s\n" % fname)
                    for line in open(p):
                        if line.strip():
                            f.write("  | " + line)


def effective_region(profile):
    # The same resolution the CLI v2 uses (AWS_REGION, AWS_DEFAULT_REGION, then the profile), from the
    # botocore it vendors.
    from awscli.botocore.session import Session
    try:
        s = Session(profile=profile) if profile else Session()
        return "REGION=%s" % (s.get_config_variable("region") or "")
    except Exception as e:  # a missing profile: no region to compare
        return "REGION_ERROR=%s" % type(e).__name__


def cmd_aws(args):
    # Runs /usr/bin/aws itself -- the very script, with its argv, in this interpreter (runpy) -- and then,
    # in the same process, writes the effective region to a file: one Python start instead of two, which
    # matters when every CLI start costs ~0.7 s of CPU.
    import runpy
    argv = args.argv[1:] if args.argv and args.argv[0] == "--" else args.argv
    sys.argv = ["/usr/bin/aws"] + argv
    code = 0
    try:
        runpy.run_path("/usr/bin/aws", run_name="__main__")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    sys.stdout.flush()
    profile = argv[argv.index("--profile") + 1] if "--profile" in argv else None
    with open(args.region_out, "w") as f:
        f.write(effective_region(profile) + "\n")
    sys.exit(code)


def parse_env_lines(path):
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, errors="surrogateescape") as f:
        for line in f.read().splitlines():
            if "=" in line:
                k, v = line.split("=", 1)  # the CLI prints values unquoted: split at the first '='
                out[k] = v
    return out


def norm_exp(v):
    """An expiration as epoch seconds (floored): '...Z', '.123Z', '+00:00' and '+02:00' name the same instant."""
    if v is None:
        return None
    s = v.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        t = dt.datetime.fromisoformat(s)
    except ValueError:
        return "unparseable:" + v
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return str(int(t.timestamp()))


CRED_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION")


def creds_view(d):
    parts = []
    for k in CRED_VARS:
        v = d.get(k)
        if k == "AWS_CREDENTIAL_EXPIRATION":
            v = norm_exp(v)
        parts.append("%s=%s" % (k, "<unset>" if v is None else v))
    return " ".join(parts)


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        return default


def cmd_compare(args):
    coverage = {}
    for name in sorted(os.listdir(args.dir)):
        kind = read(os.path.join(args.dir, name, "kind"))
        coverage[kind] = coverage.get(kind, 0) + 1
    print("# cases by what they exercise:", file=sys.stderr)
    for kind, count in sorted(coverage.items()):
        print("#   %2d  %s" % (count, kind), file=sys.stderr)
    for name in sorted(os.listdir(args.dir)):
        c = os.path.join(args.dir, name)
        if not os.path.isdir(c) or not os.path.exists(os.path.join(c, "summary")):
            continue
        profile = read(os.path.join(c, "profile"))
        label = "case %s %s" % (name, ("-p " + profile) if profile else "(no -p)")
        rc_direct = int(read(os.path.join(c, "direct.rc"), "-1"))
        rc_via = int(read(os.path.join(c, "via.rc"), "-1"))
        rc_keys = int(read(os.path.join(c, "keys.rc"), "-1"))
        ok_direct = rc_direct == 0
        lines = []

        def check(what, expected, actual):
            lines.append("%s: %s\t%s\t%s" % (label, what, expected, actual))

        # (d) success and failure agree: the CLI exits 253/255 on a credential error, credsh non-zero.
        if not ok_direct and rc_direct not in (253, 255):
            check("CLI exit status is 0, 253 or 255", "0|253|255", str(rc_direct))
        check("exec succeeds iff the CLI does (CLI rc %d, credsh exec rc %d)" % (rc_direct, rc_via),
              "success" if ok_direct else "failure", "success" if rc_via == 0 else "failure")
        if profile:
            check("exec --mode keys succeeds iff the CLI does (CLI rc %d, credsh rc %d)" % (rc_direct, rc_keys),
                  "success" if ok_direct else "failure", "success" if rc_keys == 0 else "failure")
        if ok_direct:
            direct = parse_env_lines(os.path.join(c, "direct.out"))
            # (a)/(c): what a child of credsh resolves equals what the CLI resolves itself.
            if rc_via == 0:
                via = parse_env_lines(os.path.join(c, "via.out"))
                check("child of credsh exec resolves the CLI's credentials", creds_view(direct), creds_view(via))
                check("child of credsh exec sees the CLI's region", read(os.path.join(c, "direct.region")),
                      read(os.path.join(c, "via.region")))
            # (b): the keys credsh exports in keys mode are the CLI's.
            if profile and rc_keys == 0:
                env = parse_env_lines(os.path.join(c, "keys.out"))
                check("credsh exec --mode keys exports the CLI's keys", creds_view(direct), creds_view(env))
                reg = read(os.path.join(c, "direct.region"))
                check("credsh exec --mode keys exports the CLI's region (AWS_REGION)", reg,
                      "REGION=" + env.get("AWS_REGION", ""))
                check("credsh exec --mode keys sets AWS_DEFAULT_REGION = AWS_REGION",
                      env.get("AWS_REGION", "<unset>"), env.get("AWS_DEFAULT_REGION", "<unset>"))
                check("credsh exec --mode keys clears AWS_SECURITY_TOKEN", "<unset>",
                      env.get("AWS_SECURITY_TOKEN", "<unset>"))
        for l in lines:
            print(l)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--seed", type=int, required=True)
    g.add_argument("--n", type=int, default=40)
    g.add_argument("--out", required=True)
    aw = sub.add_parser("aws")
    aw.add_argument("region_out")
    aw.add_argument("argv", nargs=argparse.REMAINDER)
    cp = sub.add_parser("compare")
    cp.add_argument("dir")
    a = ap.parse_args()
    {"generate": cmd_generate, "aws": cmd_aws, "compare": cmd_compare}[a.cmd](a)


if __name__ == "__main__":
    main()
