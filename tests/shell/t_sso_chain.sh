#!/usr/bin/env bash
# SSO as the source of a role chain: a profile with role_arn + source_profile naming an SSO profile. The SSO
# fake's role credentials sign an AssumeRole at moto (docs/protocols.md §2), through the mfa-sts plugin.
#   - exec gets the assumed role's keys (not the SSO ones), and moto recorded the AssumeRole;
#   - no token: the chain's profile says "needs login" with the SSO step's login, and no call is made;
#   - `credsh login chained` signs in for the SSO step, then assumes the role;
#   - `credsh logout chained` removes the token, the SSO role credentials and the assumed role's cache entry.
#   - `credsh logout dev` (the SSO profile) removes the assumed role's entry too, and records both profiles.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/sso_lib.sh"
need python3 sha1sum
if ! "$CREDSH_BIN" plugins --names 2>/dev/null | grep -qx mfa-sts; then
    [[ ${CI-} == true ]] && { echo "FAIL $T_NAME: the mfa-sts plugin is not built (CI=true)"; exit 1; }
    echo "SKIP $T_NAME: the mfa-sts plugin is not built -- this test did NOT run"
    exit 77
fi

B=$CREDSH_BIN
start_moto
export AWS_ENDPOINT_URL_STS=$MOTO_URL
sso_start '{"approve_after": 1, "interval": 1}'
sso_write_config
cat >>"$HOME/.aws/config" <<'EOF'

[profile chained]
role_arn = arn:aws:iam::111111111111:role/Deploy
source_profile = dev
role_session_name = chain-test
region = eu-west-1
EOF
TOK=$(token_file my-sso)
moto_roles() {
    python3 - "$MOTO_URL" <<'EOF'
import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1] + "/moto-api/data.json"))
print(" ".join(sorted(r.get("role_arn", r.get("arn", "")) for r in d.get("sts", {}).get("AssumedRole", []))))
EOF
}

out=$("$B" exec -p chained -- env 2>&1)
check "no token: exec fails" 1 "$?"
check_contains "no token: the hint names the SSO step's login" "chained needs login — run: credsh login dev" "$out"
check "no token: nothing reached STS" "" "$(moto_roles)"

out=$("$B" login chained --no-browser 2>&1)
check "login chained succeeds" 0 "$?"
check_contains "login chained: the device code was shown" "code     WXYZ-" "$out"
check_contains "login chained: signed in to the chain's profile" "signed in: chained" "$out"
check "moto recorded the AssumeRole of the chain" "arn:aws:iam::111111111111:role/Deploy" "$(moto_roles)"

out=$("$B" exec -p chained -- env 2>&1)
check "exec -p chained succeeds" 0 "$?"
key=$(grep '^AWS_ACCESS_KEY_ID=' <<<"$out" | cut -d= -f2)
check_true "the chain's key is moto's, not the SSO fake's ($key)" test -n "$key" -a "${key#ASIAFAKE}" = "$key"
ASSUME_CACHE=$(ls "$HOME"/.aws/cli/cache/*.json | while read -r f; do
    [[ $(token_field "$f" ProviderType) == sso ]] || echo "$f"; done)
check_true "the assumed role is cached in ~/.aws/cli/cache" test -n "$ASSUME_CACHE"
check_true "the SSO role credentials are cached too" test -f "$(role_cache_file 111111111111 Admin my-sso)"

out=$("$B" logout chained 2>&1)
check "logout chained succeeds" 0 "$?"
check_true "logout chained: token gone" test ! -e "$TOK"
check_true "logout chained: SSO role credentials gone" test ! -e "$(role_cache_file 111111111111 Admin my-sso)"
check_true "logout chained: the assumed role's entry gone" test ! -e "$ASSUME_CACHE"
out=$("$B" exec -p chained -- env 2>&1)
check_contains "after logout: needs login again" "chained needs login — run: credsh login dev" "$out"

# Logging out of the SSO profile itself (not the chain's): the role assumed from it loses its cached credentials
# too, and the logout record names both (docs/security.md 48), so shells in either profile drop what they hold.
out=$("$B" login chained --no-browser 2>&1)
check "login chained again succeeds" 0 "$?"
ASSUME_CACHE=$(ls "$HOME"/.aws/cli/cache/*.json | while read -r f; do
    [[ $(token_field "$f" ProviderType) == sso ]] || echo "$f"; done)
check_true "the assumed role is cached again" test -n "$ASSUME_CACHE"
out=$("$B" logout dev 2>&1)
check "logout dev succeeds" 0 "$?"
check_true "logout dev: the role assumed from dev lost its cached credentials" test ! -e "$ASSUME_CACHE"
check_contains "logout dev: says so" "of roles assumed from this sign-in removed" "$out"
check "logout dev: the record names dev and chained" "chained dev" \
    "$(cut -d' ' -f2- "$XDG_CACHE_HOME/credsh/logouts" | sort | grep -xE 'chained|dev' | tr '\n' ' ' | sed 's/ $//')"

finish
