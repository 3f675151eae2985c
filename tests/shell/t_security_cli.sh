# docs/security.md 3-5 and 9-18 at the binary's edge: what `credsh export` / `allow` / `exec` print and do when
# the state, the files and the walk up from $PWD are hostile or broken. Every export runs under `timeout 5`
# (a hang fails as exit 124; no timing thresholds otherwise), and every stdout is parsed by the shell it is
# meant for (bash -n, zsh -n, fish --no-execute). This test runs as root in CI containers, so ownership cases
# use chown, and the permission cases that root would bypass run as uid 65534 through setpriv.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash sha256sum timeout python3

FIX=$CREDSH_SRC/tests/shell/fixtures
PS=$T_ROOT/ps
mkdir -p "$PS"
SHELLS=()
for s in bash zsh fish; do command -v "$s" >/dev/null && SHELLS+=("$s"); done
((${#SHELLS[@]} == 3)) || echo "note: only ${SHELLS[*]} available for syntax checks"

write_aws() {
    cat >"$HOME/.aws/config" <<EOF
[profile dev]
region = eu-west-1
[profile proc]
credential_process = /bin/sh $FIX/cred_process.sh $PS proc
[profile killed]
credential_process = /bin/sh $FIX/cred_process.sh $PS killed
[profile cyc-a]
role_arn = arn:aws:iam::123456789012:role/a
source_profile = cyc-b
[profile cyc-b]
role_arn = arn:aws:iam::123456789012:role/b
source_profile = cyc-a
[profile self]
role_arn = arn:aws:iam::123456789012:role/self
source_profile = self
EOF
    cat >"$HOME/.aws/credentials" <<'EOF'
[dev]
aws_access_key_id = AKIADEVSTATIC
aws_secret_access_key = S3NT1NEL-static-dev
EOF
}
write_aws
touch "$PS/killed.kill"
S=$HOME/src
mkdir -p "$S/shop" "$S/proc" "$S/killed" "$S/plain"
printf 'dev\n' >"$S/shop/.credprofile"
printf 'proc\n' >"$S/proc/.credprofile"
printf 'killed\n' >"$S/killed/.credprofile"
for d in shop proc killed; do "$CREDSH_BIN" allow "$S/$d" 2>/dev/null || echo "setup: allow $d failed"; done

# ex [-C DIR | -E SNIPPET] SHELL [ARGS...]: `credsh export SHELL ARGS` in DIR, or after the shell code
# SNIPPET (for directories a plain cd cannot reach), else in the current directory; stdin from $EX_IN
# (default /dev/null). Sets EX_OUT EX_ERR (file names) and EX_RC. Checks never run in subshells (their
# counts would be lost), only the commands under test do.
EX_OUT=$T_ROOT/ex.out EX_ERR=$T_ROOT/ex.err
ex() {
    local go=:
    case $1 in
    -C) go='cd "$2"' ;;
    -E) go=$2 ;;
    esac
    (
        eval "$go" || exit 125 # setup failed: counts as a failure below
        [[ $1 == -[CE] ]] && shift 2
        exec timeout 5 "$CREDSH_BIN" export "$@"
    ) <"${EX_IN:-/dev/null}" >"$EX_OUT" 2>"$EX_ERR"
    EX_RC=$?
}
parses() { # parses SHELL FILE
    case $1 in
    bash) bash -n "$2" 2>/dev/null ;;
    zsh) zsh -n "$2" 2>/dev/null ;;
    fish) fish --no-execute "$2" 2>/dev/null ;;
    esac
}
# all_or_nothing DESC [ARGS...]: for every shell, export returns (no hang, no crash), and stdout is empty or
# parses in that shell.
all_or_nothing() { # all_or_nothing DESC [-C DIR | -E SNIPPET] [ARGS...]
    local d=$1 sh where=()
    shift
    if [[ ${1-} == -[CE] ]]; then where=("$1" "$2"); shift 2; fi
    for sh in "${SHELLS[@]}"; do
        ex "${where[@]}" "$sh" "$@"
        check_true "$d [$sh]: returns without crash or hang (exit $EX_RC)" test "$EX_RC" -lt 124
        check_true "$d [$sh]: stdout empty or valid $sh" eval '[[ ! -s $EX_OUT ]] || parses "$sh" "$EX_OUT"'
    done
}
exports() { grep -q "^export $1=" "$EX_OUT"; } # did the last bash export set NAME?

# ----------------------------------------------------------------------------------------------------
# docs/security.md 3: only allowlisted names, no NUL; a broken state on stdin still gives valid code.
cd "$S/shop" || exit 1
printf 'garbage\n\0\377\nambient AWS_PROFILE\n' >"$T_ROOT/state.garbage"
EX_IN=$T_ROOT/state.garbage all_or_nothing "3 garbage state on stdin" --stdin-state
EX_IN=$T_ROOT/state.garbage ex bash --stdin-state
check "3 garbage state: exit 0" 0 "$EX_RC"
check_true "3 garbage state: the profile still applies" exports AWS_PROFILE

printf 'credsh-state 1\nambient LD_PRELOAD =/tmp/evil.so\napplied LD_PRELOAD -\nambient PATH =/evil\napplied PATH -\n' \
    >"$T_ROOT/state.names"
cd "$S/plain" || exit 1
EX_IN=$T_ROOT/state.names ex bash --stdin-state
check "3 foreign names in the state: exit 0" 0 "$EX_RC"
check_absent "3 foreign names in the state: no LD_PRELOAD on stdout" LD_PRELOAD "$(cat "$EX_OUT")"
check_absent "3 foreign names in the state: no PATH on stdout" "PATH" "$(grep -v '^__credsh_set_watch' "$EX_OUT")"

printf 'credsh-state 1\nambient AWS_PROFILE =a%%00b\napplied AWS_PROFILE -\n' >"$T_ROOT/state.nul"
for sh in "${SHELLS[@]}"; do
    EX_IN=$T_ROOT/state.nul ex "$sh" --stdin-state
    check_true "3 a NUL in a value [$sh]: non-zero exit" test "$EX_RC" -ne 0 -a "$EX_RC" -lt 124
    check "3 a NUL in a value [$sh]: empty stdout" 0 "$(wc -c <"$EX_OUT")"
done

# ----------------------------------------------------------------------------------------------------
# docs/security.md 4: all-or-nothing under injected faults.
cd "$S/shop" || exit 1
printf '[profile dev]\nregion = eu-west-1\n[profile broken\naws_secret_access_key = S3NT1NEL-cfg\n' >"$HOME/.aws/config"
all_or_nothing "4 corrupt ~/.aws/config"
ex bash
check_true "4 corrupt ~/.aws/config: non-zero exit" test "$EX_RC" -ne 0
check_contains "4 corrupt ~/.aws/config: file:line named" "$HOME/.aws/config:3:" "$(cat "$EX_ERR")"
check_no_match "4 corrupt ~/.aws/config: no value echoed" S3NT1NEL "$EX_ERR"
check_no_match "4 corrupt ~/.aws/config: no value on stdout" S3NT1NEL "$EX_OUT"

rm "$HOME/.aws/config" && mkdir "$HOME/.aws/config"
all_or_nothing "4 ~/.aws/config is a directory"
ex bash
check_true "4 ~/.aws/config is a directory: non-zero exit" test "$EX_RC" -ne 0
check_contains "4 ~/.aws/config is a directory: named" "$HOME/.aws/config" "$(cat "$EX_ERR")"
rmdir "$HOME/.aws/config"

mkfifo "$HOME/.aws/config"
all_or_nothing "4/15 ~/.aws/config is a FIFO"
ex bash
check_true "4/15 ~/.aws/config is a FIFO: non-zero exit" test "$EX_RC" -ne 0 -a "$EX_RC" -lt 124
rm "$HOME/.aws/config"
write_aws

cd "$S/killed" || exit 1
all_or_nothing "4 credential_process killed with -9"
ex bash
check_true "4 credential_process killed: non-zero exit" test "$EX_RC" -ne 0 -a "$EX_RC" -lt 124
check_no_match "4 credential_process killed: no half document exported" AKIAHALF "$EX_OUT"
check_true "4 credential_process killed: no key exported" eval '! exports AWS_ACCESS_KEY_ID'
check "4 credential_process killed: one line on stderr" 1 "$(grep -c . "$EX_ERR")"

# ----------------------------------------------------------------------------------------------------
# docs/security.md 5: stdout is only shell code -- after eval, only credsh's variables changed.
env_diff() { # env_diff DIR STATE-FILE: names of variables that a bash eval of export changed or added
    (
        cd "$1" || exit 1
        __credsh_set_watch() { :; }
        compgen -v | sort >"$T_ROOT/vars.before"
        env | sort >"$T_ROOT/env.before"
        eval "$("$CREDSH_BIN" export bash --stdin-state <"$2" 2>/dev/null)"
        compgen -v | sort >"$T_ROOT/vars.after"
        env | sort >"$T_ROOT/env.after"
        {
            comm -13 "$T_ROOT/vars.before" "$T_ROOT/vars.after"
            diff "$T_ROOT/env.before" "$T_ROOT/env.after" | sed -n 's/^[<>] \([^=]*\)=.*/\1/p'
        } | sort -u | grep -Ev '^(AWS_[A-Z_]+|CREDSH_[A-Z_]+|__credsh_[a-z_]+|_|BASH_.*|PIPESTATUS|FUNCNAME)$'
    )
}
: >"$T_ROOT/state.empty"
check "5 static profile: only credsh's variables change" "" "$(env_diff "$S/shop" "$T_ROOT/state.empty")"
check "5 credential_process profile: only credsh's variables change" "" \
    "$(env_diff "$S/proc" "$T_ROOT/state.empty")"
mkdir -p "$S/blocked5" && printf 'dev\n' >"$S/blocked5/.credprofile"
check "5 blocked file (messages): only credsh's variables change" "" \
    "$(env_diff "$S/blocked5" "$T_ROOT/state.empty")"
cd "$S/blocked5" && ex bash
check_no_match "5 the blocked message is not on stdout" "credsh allow" "$EX_OUT"
check_contains "5 the blocked message is on stderr" "credsh allow" "$(cat "$EX_ERR")"
check "5 stdout ends with the end marker" "# credsh-end" "$(tail -n 1 "$EX_OUT")"

# ----------------------------------------------------------------------------------------------------
# docs/security.md 9, 10, 13: strict .credprofile grammar; refusals name file:line and never echo the value.
ALLOW_DIR=$XDG_DATA_HOME/credsh/allow
bad_profile() { # bad_profile NAME LINE CONTENT(printf format)
    local dir=$S/bad-$1 n_before
    mkdir -p "$dir"
    printf "$3" >"$dir/.credprofile"
    n_before=$(ls "$ALLOW_DIR" | wc -l)
    (cd "$dir" && timeout 5 "$CREDSH_BIN" allow) >"$T_ROOT/allow.out" 2>"$T_ROOT/allow.err"
    local rc=$?
    check_true "9 $1: credsh allow refuses (exit $rc)" test "$rc" -ne 0 -a "$rc" -lt 124
    check_contains "9 $1: names file:line" "$dir/.credprofile:$2:" "$(cat "$T_ROOT/allow.err")"
    check_no_match "9 $1: the value is not echoed" Z9Q "$T_ROOT/allow.err"
    check "9 $1: nothing was trusted" "$n_before" "$(ls "$ALLOW_DIR" | wc -l)"
    ex -C "$dir" bash
    check_true "9 $1: export sets no AWS_PROFILE" eval '! exports AWS_PROFILE'
    check_true "9 $1: export marks it blocked" exports CREDSH_BLOCKED
    check_no_match "9 $1: export does not echo the value (stderr)" Z9Q "$EX_ERR"
    check_true "9 $1: export output parses" bash -n "$EX_OUT"
}
bad_profile dotdot 1 'profile = ../../Z9Q\n'
bad_profile abs 1 'profile = /abs/Z9Q\n'
bad_profile cmdsubst 1 'profile = $(id)Z9Q\n'
bad_profile backtick 2 '# ok\nprofile = `id`Z9Q\n'
bad_profile semicolon 1 'profile = dev;Z9Q\n'
bad_profile newline 1 'dev\nZ9Q\n'
bad_profile newline-ini 2 'profile = dev\nZ9Q\n'
bad_profile cyrillic 1 'profile = d\xd0\xb5v-Z9Q\n'
bad_profile bare-cyrillic 1 'd\xd0\xb5vZ9Q\n'
bad_profile region 2 'profile = dev\nregion = eu-west-1;Z9Q\n'
bad_profile aws-config-file 2 'profile = dev\nAWS_CONFIG_FILE = /tmp/Z9Q\n'
bad_profile shared-credentials 1 'AWS_SHARED_CREDENTIALS_FILE = /tmp/Z9Q\nprofile = dev\n'
bad_profile credential-process 3 '# comment\nprofile = dev\ncredential_process = /bin/Z9Q\n'
bad_profile endpoint-url 2 'profile = dev\nendpoint_url = http://Z9Q\n'
bad_profile aws-endpoint-url 2 'profile = dev\nAWS_ENDPOINT_URL_STS = http://Z9Q\n'
bad_profile ca-bundle 2 'profile = dev\nAWS_CA_BUNDLE = /tmp/Z9Q\n'
bad_profile trusted 2 'profile = dev\ntrusted = true\n'
bad_profile section 1 '[Z9Q]\nprofile = dev\n'
bad_profile escape 1 'profile = \033]0;Z9Q\007\n'

# docs/security.md 11: the allow key is sha256(realpath + "\n" + bytes), and allow shows exactly those bytes.
mkdir -p "$S/keyed" && printf '# our project\nprofile = dev\nregion = eu-west-2\n' >"$S/keyed/.credprofile"
(cd "$S/keyed" && "$CREDSH_BIN" allow) 2>"$T_ROOT/allow.err"
want_key=$( { printf '%s\n' "$S/keyed/.credprofile"; cat "$S/keyed/.credprofile"; } | sha256sum | cut -d' ' -f1)
check_true "11 the allow entry is sha256(realpath\\nbytes)" test -f "$ALLOW_DIR/$want_key"
check "11 allow shows exactly the bytes it trusts" "$(sed 's/^/  | /' "$S/keyed/.credprofile")" \
    "$(grep '^  | ' "$T_ROOT/allow.err")"
ln -s "$S/keyed" "$HOME/keyed-link"
ex -C "$HOME/keyed-link" bash
check_true "11 through a symlinked directory the same file is trusted (its directory resolved)" exports AWS_PROFILE
printf '# our project\nprofile = dev\nregion = eu-west-3\n' >"$S/keyed/.credprofile"
ex -C "$S/keyed" bash
check_true "11 one changed byte: not trusted" eval '! exports AWS_PROFILE'

# docs/security.md 13: trust store modes, even under umask 000.
rm -rf "$XDG_DATA_HOME/credsh"
(umask 000 && cd "$S/shop" && "$CREDSH_BIN" allow 2>/dev/null && cd "$S/keyed" && "$CREDSH_BIN" deny 2>/dev/null)
mode() { stat -c %a "$1" 2>/dev/null; }
check "13 trust store dir is 0700 (umask 000)" 700 "$(mode "$XDG_DATA_HOME/credsh")"
check "13 allow dir is 0700" 700 "$(mode "$ALLOW_DIR")"
check "13 deny dir is 0700" 700 "$(mode "$XDG_DATA_HOME/credsh/deny")"
check "13 allow files are 0600" 600 "$(for f in "$ALLOW_DIR"/*; do mode "$f"; done | sort -u)"
check "13 deny files are 0600" 600 "$(for f in "$XDG_DATA_HOME"/credsh/deny/*; do mode "$f"; done | sort -u)"
for d in proc killed; do "$CREDSH_BIN" allow "$S/$d" 2>/dev/null; done

# ----------------------------------------------------------------------------------------------------
# docs/security.md 12: ownership and modes, checked even for files that were allowed while they were safe.
own_case() { # own_case NAME SETUP-COMMAND...: an allowed dev profile in a fresh dir, then SETUP; must be skipped
    local name=$1 dir=$S/own-$1
    shift
    mkdir -p "$dir/sub"
    printf 'dev\n' >"$dir/.credprofile"
    "$CREDSH_BIN" allow "$dir" 2>/dev/null
    ex -C "$dir/sub" bash
    check_true "12 $name: applies while safe" exports AWS_PROFILE
    (cd "$dir" && "$@")
    ex -C "$dir/sub" bash
    check_true "12 $name: skipped" eval '! exports AWS_PROFILE'
    check_contains "12 $name: says why, naming the file" "$dir/.credprofile" "$(cat "$EX_ERR")"
    check_true "12 $name: output parses" bash -n "$EX_OUT"
}
own_case "owned by uid 65534" chown 65534:65534 .credprofile
own_case "mode 0666" chmod 0666 .credprofile
own_case "mode 0620 (group-writable)" chmod 0620 .credprofile
own_case "in a 0777 directory" chmod 0777 .
own_case "in a sticky 1777 directory" chmod 1777 .
own_case "in a 0775 directory owned by another group" sh -c 'chgrp 65534 . && chmod 0775 .'
own_case "symlink owned by uid 65534" sh -c 'mv .credprofile real && ln -s real .credprofile && chown -h 65534 .credprofile'

# ----------------------------------------------------------------------------------------------------
# docs/security.md 15: reads never block and never run away.
odd_case() { # odd_case [-q] NAME SETUP-COMMAND...   (-q: no warning required)
    local quiet=
    if [[ $1 == -q ]]; then quiet=1; shift; fi
    local name=$1 dir=$S/odd-$1
    shift
    mkdir -p "$dir"
    (cd "$dir" && "$@")
    all_or_nothing "15 .credprofile is $name" -C "$dir"
    ex -C "$dir" bash
    check_true "15 $name: nothing applied" eval '! exports AWS_PROFILE'
    [[ -n $quiet ]] || check_true "15 $name: a warning on stderr" test -s "$EX_ERR"
    (cd "$dir" && timeout 5 "$CREDSH_BIN" allow >/dev/null 2>&1)
    local rc=$?
    check_true "15 $name: credsh allow refuses promptly (exit $rc)" test "$rc" -ne 0 -a "$rc" -lt 124
}
odd_case "a FIFO" mkfifo .credprofile
odd_case "a symlink to /dev/zero" ln -s /dev/zero .credprofile
odd_case "a symlink to /dev/urandom" ln -s /dev/urandom .credprofile
odd_case "a directory" mkdir .credprofile
odd_case "a 1 GB sparse file" truncate -s 1G .credprofile
odd_case -q "a symlink loop" ln -s .credprofile .credprofile
odd_case "a unix socket" python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind(".credprofile")'

# ----------------------------------------------------------------------------------------------------
# docs/security.md 16: walk-up edges -- no crash (exit < 124, so no signal and no timeout), valid output.
all_or_nothing "16 deleted cwd" -E 'mkdir -p "$S/gone" && cd "$S/gone" && rmdir "$S/gone"'
mkdir -p "$S/loop/a" && ln -s .. "$S/loop/a/b"
all_or_nothing "16 a/b -> .. loop (PWD through it)" -C "$S/loop/a/b/a/b/a/b/a/b/a/b/a/b/a/b/a"
weird=$'new\nline\xff\xfe name'
mkdir -p "$S/$weird" && printf 'dev\n' >"$S/$weird/.credprofile"
all_or_nothing "16 a directory name with a newline and invalid UTF-8" -C "$S/$weird"
ex -C "$S/$weird" bash
check "16 weird name: the blocked message is one line (path escaped)" 1 "$(grep -c . "$EX_ERR")"
check "16 weird name: CREDSH_BLOCKED holds the exact path" "$S/$weird/.credprofile" \
    "$(__credsh_set_watch() { :; }; eval "$(cat "$EX_OUT")"; printf '%s' "${CREDSH_BLOCKED-}")"
long=$S/long
mkdir -p "$long"
# cd step by step: one chdir() cannot take a path longer than PATH_MAX.
go_long='cd "$long" && for ((i = 0; i < 45; i++)); do d=$(printf "d%099d" $i); { [[ -d $d ]] || mkdir "$d"; } && cd "$d" || exit 1; done'
check_true "16 the long path is over 4 KiB" test "$(eval "$go_long" && echo ${#PWD})" -gt 4096
all_or_nothing "16 a 4.5 KiB path" -E "$go_long"
chmod_case() { # as uid 65534: an ancestor chmod 000 while the cwd is below it; an unreadable ~/.aws/config
    local nb=$T_ROOT/nb
    mkdir -p "$nb/home/.aws" "$nb/home/src/anc/inner"
    printf '[profile dev]\nregion = eu-west-1\naws_secret_access_key = S3NT1NEL-nb\n' >"$nb/home/.aws/config"
    chown -R 65534:65534 "$nb"
    chmod 711 "$T_ROOT"
    local as=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$nb/home" XDG_DATA_HOME= XDG_CONFIG_HOME=
        XDG_CACHE_HOME="$nb/home/.cache")
    (cd "$nb/home/src/anc/inner" && chmod 000 "$nb/home/src/anc" &&
        timeout 5 "${as[@]}" "$CREDSH_BIN" export bash >"$EX_OUT" 2>"$EX_ERR")
    local rc=$?
    check_true "16 chmod 000 ancestor (uid 65534): no crash or hang (exit $rc)" test "$rc" -lt 124
    check_true "16 chmod 000 ancestor: output parses" bash -n "$EX_OUT"
    chmod 755 "$nb/home/src/anc"
    chmod 000 "$nb/home/.aws/config"
    (cd "$nb/home/src" && timeout 5 "${as[@]}" "$CREDSH_BIN" export bash --stdin-state \
        <"$T_ROOT/state.empty" >"$EX_OUT" 2>"$EX_ERR")
    rc=$?
    check_true "4 unreadable ~/.aws/config (uid 65534): non-zero exit ($rc)" test "$rc" -ne 0 -a "$rc" -lt 124
    check_true "4 unreadable ~/.aws/config: output empty or parses" eval '[[ ! -s $EX_OUT ]] || bash -n "$EX_OUT"'
    check_contains "4 unreadable ~/.aws/config: named" "$nb/home/.aws/config" "$(cat "$EX_ERR")"
    chmod 700 "$T_ROOT"
}
if command -v setpriv >/dev/null && [[ $(id -u) == 0 ]]; then
    chmod_case
else
    echo "note: not root or no setpriv; chmod 000 cases skipped (root bypasses modes)"
fi

# ----------------------------------------------------------------------------------------------------
# docs/security.md 17: malformed ~/.aws/config -- the error names file and line, never the contents.
cfg_case() { # cfg_case NAME LINE CONTENT(printf format)
    printf "$3" >"$HOME/.aws/config"
    ex -C "$S/shop" bash
    check_true "17 $1: non-zero exit" test "$EX_RC" -ne 0 -a "$EX_RC" -lt 124
    check_contains "17 $1: names file:line" "$HOME/.aws/config:$2:" "$(cat "$EX_ERR")"
    check_no_match "17 $1: no content echoed" Z9Q "$EX_ERR"
    check_true "17 $1: output parses" bash -n "$EX_OUT"
}
cfg_case "missing bracket" 3 '[profile dev]\nregion = eu-west-1\n[profile x\naws_secret_access_key = Z9Q\n'
cfg_case "continuation before any property" 2 '[profile dev]\n  Z9Qcontinued\n'
cfg_case "line without =" 3 '[profile dev]\nregion = eu-west-1\nZ9Q secret\n'
cfg_case "property before any section" 1 'aws_secret_access_key = Z9Q\n[profile dev]\n'
cfg_case "NUL byte" 2 '[profile dev]\nregion = eu-west-1\0Z9Q\n'
head -c 10485760 /dev/zero | tr '\0' 'Z' >"$T_ROOT/big"
{ printf '[profile dev]\nregion = eu-west-1\nZ9Q'; cat "$T_ROOT/big"; printf '\n'; } >"$T_ROOT/bigcfg"
printf '[profile dev]\n' >"$HOME/.aws/config"
cp "$T_ROOT/bigcfg" "$HOME/.aws/config"
ex -C "$S/shop" bash
check_true "17 a 10 MB line: returns (exit $EX_RC)" test "$EX_RC" -lt 124
check_true "17 a 10 MB line: output parses" bash -n "$EX_OUT"
check_no_match "17 a 10 MB line: no content echoed" Z9Q "$EX_ERR"
check_true "17 a 10 MB line: message names the file" grep -qF "$HOME/.aws/config" "$EX_ERR"
printf '\xef\xbb\xbf[profile dev]\r\nregion = eu-west-1\r\n' >"$HOME/.aws/config"
ex -C "$S/shop" bash
check "17 BOM + CRLF: accepted" 0 "$EX_RC"
check_true "17 BOM + CRLF: the profile applies" exports AWS_PROFILE
write_aws

# ----------------------------------------------------------------------------------------------------
# docs/security.md 18: profile cycles error quickly, naming the profiles.
cycle() { # cycle DESC NAMES... -- COMMAND...
    local d=$1 names=() n
    shift
    while [[ $1 != -- ]]; do names+=("$1"); shift; done
    shift
    (cd "$S/plain" && timeout 5 "$@") >"$T_ROOT/cyc.out" 2>"$T_ROOT/cyc.err"
    local rc=$?
    check_true "18 $d: fails (exit $rc)" test "$rc" -ne 0 -a "$rc" -lt 124
    check_contains "18 $d: says cycle" cycle "$(cat "$T_ROOT/cyc.err")"
    for n in "${names[@]}"; do check_contains "18 $d: names $n" "$n" "$(cat "$T_ROOT/cyc.err")"; done
}
cycle "exec A->B->A" cyc-a cyc-b -- "$CREDSH_BIN" exec -p cyc-a -- true
cycle "export, session A->B->A" cyc-a cyc-b -- "$CREDSH_BIN" export bash --session cyc-b
cycle "self-reference" self -- "$CREDSH_BIN" exec -p self -- true
ex -C "$S/plain" bash --session cyc-a
check_true "18 cycle: export output parses" bash -n "$EX_OUT"
check_true "18 cycle: no key exported" eval '! exports AWS_ACCESS_KEY_ID'

finish
