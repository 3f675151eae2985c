# Every PowerShell script credsh prints or ships, parsed by a real PowerShell grammar (tree-sitter-powershell,
# tests/pwsh/parse.mjs) with no ERROR or MISSING node -- a fast lint beside the suites that run pwsh itself
# (t_pwsh_scenarios.sh, t_pwsh_interactive.sh, t_pwsh_module.sh): the
# hook with its module (`credsh hook pwsh`, also from a binary whose path is full of quotes), the completion
# script, and `credsh export pwsh` / `credsh use` output for credentials made of every character class
# PowerShell treats specially, decoded string by string and compared byte for byte. Also the two CLI
# contracts the module relies on: `credsh profiles --json` (Get-CredshProfile) and `credsh exec ... -- env -0`
# (Invoke-CredshCommand).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/completion_world.sh"
need node python3 od

PARSER_DIR=$CREDSH_SRC/tests/pwsh
if [[ ! -e $PARSER_DIR/node_modules/tree-sitter-powershell/package.json ]]; then
    if [[ ${CI-} == true ]]; then
        echo "FAIL $T_NAME: $PARSER_DIR/node_modules is missing: CI must run npm ci there first (make test does)"
        exit 1
    fi
    need npm
    (cd "$PARSER_DIR" && npm ci --no-audit --no-fund --loglevel=error) || echo "note: npm ci failed"
fi
parse() { node "$PARSER_DIR/parse.mjs" "$@"; }
hex() { od -An -v -tx1 | tr -d ' \n'; }

# --- the checker can fail ----------------------------------------------------------------------------------
"$CREDSH_BIN" hook pwsh >"$T_ROOT/hook.ps1" || echo "FAIL: credsh hook pwsh"
sed '0,/^}$/s/^}$//' "$T_ROOT/hook.ps1" >"$T_ROOT/broken.ps1"
parse "$T_ROOT/broken.ps1" >/dev/null 2>"$T_ROOT/broken.err"
check "the grammar rejects the hook with one closing brace removed" 1 $?
check_contains "and says where" "broken.ps1:" "$(<"$T_ROOT/broken.err")"

# --- the hook and its module -------------------------------------------------------------------------------
parse "$T_ROOT/hook.ps1" 2>"$T_ROOT/hook.err"
check "credsh hook pwsh parses with no ERROR or MISSING node" "0 " "$? $(<"$T_ROOT/hook.err")"
hook=$(<"$T_ROOT/hook.ps1")
for want in 'function global:__credsh_hook' 'function global:credsh' 'New-Module -Name credsh' \
    'function Set-CredshProfile' 'function Clear-CredshProfile' 'function Get-CredshProfile' \
    'function Invoke-CredshCommand' 'Set-Alias -Name Use-CredshProfile' 'Export-ModuleMember' \
    'LocationChangedAction' 'Register-ArgumentCompleter -CommandName $commands -ParameterName ProfileName' \
    'Register-ArgumentCompleter -Native -CommandName credsh'; do
    check_contains "the hook has: $want" "$want" "$hook"
done
check_contains "the hook brings the completion script along" "$(<"$CREDSH_SRC/completions/credsh.ps1")" "$hook"

# A binary whose path holds every quote PowerShell knows: the path is one string literal decoding to itself.
odd=$T_ROOT/"it's ‘q’ ‚r‛ \$x \`y\` é"
mkdir -p "$odd" && cp "$CREDSH_BIN" "$odd/credsh"
"$odd/credsh" hook pwsh >"$T_ROOT/hook-odd.ps1" || echo "FAIL: hook from $odd"
parse "$T_ROOT/hook-odd.ps1" 2>"$T_ROOT/hook-odd.err"
check "the hook of a binary in an oddly named directory parses" "0 " "$? $(<"$T_ROOT/hook-odd.err")"
grep '^\$global:__credsh_bin = ' "$T_ROOT/hook-odd.ps1" >"$T_ROOT/bin-line.ps1"
check "its path decodes to exactly the binary's path" "set-global __credsh_bin $(printf '%s' "$odd/credsh" | hex)" \
    "$(parse --values "$T_ROOT/bin-line.ps1")"

# --- the completion script ---------------------------------------------------------------------------------
"$CREDSH_BIN" completion pwsh >"$T_ROOT/completion.ps1" || echo "FAIL: credsh completion pwsh"
check "the embedded completion is completions/credsh.ps1" "$(sha256sum <"$CREDSH_SRC/completions/credsh.ps1")" \
    "$(sha256sum <"$T_ROOT/completion.ps1")"
parse "$T_ROOT/completion.ps1" 2>"$T_ROOT/completion.err"
check "credsh completion pwsh parses" "0 " "$? $(<"$T_ROOT/completion.err")"
completion=$(<"$T_ROOT/completion.ps1")
for cmd in $(help_commands); do
    check_contains "pwsh completion knows the subcommand $cmd" "'$cmd'" "$completion"
    for o in $(help_options "$cmd"); do
        check_contains "pwsh completion knows $cmd $o" "'$o'" "$completion"
    done
done

# --- export and use output for tricky values ----------------------------------------------------------------
# One credential_process profile whose keys hold each class: ' and U+2018-U+201B, $, backticks, CR/LF,
# non-ASCII, an injection attempt.
PS=$T_ROOT/ps
mkdir -p "$PS" "$HOME/src/tricky"
cat >>"$HOME/.aws/config" <<EOF
[profile tricky]
credential_process = /bin/sh $CREDSH_SRC/tests/shell/fixtures/cred_process.sh $PS tricky
EOF
KEY="AKIA'‘’‚‛"
SECRET=$'s\'e\ncr\r\net $(New-Item PWNED) `whoami` \u00e9\u20ac\U0001F511 "q" ${env:PATH}'
TOKEN="x’; New-Item PWNED; ’ \`\$"
python3 -c 'import json, sys; print(json.dumps({"Version": 1, "AccessKeyId": sys.argv[1], "SecretAccessKey": sys.argv[2],
    "SessionToken": sys.argv[3], "Expiration": "2999-01-01T00:00:00Z"}))' "$KEY" "$SECRET" "$TOKEN" >"$PS/tricky.json"
printf 'profile = tricky\n' >"$HOME/src/tricky/.credprofile"
(cd "$HOME/src/tricky" && "$CREDSH_BIN" allow 2>/dev/null) || echo "FAIL: allow"
(cd "$HOME/src/tricky" && "$CREDSH_BIN" export pwsh --pid $$ </dev/null) >"$T_ROOT/export.ps1" 2>"$T_ROOT/export.err"
check "export pwsh succeeds" "0" "$?"
check_contains "export output is complete" "# credsh-end" "$(tail -n 1 "$T_ROOT/export.ps1")"
parse --export "$T_ROOT/export.ps1" >"$T_ROOT/export.decoded" 2>"$T_ROOT/export.perr"
check "export pwsh output parses, every statement one credsh emits" "0 " "$? $(<"$T_ROOT/export.perr")"
decoded=$(<"$T_ROOT/export.decoded")
check_contains "AWS_ACCESS_KEY_ID decodes exactly" "set-env AWS_ACCESS_KEY_ID $(printf '%s' "$KEY" | hex)" "$decoded"
check_contains "AWS_SECRET_ACCESS_KEY decodes exactly" "set-env AWS_SECRET_ACCESS_KEY $(printf '%s' "$SECRET" | hex)" "$decoded"
check_contains "AWS_SESSION_TOKEN decodes exactly" "set-env AWS_SESSION_TOKEN $(printf '%s' "$TOKEN" | hex)" "$decoded"
check_contains "the watch list is set too" "watch " "$decoded"
check_absent "nothing was created by the values" "PWNED" "$(ls -A "$HOME/src/tricky" "$T_ROOT")"
# Leaving the tree (the shell now holding those values) removes them with Remove-Item -LiteralPath Env:NAME.
state=$(sed -n 's/^set-global __credsh_state //p' "$T_ROOT/export.decoded" |
    python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))')
(cd "$HOME" && AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET AWS_SESSION_TOKEN=$TOKEN \
    "$CREDSH_BIN" export pwsh --pid $$ --stdin-state <<<"$state") >"$T_ROOT/leave.ps1" 2>/dev/null
parse --export "$T_ROOT/leave.ps1" >"$T_ROOT/leave.decoded" 2>"$T_ROOT/leave.perr"
check "export pwsh after leaving parses" "0 " "$? $(<"$T_ROOT/leave.perr")"
check_contains "leaving removes the secret" "unset AWS_SECRET_ACCESS_KEY" "$(<"$T_ROOT/leave.decoded")"
check_contains "with Remove-Item -LiteralPath" "Remove-Item -LiteralPath 'Env:AWS_SECRET_ACCESS_KEY'" "$(<"$T_ROOT/leave.ps1")"

"$CREDSH_BIN" use dev --shell pwsh --session '' >"$T_ROOT/use.ps1"
check "use --shell pwsh decodes to the session variable" "set-global __credsh_session $(printf dev | hex)" \
    "$(parse --values "$T_ROOT/use.ps1")"
"$CREDSH_BIN" use --clear --shell pwsh >"$T_ROOT/clear.ps1"
check "use --clear --shell pwsh empties it" "set-global __credsh_session " "$(parse --values "$T_ROOT/clear.ps1")"

# --- what the module reads from the CLI ------------------------------------------------------------------
# Get-CredshProfile: name, sources, files.<source> (ProfileLocation), region; -ProfileLocation sets
# AWS_SHARED_CREDENTIALS_FILE for the child.
printf '[elsewhere]\naws_access_key_id = AKIAELSE\naws_secret_access_key = S3NT1NEL-else\n' >"$T_ROOT/other-credentials"
cat >"$T_ROOT/json_check.py" <<'EOF'
import json, sys
home, other, mode = sys.argv[1:4]
doc = json.load(sys.stdin)
by = {p["name"]: p for p in doc}
def need(cond, what):
    if not cond:
        print("bad: " + what)
if mode == "default":
    need(by["dev"]["files"] == {"config": home + "/.aws/config", "credentials": home + "/.aws/credentials"}, "dev files")
    need(by["dev"].get("region") == "eu-west-1", "dev region")
    need(by["my skill"]["files"] == {"ask": home + "/.ask/cli_config"}, "ask files")
    need(by["team=ops,eu@x"]["files"] == {"credsh": home + "/.config/credsh/config"}, "credsh files")
    need(all(set(p["files"]) == set(p["sources"]) for p in doc), "a file for every source")
else:
    need(by["elsewhere"]["sources"] == ["credentials"] and by["elsewhere"]["files"] == {"credentials": other}, "other file")
    need("credentials" not in by["dev"]["sources"], "dev no longer from a credentials file")
print("ok")
EOF
json_check() { python3 "$T_ROOT/json_check.py" "$@"; }
check "profiles --json: what Get-CredshProfile reads" "ok" \
    "$("$CREDSH_BIN" profiles --json | json_check "$HOME" "$T_ROOT/other-credentials" default)"
check "profiles --json with another credentials file (-ProfileLocation)" "ok" \
    "$(AWS_SHARED_CREDENTIALS_FILE=$T_ROOT/other-credentials "$CREDSH_BIN" profiles --json |
        json_check "$HOME" "$T_ROOT/other-credentials" other)"
# Invoke-CredshCommand: the command scope's variables, NUL-separated.
envdump=$("$CREDSH_BIN" exec -p dev --session '' -- env -0 | tr '\0\n' '\n ')
check_contains "exec -p dev -- env -0: AWS_PROFILE" $'\nAWS_PROFILE=dev\n' $'\n'"$envdump"$'\n'
check_contains "exec -p dev -- env -0: CREDSH_SCOPE" $'\nCREDSH_SCOPE=command\n' $'\n'"$envdump"$'\n'
envdump=$("$CREDSH_BIN" exec -p elsewhere --profile-location "$T_ROOT/other-credentials" --session '' -- env -0 |
    tr '\0\n' '\n ')
check_contains "exec --profile-location: the file reaches the command" \
    $'\nAWS_SHARED_CREDENTIALS_FILE='"$T_ROOT/other-credentials"$'\n' $'\n'"$envdump"$'\n'
check_contains "exec --profile-location: its profile" $'\nCREDSH_PROFILE=elsewhere\n' $'\n'"$envdump"$'\n'

finish
