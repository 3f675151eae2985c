# Plugins see the ambient environment (issue 13 item 6; plugin_abi.hpp: credsh_request.env), never what credsh
# exported for the scope the shell is leaving. A real bash with the hook and a real moto Secrets Manager, whose
# secrets live in one region: scope A's .credprofile exports AWS_REGION=eu-west-3; scope B's profile reads a
# secret through the secretsmanager plugin and names no region, so the plugin must use the ambient one (none:
# its default, us-east-1, where the secret is), not scope A's eu-west-3 (where there is no such secret). The
# same for `credsh exec -p` run from inside scope A (the hook hands its state over), and an ambient region the
# user set by hand before credsh acted is the one plugins get.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash python3
python3 -c 'import boto3' 2>/dev/null || need boto3-for-python3
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy NO_PROXY no_proxy AWS_ENDPOINT_URL

PLUGINS=$(dirname "$(dirname "$(readlink -f "$CREDSH_BIN")")")/plugins
[[ -f $PLUGINS/credsh-secretsmanager.so ]] || { echo "FAIL $T_NAME: credsh-secretsmanager.so was not built"; exit 1; }
export CREDSH_PLUGIN_PATH=$PLUGINS

start_moto
export AWS_ENDPOINT_URL_SECRETS_MANAGER=$MOTO_URL
# create REGION NAME VALUE: a secret in one region of moto (an administrator's boto3 call).
create() {
    python3 - "$MOTO_URL" "$@" <<'EOF'
import sys, boto3
url, region, name, value = sys.argv[1:]
boto3.session.Session(aws_access_key_id="AKIAADMIN", aws_secret_access_key="admin-secret",
                      region_name=region).client("secretsmanager", endpoint_url=url).create_secret(
    Name=name, SecretString=value)
EOF
}
create us-east-1 team/aws '{"AccessKeyId":"AKIAFROMUSEAST1","SecretAccessKey":"S3NT1NEL-us-east-1"}'
create eu-central-1 team/aws '{"AccessKeyId":"AKIAFROMEUCENTRAL1","SecretAccessKey":"S3NT1NEL-eu-central-1"}'

cat >"$HOME/.aws/config" <<'EOF'
[profile ops]
EOF
cat >"$HOME/.aws/credentials" <<'EOF'
[ops]
aws_access_key_id = AKIAOPSREADER
aws_secret_access_key = S3NT1NEL-ops-secret
EOF
mkdir -p "$XDG_CONFIG_HOME/credsh"
cat >"$XDG_CONFIG_HOME/credsh/config" <<'EOF'
[trust]
prefix = ~/src

[profile keys]
plugin = secretsmanager
secret_id = team/aws
source_profile = ops
format = aws
EOF
S=$HOME/src
mkdir -p "$S/a" "$S/b"
printf 'profile = ops\nregion = eu-west-3\n' >"$S/a/.credprofile"
printf 'profile = keys\n' >"$S/b/.credprofile"

cat >"$T_ROOT/shell.sh" <<EOF
eval "\$('$CREDSH_BIN' hook bash)"
show() { local l=\$1 v; shift; for v; do if [[ -v \$v ]]; then printf '@%s %s=%s\n' "\$l" "\$v" "\${!v}"; else printf '@%s %s=unset\n' "\$l" "\$v"; fi; done; }
_credsh_hook
cd '$S/a'; _credsh_hook; show a AWS_REGION AWS_PROFILE
credsh exec -p keys -- sh -c 'printf "@exec key=%s region=%s\n" "\$AWS_ACCESS_KEY_ID" "\${AWS_REGION-unset}"'
cd '$S/b'; _credsh_hook; show b AWS_REGION AWS_ACCESS_KEY_ID CREDSH_PROFILE
cd '$HOME'; _credsh_hook
export AWS_REGION=eu-central-1
cd '$S/a'; _credsh_hook; show a2 AWS_REGION
cd '$S/b'; _credsh_hook; show b2 AWS_REGION AWS_ACCESS_KEY_ID
EOF
out=$(cd "$HOME" && bash "$T_ROOT/shell.sh" 2>"$T_ROOT/shell.err")
val() { grep -m1 "^@$1 $2=" <<<"$out" | cut -d= -f2-; }

check "scope A exports its region" eu-west-3 "$(val a AWS_REGION)"
check "scope A: profile ops (static keys in the files: profile mode)" ops "$(val a AWS_PROFILE)"
check "exec -p keys inside scope A: the secret from the ambient region (us-east-1), not A's eu-west-3" \
    "key=AKIAFROMUSEAST1 region=unset" "$(grep -m1 '^@exec ' <<<"$out" | cut -d' ' -f2-)"
check "scope B: no region of its own, A's is gone" unset "$(val b AWS_REGION)"
check "scope B: the plugin read the secret in the ambient region (us-east-1), not A's eu-west-3" \
    AKIAFROMUSEAST1 "$(val b AWS_ACCESS_KEY_ID)"
check "scope B applied" keys "$(val b CREDSH_PROFILE)"
check "a region set by hand before credsh acted: scope A still exports its own" eu-west-3 "$(val a2 AWS_REGION)"
check "scope B after that: the user's region again" eu-central-1 "$(val b2 AWS_REGION)"
check "scope B: the plugin used the user's ambient region (eu-central-1), not A's" \
    AKIAFROMEUCENTRAL1 "$(val b2 AWS_ACCESS_KEY_ID)"
check "nothing on stderr (no plugin failed)" "" "$(cat "$T_ROOT/shell.err")"
finish
