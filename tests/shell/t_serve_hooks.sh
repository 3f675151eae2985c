#!/usr/bin/env bash
# `credsh exec -p NAME --server -- CMD` through each hook's credsh function (bash, zsh, fish, PowerShell): the
# option reaches the binary (PowerShell's function splits options from the command itself, and took the flag for
# the command before), CMD gets the endpoint's two variables and no keys, and the endpoint answers it. The
# endpoint itself is t_serve.sh's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash zsh fish curl
need_pwsh

mkdir -p "$T_ROOT/bin"
ln -s "$(readlink -f "$CREDSH_BIN")" "$T_ROOT/bin/credsh"
export PATH=$T_ROOT/bin:$PATH
printf '[static]\naws_access_key_id = AKIAS3NT1NELHOOKS01\naws_secret_access_key = S3NT1NELhooksSecret\n' \
    >"$HOME/.aws/credentials"
# What CMD reports: whether it has keys, and the key id the endpoint gives it with its token.
cat >"$T_ROOT/cmd.sh" <<'SH'
printf 'keys=%s ' "${AWS_ACCESS_KEY_ID-none}${AWS_SECRET_ACCESS_KEY-none}"
curl -s -H "Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN" "$AWS_CONTAINER_CREDENTIALS_FULL_URI" |
    python3 -c 'import json, sys; print("endpoint=" + json.load(sys.stdin)["AccessKeyId"])'
SH
want="keys=nonenone endpoint=AKIAS3NT1NELHOOKS01"
cd "$HOME" || exit 1

out=$(bash --norc --noprofile -c 'eval "$(credsh hook bash)"; credsh exec -p static --server -- bash "$1"' _ \
    "$T_ROOT/cmd.sh" 2>"$T_ROOT/err")
check "bash: credsh exec -p static --server -- CMD through the hook" "$want" "$out"
out=$(zsh -f -c 'eval "$(credsh hook zsh)"; credsh exec -p static --server -- bash "$1"' _ "$T_ROOT/cmd.sh" \
    2>>"$T_ROOT/err")
check "zsh: credsh exec -p static --server -- CMD through the hook" "$want" "$out"
out=$(fish --no-config -c 'credsh hook fish | source; credsh exec -p static --server -- bash $argv[1]' \
    "$T_ROOT/cmd.sh" 2>>"$T_ROOT/err")
check "fish: credsh exec -p static --server -- CMD through the hook" "$want" "$out"
cat >"$T_ROOT/t.ps1" <<PS
Invoke-Expression (& credsh hook pwsh | Out-String)
credsh exec -p static --server -- bash '$T_ROOT/cmd.sh'
credsh exec --server -p static -- bash '$T_ROOT/cmd.sh'
PS
out=$(timeout 120 "$PWSH" -NoLogo -NoProfile -NonInteractive -File "$T_ROOT/t.ps1" 2>>"$T_ROOT/err" </dev/null)
check "pwsh: credsh exec -p static --server -- CMD, and --server first, through the module's function" \
    "$want
$want" "$out"
check_no_match "no secret on stderr" "S3NT1NELhooksSecret" "$T_ROOT/err"
finish
