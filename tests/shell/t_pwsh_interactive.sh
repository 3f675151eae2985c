# An interactive PowerShell 7 in tmux, typed into the way a person does (docs/design.md §1, docs/security.md
# 6, 33, 34): the hook installed from an rc file the README's way, a prompt function that shows $?,
# $LASTEXITCODE and $CREDSH_PROMPT, so the hook runs from the real prompt; PSReadLine's Tab completion;
# Ctrl-C in the middle of Invoke-CredshCommand; a region full of terminal control sequences.
#
# Every prompt looks like "[True 0] CREDSH_PROMPT-or-none> ". After each command the test waits for one more
# prompt line than before (never a fixed pause: pwsh starts slowly and its speed varies) and checks the newest.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need tmux
need_pwsh

FIX=$CREDSH_SRC/tests/shell/fixtures
PS=$T_ROOT/ps
mkdir -p "$PS" "$T_ROOT/bin" "$HOME/src/shop" "$HOME/src/proc" "$HOME/src/blocked" "$HOME/src/mfa"
ln -s "$(readlink -f "$CREDSH_BIN")" "$T_ROOT/bin/credsh"
# evil's region holds an OSC title sequence, a C1 CSI (U+009B) and PowerShell code.
cat >"$HOME/.aws/config" <<EOF
[profile dev]
region = eu-west-1
[profile prod]
region = us-east-1
[profile proc]
region = eu-central-1
credential_process = /bin/sh $FIX/cred_process.sh $PS proc
[profile mfarole]
role_arn = arn:aws:iam::111122223333:role/MfaHook
source_profile = dev
mfa_serial = arn:aws:iam::111122223333:mfa/person
[profile evil]
region = eu-$(printf '\033]0;PWNEDTITLE\007')west-1$(printf '\302\233')31m\$(New-Item PWNED)
EOF
printf '[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = S3NT1NEL-dev\n' >"$HOME/.aws/credentials"
printf '[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = S3NT1NEL-prod\n' >>"$HOME/.aws/credentials"
printf '[evil]\naws_access_key_id = AKIAEVIL\naws_secret_access_key = S3NT1NEL-evil\n' >>"$HOME/.aws/credentials"
printf 'profile = prod\n' >"$HOME/src/blocked/.credprofile"
(cd "$HOME/src/shop" && "$CREDSH_BIN" pin dev 2>/dev/null) || echo "setup: pin dev failed"
(cd "$HOME/src/proc" && "$CREDSH_BIN" pin proc 2>/dev/null) || echo "setup: pin proc failed"
(cd "$HOME/src/mfa" && "$CREDSH_BIN" pin mfarole 2>/dev/null) || echo "setup: pin mfarole failed"

source "$(dirname "${BASH_SOURCE[0]}")/tmux_lib.sh"

PROMPT_RE='^\[(True|False) -?[0-9]*\] '
at_least_prompts() { (($(nprompts) >= $1)); }
screen_has() { screen | grep -qF -- "$1"; }
line_is() { [[ $(last_prompt) == "$1" ]]; }

cat >"$T_ROOT/rc.ps1" <<'EOF'
Set-PSReadLineOption -PredictionSource None -BellStyle None
$global:LASTEXITCODE = 0
function global:prompt {
    $ok = $?
    $p = if ($CREDSH_PROMPT) { $CREDSH_PROMPT } else { 'none' }
    "[$ok $LASTEXITCODE] $p> "
}
Invoke-Expression (& credsh hook pwsh | Out-String)
EOF
start pwsh env -i "HOME=$HOME" \
    "PATH=$T_ROOT/bin:$PATH" TERM=screen LANG=C.UTF-8 "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" \
    "XDG_DATA_HOME=$XDG_DATA_HOME" "XDG_CACHE_HOME=$XDG_CACHE_HOME" AWS_EC2_METADATA_DISABLED=true \
    "AWS_ENDPOINT_URL_STS=http://127.0.0.1:$(free_port)" POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off \
    "$PWSH" -NoLogo -NoProfile -NoExit -Command ". '$T_ROOT/rc.ps1'"
check_true "the first prompt appeared" wait_prompts 1
check "first prompt, outside any tree" "[True 0] none>" "$(last_prompt)"
title0=$(tm display -p -t "$SESSION" '#{pane_title}')

type_line 'cd ~/src/shop'
check "cd into the pinned tree: the prompt segment" "[True 0] aws:dev (eu-west-1)>" "$(last_prompt)"
check "nothing printed on the way in" "" "$(last_output)"
type_line '"AP=$env:AWS_PROFILE"'
check "AWS_PROFILE=dev in the session" "AP=dev" "$(last_output)"
type_line 'credsh use prod'
check "credsh use prod" "[True 0] aws:prod* (us-east-1)>" "$(last_prompt)"
type_line 'cd /'
check "the session profile follows the shell out of the tree" "[True 0] aws:prod* (us-east-1)>" "$(last_prompt)"
type_line 'credsh use --clear'
check "credsh use --clear outside any tree" "[True 0] none>" "$(last_prompt)"

type_line 'cd ~/src/blocked'
check_contains "a blocked file shows in the prompt" "blocked" "$(last_prompt)"
check "one line says it is blocked" 1 "$(last_output | grep -c 'blocked')"
type_line '$null'
check "the next prompt says nothing more" "" "$(last_output)"
type_line 'credsh allow'
check "credsh allow applies it at once" "[True 0] aws:prod (us-east-1)>" "$(last_prompt)"

type_line 'cd ~/src/proc'
p=$(last_prompt)
check_true "credential_process profile with time left ($p)" \
    grep -qE '^\[True 0\] aws:proc \(eu-central-1\) (1h00m|59m)>$' <<<"$p"
type_line '"K=$env:AWS_ACCESS_KEY_ID"'
check "its key is in the session" "K=AKIAPROC1" "$(last_output)"
type_line '$null'
type_line '$null'
check "prompts do not re-run the process" 1 "$(wc -l <"$PS/proc.count" 2>/dev/null)"

# A profile that needs an MFA code: the hook never asks for it (the prompt comes back at once), it says once
# how to sign in.
type_line 'cd ~/src/mfa'
check_contains "an MFA profile in the hook: a hint to run credsh login" "credsh login mfarole" "$(last_output)"
check_absent "and no code is asked for" "MFA code for" "$(screen)"
type_line 'cd /'

# $? and $LASTEXITCODE as the user's prompt sees them (docs/security.md 6).
type_line 'false'
check "\$? and \$LASTEXITCODE survive the hook (false)" "[False 1]" "$(last_prompt | cut -d' ' -f1-2)"
type_line "bash -c 'exit 7'; cd ~/src/shop"
check "\$LASTEXITCODE is 7 after bash -c 'exit 7'; cd (a hook that ran export)" \
    "[True 7] aws:dev (eu-west-1)>" "$(last_prompt)"
type_line "cd ~/src/proc; bash -c 'exit 3'"
check "\$? false and \$LASTEXITCODE 3 after a cd that ran export" "[False 3] aws:proc" \
    "$(last_prompt | cut -d' ' -f1-3)"
type_line "Write-Error oops -ErrorAction Continue"
check "a failed cmdlet: \$? false, \$LASTEXITCODE untouched" "[False 3]" "$(last_prompt | cut -d' ' -f1-2)"
type_line 'cd /'
check "leaving restores the empty prompt" "[True 3] none>" "$(last_prompt)"
# AWS_EC2_METADATA_DISABLED and AWS_ENDPOINT_URL_STS are the test's own (set when pwsh started), not credsh's.
type_line '@(Get-ChildItem Env:AWS_* | Where-Object Name -notin AWS_EC2_METADATA_DISABLED, AWS_ENDPOINT_URL_STS).Count; "K=$env:AWS_ACCESS_KEY_ID"'
check "leaving unsets every AWS_ variable" $'0\nK=' "$(last_output)"

# Ctrl-C inside Invoke-CredshCommand: the session's own values come back, the hook runs again.
type_line '$env:AWS_PROFILE = "mine"'
# Set by hand: the next prompt shows it as the ambient profile (README "Set by hand").
check "AWS_PROFILE set by hand shows at the next prompt" "[True 3] aws:mine~>" "$(last_prompt)"
n=$(nprompts)
tm send-keys -t "$SESSION" -l -- 'Invoke-CredshCommand -ProfileName prod { "IN=$env:AWS_PROFILE/$env:CREDSH_SCOPE"; Start-Sleep 3600 }'
tm send-keys -t "$SESSION" Enter
check_true "the script block runs with prod (command scope)" wait_for screen_has "IN=prod/command"
tm send-keys -t "$SESSION" C-c
check_true "Ctrl-C ends it with a prompt" wait_for at_least_prompts $((n + 1))
type_line '"AFTER=$env:AWS_PROFILE|$env:CREDSH_SCOPE|$env:AWS_ACCESS_KEY_ID|$__credsh_suspended"'
check "after Ctrl-C: the session's AWS_PROFILE is back, nothing of prod left" "AFTER=mine|ambient||False" "$(last_output)"
type_line 'Invoke-CredshCommand -ProfileName prod { throw "boom" }'
check_contains "a throw in the block reaches the user" "boom" "$(last_output)"
type_line '"AFTER=$env:AWS_PROFILE|$env:CREDSH_SCOPE|$__credsh_suspended"'
check "after a throw: restored" "AFTER=mine|ambient|False" "$(last_output)"
type_line 'Remove-Item Env:AWS_PROFILE; $global:LASTEXITCODE = 0'
type_line 'cd ~/src/shop'
check "the hook works again after both" "[True 0] aws:dev (eu-west-1)>" "$(last_prompt)"
type_line 'cd /'
check "and leaving restores the unset AWS_PROFILE" "[True 0] none>" "$(last_prompt)"

# PSReadLine's Tab, typed (the completion script arrives with the hook).
tm send-keys -t "$SESSION" -l -- 'credsh us'
tm send-keys -t "$SESSION" Tab
check_true "Tab completes a subcommand: credsh us -> credsh use" wait_for line_is "[True 0] none> credsh use"
tm send-keys -t "$SESSION" -l -- ' d'
tm send-keys -t "$SESSION" Tab
check_true "Tab completes a profile name after credsh use" wait_for line_is "[True 0] none> credsh use dev"
n=$(nprompts)
tm send-keys -t "$SESSION" Enter
wait_for at_least_prompts $((n + 1))
check "the completed line runs" "[True 0] aws:dev* (eu-west-1)>" "$(last_prompt)"
tm send-keys -t "$SESSION" -l -- 'Set-CredshProfile -ProfileName ev'
tm send-keys -t "$SESSION" Tab
check_true "Tab completes -ProfileName of Set-CredshProfile" \
    wait_for line_is "[True 0] aws:dev* (eu-west-1)> Set-CredshProfile -ProfileName evil"
n=$(nprompts)
tm send-keys -t "$SESSION" Enter
wait_for at_least_prompts $((n + 1))

# A region made of terminal control sequences: shown escaped, the title unchanged, nothing run.
p=$(last_prompt)
check_contains "the prompt shows the escape sequence as text" 'aws:evil* (eu-\x1b]0;PWNEDTITLE\x07west-1\u009b31m\x24(New-Item PWNED))>' "$p"
check "the terminal's title did not change" "$title0" "$(tm display -p -t "$SESSION" '#{pane_title}')"
type_line '$null'
check "no PWNED file" "" "$(find "$T_ROOT" -name PWNED)"
type_line 'credsh use --clear'
check_no_match "no secret on the screen" S3NT1NEL <(screen)

# The fast path at a console: compiled once PowerShell has been idle (PSReadLine's OnIdle event), not at a
# prompt; nothing of it shows in Get-Job or Get-EventSubscriber; a settled prompt then runs it, and an edit of a
# watched file is still noticed. fast_ready leaves the console idle for a moment before it looks.
fast_ready() { sleep 0.5; type_line '"FAST=$($__credsh_fast -is [Delegate])"'; [[ $(last_output) == FAST=True ]]; }
check_true "the fast path is compiled once the console was idle" wait_for fast_ready
type_line '"JOBS=$(@(Get-Job).Count) SUBS=$(@(Get-EventSubscriber).Count)"'
check "nothing of credsh's in Get-Job or Get-EventSubscriber" "JOBS=0 SUBS=0" "$(last_output)"
type_line 'cd ~/src/shop'
type_line '$null'
type_line '"FS=$($null -ne $__credsh_fs)"'
check "a settled prompt has the fast path" "FS=True" "$(last_output)"
type_line 'false'
check "\$? and \$LASTEXITCODE through the fast path (false)" "[False 1] aws:dev (eu-west-1)>" "$(last_prompt)"
type_line "bash -c 'exit 7'"
check "\$? false and \$LASTEXITCODE 7 through the fast path" "[False 7] aws:dev (eu-west-1)>" "$(last_prompt)"
type_line '"FS=$($null -ne $__credsh_fs)"'
check "still on the fast path" "FS=True" "$(last_output)"
sed -i 's/^region = eu-west-1$/region = eu-north-1/' "$HOME/.aws/config"
touch -d '+1 second' "$HOME/.aws/config" # newer than the stamp, whatever the clock's tick
type_line '$null'
check "an edit of ~/.aws/config shows at the next prompt" "[True 7] aws:dev (eu-north-1)>" "$(last_prompt)"

[[ -n ${T_DUMP_SCREEN-} ]] && screen | sed 's/^/     pwsh| /'
finish
