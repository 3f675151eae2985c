# `credsh allow` applies the [trust] prefix policy `credsh export` applies, through the same function
# (trust.hpp: trusting_prefix): allowing a .credprofile whose key path -- where the walk finds it, never a
# link's target -- is under a configured prefix says that the prefix trusts it already (and still records the
# allow, so it stays trusted without the prefix); a file outside the prefix, and a link outside it pointing into
# it, are allowed with no such note, exactly as export treats them as blocked until allowed. Issue 13 item 3.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash timeout

cat >"$HOME/.aws/config" <<'EOF'
[profile infra]
region = eu-west-1
EOF
mkdir -p "$XDG_CONFIG_HOME/credsh"
write_config() { printf '%s' "$1" >"$XDG_CONFIG_HOME/credsh/config"; }
write_config $'[trust]\nprefix = ~/trusted\n'

T=$HOME/trusted/app O=$HOME/work/app L=$HOME/work/link
mkdir -p "$T" "$O" "$L" "$HOME/trustedx/app"
printf 'profile = infra\n' >"$T/.credprofile"
printf 'profile = infra\n' >"$O/.credprofile"
printf 'profile = infra\n' >"$HOME/trustedx/app/.credprofile"
ln -s "$T/.credprofile" "$L/.credprofile" # outside the prefix, pointing into it

# export_in DIR / allow_in DIR [ARGS]: stdout in $OUT, stderr in $ERR, status in $RC.
export_in() {
    OUT=$(cd "$1" && timeout 10 "$CREDSH_BIN" export bash --pid $$ 2>"$T_ROOT/err" </dev/null)
    ERR=$(cat "$T_ROOT/err")
}
allow_in() {
    local d=$1
    shift
    OUT=$(cd "$d" && timeout 10 "$CREDSH_BIN" allow "$@" 2>"$T_ROOT/err" </dev/null)
    RC=$?
    ERR=$(cat "$T_ROOT/err")
}
NOTE="is under [trust] prefix $HOME/trusted, which trusts it already"

export_in "$T"
check_contains "export: a file under the prefix is trusted without allow" "export AWS_PROFILE='infra'" "$OUT"
allow_in "$T"
check "allow under the prefix succeeds" 0 "$RC"
check_contains "allow under the prefix says the prefix trusts it already" "credsh: note: $T/.credprofile $NOTE" "$ERR"
check_contains "allow still shows the bytes it trusts" "  | profile = infra" "$ERR"
write_config ''
export_in "$T"
check_contains "the allow was recorded: trusted after the prefix is gone" "export AWS_PROFILE='infra'" "$OUT"
write_config $'[trust]\nprefix = ~/trusted\n'

export_in "$O"
check_contains "export: a file outside the prefix is blocked" "$O/.credprofile is blocked" "$ERR"
allow_in "$O"
check "allow outside the prefix succeeds" 0 "$RC"
check_absent "allow outside the prefix: no prefix note" "[trust] prefix" "$ERR"

allow_in "$HOME/trustedx/app"
check_absent "a sibling tree whose name starts like the prefix is not under it" "[trust] prefix" "$ERR"

export_in "$L"
check_contains "export: a link outside the prefix pointing into it is blocked" "$L/.credprofile is blocked" "$ERR"
allow_in "$L"
check "allow of that link succeeds" 0 "$RC"
check_contains "allow of that link names link and target" "(a symlink to $T/.credprofile)" "$ERR"
check_absent "allow of that link: no prefix note (its key path is outside)" "[trust] prefix" "$ERR"

write_config $'[trust]\nprefix = ~/trusted\n'
mkdir -p "$HOME/trusted/denied"
printf 'profile = infra\n' >"$HOME/trusted/denied/.credprofile"
(cd "$HOME/trusted/denied" && "$CREDSH_BIN" deny 2>/dev/null)
export_in "$HOME/trusted/denied"
check_contains "a deny wins over the prefix in export" "denied" "$ERR"
allow_in "$HOME/trusted/denied"
check_contains "allow of a denied file under the prefix: the note" "$NOTE" "$ERR"
export_in "$HOME/trusted/denied"
check_contains "and it is used again" "export AWS_PROFILE='infra'" "$OUT"
finish
