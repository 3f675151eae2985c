# The PowerShell side in a real PowerShell 7 (pwsh -NoProfile -NonInteractive), the hook installed the README's way:
#  - the credsh module, one check per row of the README's "AWS Tools for PowerShell" table and the search order
#    command > session > default (Set-/Clear-/Get-CredshProfile, Invoke-CredshCommand, -ProfileLocation,
#    default_profile);
#  - completion through TabExpansion2, as PSReadLine asks for it: subcommands, options, profile names for
#    `credsh use`, `credsh exec -p` and the functions' -ProfileName, over names awkward for every shell;
#  - `credsh export pwsh` evaluated by PowerShell itself for values made of every character class PowerShell
#    treats specially: each arrives byte for byte in $env:, nothing is executed (docs/security.md 6-8).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/completion_world.sh"
need_pwsh
need python3 od

FIX=$CREDSH_SRC/tests/shell/fixtures
PS=$T_ROOT/ps
mkdir -p "$PS" "$T_ROOT/bin" "$HOME/src/tricky"
ln -s "$(readlink -f "$CREDSH_BIN")" "$T_ROOT/bin/credsh"
hex() { od -An -v -tx1 | tr -d ' \n'; }

# pwsh_run NAME: runs $T_ROOT/NAME.ps1 with credsh on PATH; stdout in $T_ROOT/NAME.out, stderr in NAME.err.
pwsh_run() {
    (cd "$HOME" && PATH=$T_ROOT/bin:$PATH timeout 120 "$PWSH" -NoLogo -NoProfile -NonInteractive \
        -File "$T_ROOT/$1.ps1") >"$T_ROOT/$1.out" 2>"$T_ROOT/$1.err" </dev/null
    echo "exit $?" >>"$T_ROOT/$1.out"
}
# line NAME LABEL: the line "@LABEL ..." of NAME's output, without the label.
line() { sed -n "s/^@$2 //p" "$T_ROOT/$1.out" | head -n 1; }

world_ok
# default_profile is in the [credsh] section (before the world's [profile ...] section, to keep the file tidy).
printf '[credsh]\ndefault_profile = prod\n%s\n' "$(<"$XDG_CONFIG_HOME/credsh/config")" >"$XDG_CONFIG_HOME/credsh/config"
printf '[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = S3NT1NEL-prod\n' >>"$HOME/.aws/credentials"
printf '[elsewhere]\naws_access_key_id = AKIAELSE\naws_secret_access_key = S3NT1NEL-else\n' >"$T_ROOT/other-credentials"

# --- the module: the README's table, row by row, and the search order ----------------------------------------
cat >"$T_ROOT/module.ps1" <<EOF
Invoke-Expression (& credsh hook pwsh | Out-String)
function show(\$l) {
    "@\$l profile=\$env:CREDSH_PROFILE scope=\$env:CREDSH_SCOPE aws=\$env:AWS_PROFILE file=\$env:AWS_SHARED_CREDENTIALS_FILE"
}
__credsh_hook; show default
Set-CredshProfile dev; __credsh_hook; show session
Invoke-CredshCommand -ProfileName prod { show command }
show after-command
try { Invoke-CredshCommand -ProfileName prod { throw 'boom' } } catch { "@caught \$_" }
show after-throw
Invoke-CredshCommand -ProfileName elsewhere -ProfileLocation '$T_ROOT/other-credentials' { show located }
show after-located
Invoke-CredshCommand -ProfileName 'no-such-profile' { '@ran-anyway' } -ErrorVariable ev -ErrorAction SilentlyContinue
"@missing-error \$(\$ev.Count -ge 1) \$([bool](\$ev -match 'no credentials for profile no-such-profile'))"
Use-CredshProfile -ProfileName elsewhere -ProfileLocation '$T_ROOT/other-credentials'; __credsh_hook; show set-located
Clear-CredshProfile; __credsh_hook; show cleared
foreach (\$p in Get-CredshProfile -ListProfileDetail) {
    "@detail \$([Convert]::ToHexString([Text.UTF8Encoding]::new(\$false).GetBytes(\$p.ProfileName)))|\$(\$p.StoreTypeName)|\$(\$p.ProfileLocation)"
}
foreach (\$p in Get-CredshProfile -ProfileLocation '$T_ROOT/other-credentials') {
    "@located-detail \$(\$p.ProfileName)|\$(\$p.StoreTypeName)|\$(\$p.ProfileLocation)"
}
foreach (\$p in Get-CredshProfile 'pr*') { "@filtered \$(\$p.ProfileName)" }
"@commands \$((Get-Command -Module credsh | ForEach-Object Name | Sort-Object) -join ',')"
EOF
pwsh_run module
check "the module script ran to the end" "exit 0" "$(tail -n 1 "$T_ROOT/module.out")"
check "default: default_profile applies (Initialize-AWSDefaultConfiguration's role)" \
    "profile=prod scope=default aws=prod file=" "$(line module default)"
check "Set-CredshProfile: the session profile wins over the default (Set-AWSCredential)" \
    "profile=dev scope=session aws=dev file=" "$(line module session)"
check "Invoke-CredshCommand: the command profile wins over the session (-ProfileName on a cmdlet)" \
    "profile=prod scope=command aws=prod file=" "$(line module command)"
check "after the block the session's values are back exactly" \
    "profile=dev scope=session aws=dev file=" "$(line module after-command)"
check "a throwing block: the error reaches the caller" "boom" "$(line module caught)"
check "a throwing block: the session's values are back" \
    "profile=dev scope=session aws=dev file=" "$(line module after-throw)"
check "Invoke-CredshCommand -ProfileLocation: that credentials file, for the block" \
    "profile=elsewhere scope=command aws=elsewhere file=$T_ROOT/other-credentials" "$(line module located)"
check "and it is gone afterwards" "profile=dev scope=session aws=dev file=" "$(line module after-located)"
check_absent "an unknown profile: the block does not run" "@ran-anyway" "$(<"$T_ROOT/module.out")"
check "an unknown profile: an error record names it" "True True" "$(line module missing-error)"
check "Use-CredshProfile -ProfileLocation: the session reads that file" \
    "profile=elsewhere scope=session aws=elsewhere file=$T_ROOT/other-credentials" "$(line module set-located)"
check "Clear-CredshProfile: back to the default, the credentials file variable restored (unset)" \
    "profile=prod scope=default aws=prod file=" "$(line module cleared)"
# Names are printed as hex (one ASK name holds a newline), decoded here.
details=$(sed -n 's/^@detail //p' "$T_ROOT/module.out" | python3 -c 'import sys
for l in sys.stdin:
    n, rest = l.rstrip("\n").split("|", 1)
    print(repr(bytes.fromhex(n).decode())[1:-1] + "|" + rest)')
check_contains "Get-CredshProfile -ListProfileDetail: a credentials-file profile" \
    "dev|SharedCredentialsFile|$HOME/.aws/credentials" "$details"
check_contains "Get-CredshProfile: a config-only profile names the config file" \
    "some-thing:long/the_one%only.foo@bar+|SharedCredentialsFile|$HOME/.aws/config" "$details"
check_contains "Get-CredshProfile: an ASK CLI profile" "my skill|AskCliConfig|$HOME/.ask/cli_config" "$details"
check_contains "Get-CredshProfile: a credsh profile" "team=ops,eu@x|CredshConfig|$XDG_CONFIG_HOME/credsh/config" "$details"
# Every name, also the ASK one with a newline that completion never offers (shown here as Python's repr).
check "Get-CredshProfile lists every profile once" \
    "$(printf '%s\n' "${NAMES[@]}" 'bad\nname' | LC_ALL=C sort)" \
    "$(printf '%s\n' "$details" | cut -d'|' -f1 | LC_ALL=C sort)"
check "Get-CredshProfile -ProfileLocation: that file's profiles" \
    "elsewhere|SharedCredentialsFile|$T_ROOT/other-credentials" "$(sed -n 's/^@located-detail //p' "$T_ROOT/module.out")"
check "Get-CredshProfile NAME takes wildcards" "prod" "$(sed -n 's/^@filtered //p' "$T_ROOT/module.out")"
check "the module exports the four commands and the alias" \
    "Clear-CredshProfile,Get-CredshProfile,Invoke-CredshCommand,Set-CredshProfile,Use-CredshProfile" \
    "$(line module commands)"
check_no_match "no secret in the module run's output" "S3NT1NEL" "$T_ROOT/module.out"
check_no_match "no secret in its errors" "S3NT1NEL" "$T_ROOT/module.err"

# --- completion through TabExpansion2 ------------------------------------------------------------------------
# Each completion is parsed back by PowerShell's own parser as the argument it would become; its value is
# printed as hex, so that a name with quotes, '$' or backticks counts only when it completes to itself.
cat >"$T_ROOT/complete.ps1" <<'EOF'
Invoke-Expression (& credsh hook pwsh | Out-String)
function complete([string] $label, [string] $line) {
    $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
    foreach ($m in $r.CompletionMatches) {
        $ast = [System.Management.Automation.Language.Parser]::ParseInput("x $($m.CompletionText)", [ref]$null, [ref]$null)
        $e = $ast.EndBlock.Statements[0].PipelineElements[0].CommandElements[1]
        $v = if ($e -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $e.Value } else { "<$($e.GetType().Name)>" }
        "@$label " + [Convert]::ToHexString([Text.UTF8Encoding]::new($false).GetBytes($v)).ToLowerInvariant()
    }
}
complete sub 'credsh us'
complete use 'credsh use '
complete exec 'credsh exec -p '
complete set 'Set-CredshProfile -ProfileName '
complete invoke 'Invoke-CredshCommand -ProfileName '
complete prefix 'credsh use pr'
complete opt 'credsh exec --pro'
EOF
pwsh_run complete
check "the completion script ran" "exit 0" "$(tail -n 1 "$T_ROOT/complete.out")"
unhex() { python3 -c 'import sys; [print(bytes.fromhex(l.strip()).decode()) for l in sys.stdin if l.strip()]'; }
got() { sed -n "s/^@$1 //p" "$T_ROOT/complete.out" | unhex; }
all_names=$(printf '%s\n' "${NAMES[@]}")
check "TabExpansion2: credsh us -> use" "use" "$(got sub)"
same_set "TabExpansion2: credsh use <Tab> offers every profile, each parsing back to itself" "$all_names" "$(got use)"
same_set "TabExpansion2: credsh exec -p <Tab>" "$all_names" "$(got exec)"
same_set "TabExpansion2: Set-CredshProfile -ProfileName <Tab>" "$all_names" "$(got set)"
same_set "TabExpansion2: Invoke-CredshCommand -ProfileName <Tab>" "$all_names" "$(got invoke)"
check "TabExpansion2: a prefix narrows" "prod" "$(got prefix)"
check_contains "TabExpansion2: credsh exec --pro offers --profile" "--profile" "$(got opt)"
check_no_match "completion created nothing" "PWNED" "$T_ROOT/complete.out"

# --- export pwsh, evaluated by PowerShell -------------------------------------------------------------------
cat >>"$HOME/.aws/config" <<EOF
[profile tricky]
credential_process = /bin/sh $FIX/cred_process.sh $PS tricky
EOF
KEY="AKIA'‘’‚‛"
SECRET=$'s\'e\ncr\r\net $(New-Item PWNED) `whoami` \u00e9\u20ac\U0001F511 "q" ${env:PATH} @(1) ;exit'
TOKEN="x’; New-Item PWNED; ’ \`\$ “d” \$null"
python3 -c 'import json, sys; print(json.dumps({"Version": 1, "AccessKeyId": sys.argv[1], "SecretAccessKey": sys.argv[2],
    "SessionToken": sys.argv[3], "Expiration": "2999-01-01T00:00:00Z"}))' "$KEY" "$SECRET" "$TOKEN" >"$PS/tricky.json"
printf 'profile = tricky\n' >"$HOME/src/tricky/.credprofile"
(cd "$HOME/src/tricky" && "$CREDSH_BIN" allow >/dev/null 2>&1) || echo "FAIL: allow"
cat >"$T_ROOT/roundtrip.ps1" <<EOF
Invoke-Expression (& credsh hook pwsh | Out-String)
function showhex(\$n) { "@\$n " + [Convert]::ToHexString([Text.UTF8Encoding]::new(\$false).GetBytes("\$([Environment]::GetEnvironmentVariable(\$n))")).ToLowerInvariant() }
Set-Location '$HOME/src/tricky'
showhex AWS_ACCESS_KEY_ID; showhex AWS_SECRET_ACCESS_KEY; showhex AWS_SESSION_TOKEN
Set-Location '$HOME'
"@left [\$env:AWS_SECRET_ACCESS_KEY]"
EOF
pwsh_run roundtrip
check "the round trip ran" "exit 0" "$(tail -n 1 "$T_ROOT/roundtrip.out")"
check "AWS_ACCESS_KEY_ID arrives byte for byte in \$env:" "$(printf '%s' "$KEY" | hex)" "$(line roundtrip AWS_ACCESS_KEY_ID)"
check "AWS_SECRET_ACCESS_KEY arrives byte for byte" "$(printf '%s' "$SECRET" | hex)" "$(line roundtrip AWS_SECRET_ACCESS_KEY)"
check "AWS_SESSION_TOKEN arrives byte for byte" "$(printf '%s' "$TOKEN" | hex)" "$(line roundtrip AWS_SESSION_TOKEN)"
check "leaving the directory removes them" "[]" "$(line roundtrip left)"
check_absent "nothing was executed by the values" "PWNED" "$(ls -A "$HOME" "$HOME/src/tricky" "$T_ROOT")"
check "no error from the evaluation" "" "$(<"$T_ROOT/roundtrip.err")"

finish
