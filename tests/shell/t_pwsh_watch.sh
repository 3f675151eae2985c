# What the PowerShell prompt notices in the steady state (issue 16): the hook installed the README's way, the
# installed `prompt` function called as PowerShell calls it, every export the binary runs counted (a wrapper on
# PATH logs each subcommand). A file missing at the export (credsh's config, ~/.ask/cli_config in a missing
# ~/.ask, the trust store's deny directory) is on the export's absent list: its creation makes the next prompt
# export once, and the change takes effect; unrelated files created in $HOME, ~/.config or a new ~/.ask make no
# export; a watched file deleted (~/.aws/credentials) makes one export and the keys it held are gone.
# Run twice: with the compiled fast path (and then the steady-state prompt must not even call __credsh_hook),
# and with its compilation failing (the slow path alone must notice the same, after one warning).
# File times are set into the past rather than waited for: an edit in the stamp's tick counts as a change on
# purpose, and these checks count exports.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_pwsh
need sha256sum touch

CALLS=$T_ROOT/calls
REAL=$(readlink -f "$CREDSH_BIN")
mkdir -p "$T_ROOT/bin"
cat >"$T_ROOT/bin/credsh" <<EOF
#!/bin/sh
printf '%s\n' "\$1" >>'$CALLS'
if [ "\$1" = hook ]; then
    '$REAL' "\$@" | sed 's#$REAL#$T_ROOT/bin/credsh#g'
    exit
fi
exec '$REAL' "\$@"
EOF
chmod 755 "$T_ROOT/bin/credsh"
export PATH=$T_ROOT/bin:$PATH

SCRIPT='
$ErrorActionPreference = "Stop"
Invoke-Expression (& credsh hook pwsh | Out-String)
if ($env:T_NOFAST) { function global:__credsh_compile_fast { throw "no compiler in this test" } }
$global:__t_orig_hook = $function:__credsh_hook
$global:__t_hooks = 0
function global:__credsh_hook { $global:__t_hooks++; & $global:__t_orig_hook }
function past($p) { [System.IO.File]::SetLastWriteTimeUtc($p, [datetime]::UtcNow.AddMinutes(-5)) }
function show($l) {
    $n = @(Get-Content -LiteralPath $env:CALLS | Where-Object { $_ -eq "export" }).Count
    "@$l calls=$n"
    "@$l hooks=$global:__t_hooks"
    "@$l fast=$($null -ne $global:__credsh_fs)"
    foreach ($v in "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "ASK_DEFAULT_PROFILE", "CREDSH_BLOCKED") {
        $x = [Environment]::GetEnvironmentVariable($v)
        if ($null -eq $x) { "@$l $v=unset" } else { "@$l $v=$x" }
    }
    $global:__t_hooks = 0
}
Set-Location -LiteralPath "$HOME/src/p"
$null = prompt; $null = prompt; $null = prompt
show s

# b: unrelated files and directories, also where the missing ones would be
Set-Content -LiteralPath "$HOME/unrelated.txt" -Value x
New-Item -ItemType Directory -Path "$HOME/.config/credsh", "$HOME/.ask" | Out-Null
Set-Content -LiteralPath "$HOME/.config/other.txt" -Value x
$null = prompt
show b

# a1: credsh config appears
Set-Content -LiteralPath "$HOME/.config/credsh/config" -Value "[credsh]`nexport = keys"
past "$HOME/.config/credsh/config"
$null = prompt
show a1
$null = prompt
show a1b

# c: the credentials file is deleted
Remove-Item -LiteralPath "$HOME/.aws/credentials"
$null = prompt
show c
$null = prompt
show cb

# a2: the ASK CLI config appears in the new ~/.ask
Set-Content -LiteralPath "$HOME/.ask/cli_config" -Value "{`"profiles`":{`"dev`":{`"aws_profile`":`"dev`",`"vendor_id`":`"M1VENDOR`"}}}"
past "$HOME/.ask/cli_config"
$null = prompt
show a2
$null = prompt
show a2b

# a3: a deny entry for this .credprofile appears (the trust store honours an entry it did not write)
New-Item -ItemType Directory -Path "$HOME/.local/share/credsh/deny" | Out-Null
Set-Content -LiteralPath "$HOME/.local/share/credsh/deny/$env:T_DENY" -Value "$HOME/src/p/.credprofile"
past "$HOME/.local/share/credsh/deny/$env:T_DENY"; past "$HOME/.local/share/credsh/deny"
$null = prompt
show a3
$null = prompt
show a3b

# The other inputs of the fast path, in a project of its own: a .credprofile appearing between the location and
# the one in effect, then the one in effect removed, a value set by hand, the credentials file moved.
Set-Location -LiteralPath "$HOME/src/r/sub"
$null = prompt; $null = prompt
show e0
Set-Content -LiteralPath "$HOME/src/r/sub/.credprofile" -Value "dev"
$null = prompt
show e
Remove-Item -Force -LiteralPath "$HOME/src/r/sub/.credprofile"
$null = prompt; $null = prompt
show e1
Remove-Item -Force -LiteralPath "$HOME/src/r/.credprofile"
$null = prompt
show f
$null = prompt; $null = prompt
show f1
$env:AWS_PROFILE = "byhand"
$null = prompt
show g
$null = prompt; $null = prompt
show g1
$env:AWS_SHARED_CREDENTIALS_FILE = "$HOME/elsewhere"
$null = prompt
show i
$null = prompt; $null = prompt
show i1

# A watched path .NET refuses (too long): neither path throws; the compiled check hands over to the hook, the
# hook exports once.
$long = "$HOME/" + ("x" * 5000)
if ($global:__credsh_fs) { $global:__credsh_fs[6] = [string[]]@($global:__credsh_fs[6]) + $long }
$p = prompt
"@j prompt=$($p -like "PS *")"
show j
$global:__credsh_watch = [string[]]@($global:__credsh_watch) + $long
$global:__credsh_fs = $null # as an export leaves it: the slow path looks at the list
$p = prompt
"@k prompt=$($p -like "PS *")"
show k
'

setup() {
    rm -rf "$HOME" && mkdir -p "$HOME/.aws" "$HOME/src/p"
    # The profile lives in the credentials file alone: deleting the file takes the profile and its keys away
    # (a profile still named in ~/.aws/config would keep the keys already applied: the export reuses them).
    printf '[profile other]\nregion = eu-west-1\n' >"$HOME/.aws/config"
    printf '[dev]\naws_access_key_id = AKIAWATCHDEV\naws_secret_access_key = S3NT1NEL-watch\n' >"$HOME/.aws/credentials"
    chmod 600 "$HOME/.aws/config" "$HOME/.aws/credentials"
    printf 'dev\n' >"$HOME/src/p/.credprofile"
    mkdir -p "$HOME/src/r/sub"
    printf 'other\n' >"$HOME/src/r/.credprofile"
    "$REAL" allow "$HOME/src/p" 2>/dev/null || echo "setup: allow failed"
    "$REAL" allow "$HOME/src/r" 2>/dev/null || echo "setup: allow failed"
    find "$HOME" -exec touch -h -d '-10 minutes' {} + # older than any stamp the shell will write
    : >"$CALLS"
}

T_DENY=$(printf '%s' "$HOME/src/p/.credprofile" | sha256sum | cut -d' ' -f1)
printf '%s' "$SCRIPT" >"$T_ROOT/watch.ps1"

for mode in fast nofast; do
    setup
    nofast=
    [[ $mode == nofast ]] && nofast=1
    (cd "$HOME" && T_NOFAST=$nofast T_DENY=$T_DENY CALLS=$CALLS timeout 120 \
        "$PWSH" -NoLogo -NoProfile -NonInteractive -File "$T_ROOT/watch.ps1") >"$T_ROOT/$mode.out" 2>"$T_ROOT/$mode.err"
    rc=$?
    check "$mode: the script ran to the end" 0 "$rc"
    ((rc == 0)) || sed 's/^/     | /' "$T_ROOT/$mode.err" | tail -20
    get() { sed -n "s/^@$1 $2=//p" "$T_ROOT/$mode.out" | tail -n 1; }
    calls() { get "$1" calls; }

    s=$(calls s)
    check "$mode: settled: AWS_PROFILE from the .credprofile" dev "$(get s AWS_PROFILE)"
    check "$mode: settled: profile mode, no keys" unset "$(get s AWS_ACCESS_KEY_ID)"
    if [[ $mode == fast ]]; then
        check "fast: the settled state has a fast path" True "$(get s fast)"
        check "fast: a steady-state prompt does not call __credsh_hook" 0 "$(get b hooks)"
    else
        check "nofast: no fast path when it cannot be compiled" False "$(get s fast)"
        check "nofast: one warning says so" 1 "$(grep -c 'no fast path' "$T_ROOT/$mode.out")"
    fi
    check "$mode: b: unrelated files in \$HOME, ~/.config, a new ~/.ask: no export" "$s" "$(calls b)"

    check "$mode: a1: credsh's config created: one export" "$((s + 1))" "$(calls a1)"
    check "$mode: a1: it takes effect (export = keys)" AKIAWATCHDEV "$(get a1 AWS_ACCESS_KEY_ID)"
    check "$mode: a1: the next prompt: no export" "$((s + 1))" "$(calls a1b)"
    [[ $mode == fast ]] && check "fast: a1: settled again on the fast path" True "$(get a1b fast)"

    check "$mode: c: ~/.aws/credentials deleted: one export" "$((s + 2))" "$(calls c)"
    check "$mode: c: the keys it held are gone" unset "$(get c AWS_ACCESS_KEY_ID)"
    check "$mode: c: and the profile with them" unset "$(get c AWS_PROFILE)"
    check "$mode: c: the next prompt: no export" "$((s + 2))" "$(calls cb)"

    check "$mode: a2: ~/.ask/cli_config created: one export" "$((s + 3))" "$(calls a2)"
    check "$mode: a2: it takes effect (ASK_DEFAULT_PROFILE)" dev "$(get a2 ASK_DEFAULT_PROFILE)"
    check "$mode: a2: the next prompt: no export" "$((s + 3))" "$(calls a2b)"

    check "$mode: a3: a deny entry appears: one export" "$((s + 4))" "$(calls a3)"
    check "$mode: a3: it takes effect (not applied)" unset "$(get a3 AWS_PROFILE)"
    check "$mode: a3: it takes effect (CREDSH_BLOCKED)" "$HOME/src/p/.credprofile" "$(get a3 CREDSH_BLOCKED)"
    check "$mode: a3: the next prompt: no export" "$((s + 4))" "$(calls a3b)"

    e=$(calls e0)
    check "$mode: e0: another project: its profile" other "$(get e0 AWS_PROFILE)"
    [[ $mode == fast ]] && check "fast: e0: settled on the fast path" True "$(get e0 fast)"
    check "$mode: e: a .credprofile appears below the one in effect: one export" "$((e + 1))" "$(calls e)"
    check "$mode: e: it takes effect (not trusted)" "$HOME/src/r/sub/.credprofile" "$(get e CREDSH_BLOCKED)"
    check "$mode: e1: removed again: one export" "$((e + 2))" "$(calls e1)"
    check "$mode: e1: the outer one applies again" other "$(get e1 AWS_PROFILE)"
    [[ $mode == fast ]] && check "fast: e1: settled on the fast path" True "$(get e1 fast)"
    check "$mode: f: the one in effect removed: one export" "$((e + 3))" "$(calls f)"
    check "$mode: f: it takes effect" unset "$(get f AWS_PROFILE)"
    check "$mode: f1: the next prompts: no export" "$((e + 3))" "$(calls f1)"
    [[ $mode == fast ]] && check "fast: f1: settled on the fast path" True "$(get f1 fast)"
    check "$mode: g: AWS_PROFILE set by hand: one export" "$((e + 4))" "$(calls g)"
    check "$mode: g: the value set by hand stands" byhand "$(get g AWS_PROFILE)"
    check "$mode: g1: the next prompts: no export" "$((e + 4))" "$(calls g1)"
    [[ $mode == fast ]] && check "fast: g1: settled on the fast path" True "$(get g1 fast)"
    check "$mode: i: AWS_SHARED_CREDENTIALS_FILE set: one export" "$((e + 5))" "$(calls i)"
    check "$mode: j: a watched path too long for .NET in the compiled state: the prompt still works" True "$(get j prompt)"
    check "$mode: j: no export for it" "$(calls i1)" "$(calls j)"
    [[ $mode == fast ]] && check "fast: j: the compiled check handed over to the hook" 1 "$(get j hooks)"
    check "$mode: k: in the hook's watch list: the prompt still works" True "$(get k prompt)"
    check "$mode: k: one export" "$(($(calls i1) + 1))" "$(calls k)"
    check "$mode: no warning from the hook" 0 "$(grep -c 'WARNING: credsh: [^n]' "$T_ROOT/$mode.out")"
done

finish
