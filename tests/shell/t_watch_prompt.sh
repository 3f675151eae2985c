# What the prompt hook watches between two exports, in real bash, zsh and fish (docs/design.md §4): a watched
# file missing at the export is on the export's absent list (__credsh_absent) and its creation makes the next
# prompt export once; files created next to it ($HOME, ~/.config) make it export nothing (they were watched
# through their directory before); a watched file deleted makes it export once (bash's and fish's `-nt` are
# true against a missing file, so the hooks test `-e` too). Each change is made once while the hook's fast
# path is built (two prompts after the last export, checked) and once right after an export (the slow path).
#
# The hook is called explicitly for each prompt, as in scenarios.sh; `credsh` on PATH is a wrapper that logs
# each subcommand, so every export the hook runs is counted. Every file the steps create or restore gets an
# mtime a minute back: a file written in the same timestamp tick as the export's stamp is exported again at
# the next prompt on purpose, and the counts here must not depend on timing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash zsh fish sha256sum

counting_wrapper

S=$HOME/src
STORE=$XDG_DATA_HOME/credsh # the trust store (allow/, deny/)
KEYS='[dev]
aws_access_key_id = AKIADEVSTATIC
aws_secret_access_key = S3NT1NEL-static-dev'
ASK='{"profiles": {"skill-dev": {"aws_profile": "dev", "vendor_id": "M1DEVVENDOR", "token": {"access_token": "Atza|dev-S3NT1NEL", "refresh_token": "Atzr|dev-S3NT1NEL", "token_type": "bearer", "expires_in": 3600, "expires_at": "2099-01-01T00:00:00.000Z"}}}}'

# A fresh world for each shell: ~/.config exists but holds no credsh config, there is no ~/.ask at all and no
# deny directory in the trust store -- three watched files missing at the first export.
setup_world() {
    rm -rf "$HOME" "$T_ROOT/old"
    mkdir -p "$HOME/.aws" "$XDG_CONFIG_HOME/fish" "$S/p" "$S/a" "$S/plain" "$T_ROOT/old"
    printf '[profile dev]\nregion = eu-west-1\n[profile other]\nregion = us-east-1\n' >"$HOME/.aws/config"
    printf '%s\n' "$KEYS" >"$HOME/.aws/credentials"
    printf 'dev\n' >"$S/p/.credprofile"
    printf 'ask_profile = skill-dev\n' >"$S/a/.credprofile"
    "$REAL" allow "$S/p" >/dev/null 2>&1 || echo "setup: allow p failed"
    "$REAL" allow "$S/a" >/dev/null 2>&1 || echo "setup: allow a failed"
    # Files the steps put in place, written now and given an old mtime (see the top).
    printf '%s\n' "$KEYS" >"$T_ROOT/old/credentials"
    printf '[credsh]\ndefault_profile = other\n' >"$T_ROOT/old/config"
    printf '%s\n' "$ASK" >"$T_ROOT/old/cli_config"
    printf '%s\n' "$S/p/.credprofile" >"$T_ROOT/old/deny"
    touch -d '1 minute ago' "$T_ROOT"/old/* "$HOME/.aws/config" "$HOME/.aws/credentials" "$S"/*/.credprofile
}
# The trust store's name for the deny entry of $S/p: any file under that name denies.
deny_name() { printf '%s' "$(readlink -f "$S/p")/.credprofile" | sha256sum | cut -d' ' -f1; }

# Script snippets: the same text in all three shells except the hook's name and its installation.
S() { SCRIPT+="$*"$'\n'; }
S_hook() { S "$HOOK"; }
S_settle() { S_hook; S_hook; } # after an export: the next prompt builds the fast path, the one after uses it
S_show() { # S_show LABEL VAR...: "@LABEL VAR=value" for exported variables, "unset" when not
    local l=$1 v
    shift
    for v; do S "echo \"@$l $v=\$(printenv $v || echo unset)\""; done
}
S_calls() { S "echo \"@$1 calls=\$(grep -c '^export' '$CALLS')\""; }
S_fast() { S "echo \"@$1 fast=\$__credsh_fpwd\$__credsh_tpwd\""; } # the fast path is built for this $PWD
S_put() { S "cp -p '$T_ROOT/old/$1' '$2'"; } # S_put NAME DEST: a file with an old mtime appears

run_shell() {
    local sut=$1
    SCRIPT=
    case $sut in
    bash | zsh) HOOK=_credsh_hook; S "eval \"\$(credsh hook $sut)\"" ;;
    fish) HOOK=__credsh_hook; S 'credsh hook fish | source' ;;
    esac
    # c) a watched file deleted: the fast path notices it; right after that export the slow path notices its
    # return (it is on the absent list now), and right after that one, its deletion again.
    S "cd '$S/p'"; S_settle
    S_calls c0; S_show c0 AWS_PROFILE CREDSH_ERROR; S_fast c0
    S "rm '$HOME/.aws/credentials'"; S_hook
    S_calls c1; S_show c1 AWS_PROFILE CREDSH_ERROR
    S_put credentials "$HOME/.aws/credentials"; S_hook
    S_calls c2; S_show c2 CREDSH_ERROR
    S "rm '$HOME/.aws/credentials'"; S_hook
    S_calls c3; S_show c3 CREDSH_ERROR
    S_put credentials "$HOME/.aws/credentials"; S_hook; S_settle
    S_calls c4; S_show c4 CREDSH_ERROR
    # b) unrelated files next to watched ones that are missing: nothing to export.
    S_fast b0
    S "touch '$HOME/unrelated'"; S "mkdir '$HOME/unrelated.d'"; S "touch '$XDG_CONFIG_HOME/unrelated'"
    S "mkdir '$XDG_CONFIG_HOME/unrelated.d'"; S_settle
    S_calls b1
    # a) missing files created. credsh's config, in a directory that does not exist yet (fast path):
    S "cd '$S/plain'"; S_settle
    S_calls a0; S_show a0 AWS_PROFILE; S_fast a0
    S "mkdir -p '$XDG_CONFIG_HOME/credsh'"; S_put config "$XDG_CONFIG_HOME/credsh/config"; S_settle
    S_calls a1; S_show a1 AWS_PROFILE
    # ~/.ask/cli_config in a missing ~/.ask (fast path):
    S "cd '$S/a'"; S_settle
    S_calls a2; S_show a2 ASK_DEFAULT_PROFILE; S_fast a2
    S "mkdir '$HOME/.ask'"; S_put cli_config "$HOME/.ask/cli_config"; S_settle
    S_calls a3; S_show a3 ASK_DEFAULT_PROFILE AWS_PROFILE
    # the trust store's deny entry for the .credprofile in effect (slow path: right after the export of the cd):
    S "cd '$S/p'"; S_hook
    S_calls a4; S_show a4 AWS_PROFILE
    S "mkdir '$STORE/deny'"; S_put deny "$STORE/deny/$(deny_name)"; S "touch -d '1 minute ago' '$STORE/deny'"
    S_settle
    S_calls a5; S_show a5 AWS_PROFILE CREDSH_BLOCKED
    printf '%s' "$SCRIPT" >"$T_ROOT/s.$sut"
    : >"$CALLS"
    script_shell "$sut" "$T_ROOT/s.$sut"
    (cd "$HOME" && timeout 60 "${SCRIPT_SHELL[@]}") >"$T_ROOT/out.$sut" 2>"$T_ROOT/err.$sut" </dev/null
    local rc=$?
    check "$sut: the script ran to the end" 0 "$rc"
    ((rc == 0)) || sed 's/^/     | /' "$T_ROOT/err.$sut" | tail -20
}

for sut in bash zsh fish; do
    setup_world
    run_shell "$sut"
    OUT=$T_ROOT/out.$sut
    get() { sed -n "s/^@$1 $2=//p" "$OUT" | tail -n 1; }
    n() { get "$1" calls; }
    check "$sut setup: in p, dev applies" "dev unset" "$(get c0 AWS_PROFILE) $(get c0 CREDSH_ERROR)"
    check "$sut setup: the fast path is built in p" "$S/p" "$(get c0 fast)"
    check "$sut c) ~/.aws/credentials deleted: exactly one export (fast path)" $(($(n c0) + 1)) "$(n c1)"
    check "$sut c) ... and its keys are gone: the profile has no credentials" "dev failed" \
        "$(get c1 AWS_PROFILE) $(get c1 CREDSH_ERROR)"
    check "$sut c) restored right after that export: one export (slow path: it is on the absent list)" \
        $(($(n c1) + 1)) "$(n c2)"
    check "$sut c) ... and the keys are back" unset "$(get c2 CREDSH_ERROR)"
    check "$sut c) deleted right after an export: one export (slow path)" $(($(n c2) + 1)) "$(n c3)"
    check "$sut c) ... the keys are gone again" failed "$(get c3 CREDSH_ERROR)"
    check "$sut c) restored once more: one export, then quiet" $(($(n c3) + 1)) "$(n c4)"
    check "$sut c) ... the keys are back" unset "$(get c4 CREDSH_ERROR)"
    check "$sut b) the fast path is built before the unrelated files appear" "$S/p" "$(get b0 fast)"
    check "$sut b) files and directories created in \$HOME and ~/.config: no export" "$(n c4)" "$(n b1)"
    check "$sut a) in plain: no profile yet" unset "$(get a0 AWS_PROFILE)"
    check "$sut a) the fast path is built in plain" "$S/plain" "$(get a0 fast)"
    check "$sut a) ~/.config/credsh/config created: exactly one export" $(($(n a0) + 1)) "$(n a1)"
    check "$sut a) ... and its default profile applies" other "$(get a1 AWS_PROFILE)"
    check "$sut a) in a: the ASK profile is not there yet" unset "$(get a2 ASK_DEFAULT_PROFILE)"
    check "$sut a) the fast path is built in a" "$S/a" "$(get a2 fast)"
    check "$sut a) ~/.ask/cli_config created in a new ~/.ask: exactly one export" $(($(n a2) + 1)) "$(n a3)"
    check "$sut a) ... and its profile applies" "skill-dev dev" "$(get a3 ASK_DEFAULT_PROFILE) $(get a3 AWS_PROFILE)"
    check "$sut a) back in p: dev" dev "$(get a4 AWS_PROFILE)"
    check "$sut a) a deny entry appears in the missing deny directory: exactly one export" $(($(n a4) + 1)) "$(n a5)"
    check "$sut a) ... and it blocks the .credprofile (the config's default applies)" "other $S/p/.credprofile" \
        "$(get a5 AWS_PROFILE) $(get a5 CREDSH_BLOCKED)"
    check_no_match "$sut: no secret on stdout" S3NT1NEL "$OUT"
    check_no_match "$sut: no secret on stderr" S3NT1NEL "$T_ROOT/err.$sut"
    check_no_match "$sut: no error from the hook's file tests" "test:" "$T_ROOT/err.$sut"
done

finish
