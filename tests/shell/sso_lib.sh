# Shared by the aws-sso scenario tests (t_sso*.sh), sourced after lib.sh: the local IAM Identity Center fake
# (tests/fakes/sso_fake.py: SSO portal + SSO-OIDC on one 127.0.0.1 port), a config with SSO profiles, the
# token cache paths, and the AWS CLI v2 redirected to the fake (docs/protocols.md §2: AWS_DATA_PATH rule sets).

# sso_start [JSON]: the fake on a free port, with settings merged from JSON; SSO_URL, and credsh pointed at it.
sso_start() {
    need python3
    if [[ -n ${1-} ]]; then start_fake sso_fake.py SSO_PORT --config "$1"; else start_fake sso_fake.py SSO_PORT; fi
    SSO_URL=http://127.0.0.1:$SSO_PORT
    export AWS_ENDPOINT_URL_SSO=$SSO_URL AWS_ENDPOINT_URL_SSO_OIDC=$SSO_URL
}

# sso_set JSON: change the fake's settings (approve_after, device_mode, token_ttl, ...).
sso_set() {
    python3 - "$SSO_URL" "$1" <<'EOF' || echo "sso_set failed: $1" >&2
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_fake/config", data=sys.argv[2].encode(), method="POST"))
EOF
}

# sso_q EXPR: evaluate a Python expression over the fake's state (s = {"counts", "log", ...}); prints the result.
# sso_count OP: how many OP calls the fake answered (RegisterClient, CreateToken.device_code, ...).
sso_q() {
    python3 - "$SSO_URL" "$1" <<'EOF'
import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/_fake/state"))
c = s["counts"]
print(eval(sys.argv[2]))
EOF
}
sso_count() { sso_q "c.get('$1', 0)"; }

sha1_of() { printf '%s' "$1" | sha1sum | cut -d' ' -f1; }
SSO_SESSION_URL=https://example.awsapps.com/start
# token_file KEY: the CLI's token cache file for an sso-session name or a legacy start URL.
token_file() { echo "$HOME/.aws/sso/cache/$(sha1_of "$1").json"; }
# role_cache_file ACCOUNT ROLE SESSION-or-"" [START_URL]: the CLI's ~/.aws/cli/cache name for SSO role credentials.
role_cache_file() {
    local args
    if [[ -n $3 ]]; then args="{\"accountId\":\"$1\",\"roleName\":\"$2\",\"sessionName\":\"$3\"}"
    else args="{\"accountId\":\"$1\",\"roleName\":\"$2\",\"startUrl\":\"$4\"}"; fi
    echo "$HOME/.aws/cli/cache/$(sha1_of "$args").json"
}

# sso_write_config: an sso-session and profiles that use it, a legacy profile, and a chain with SSO as the source.
sso_write_config() {
    cat >"$HOME/.aws/config" <<EOF
# my SSO setup
[sso-session my-sso]
sso_start_url = $SSO_SESSION_URL
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = my-sso
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-west-1

[profile ro]
sso_session = my-sso
sso_account_id = 222222222222
sso_role_name = ReadOnly
region = us-east-1

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = eu-west-1

[profile tokenonly]
sso_session = my-sso
EOF
}

# token_field FILE FIELD: one field of a JSON file ("" when absent).
token_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null; }

# token_edit FILE PYTHON: rewrite a token file in place (t is the dict; now is time.time()).
token_edit() {
    python3 - "$1" "$2" <<'EOF'
import json, sys, time, datetime
p, code = sys.argv[1], sys.argv[2]
t = json.load(open(p)); now = time.time()
def iso(x): return datetime.datetime.fromtimestamp(x, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
exec(code)
json.dump(t, open(p, "w"))
EOF
}

# cli_data_dir DIR: endpoint rule sets that send the CLI's sso and sso-oidc calls to the fake.
cli_data_dir() {
    /usr/bin/python3 - "$1" "$SSO_URL" <<'EOF'
import json, os, sys
import awscli.botocore as b
out, url = sys.argv[1], sys.argv[2]
for svc in ("sso", "sso-oidc"):
    src = os.path.join(os.path.dirname(b.__file__), "data", svc, "2019-06-10", "endpoint-rule-set-1.json")
    orig = json.load(open(src))
    d = os.path.join(out, svc, "2019-06-10")
    os.makedirs(d, exist_ok=True)
    rules = [{"conditions": [], "endpoint": {"url": url, "properties": {}, "headers": {}}, "type": "endpoint"}]
    json.dump({"version": orig["version"], "parameters": orig["parameters"], "rules": rules},
              open(os.path.join(d, "endpoint-rule-set-1.json"), "w"))
EOF
}

# aws_cli ARGS...: /usr/bin/aws with nothing from the caller but HOME and the redirect.
aws_cli() {
    env -i PATH=/usr/bin:/bin HOME="$HOME" AWS_EC2_METADATA_DISABLED=true AWS_DATA_PATH="$T_ROOT/awsdata" \
        /usr/bin/aws "$@"
}
