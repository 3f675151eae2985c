#!/usr/bin/env bash
# IAM Identity Center in a live prompt, driven through tmux in real bash and zsh (the hook runs from
# PROMPT_COMMAND / precmd, keys are typed with send-keys, the screen is read with capture-pane):
#   - cd into a tree pinned to an SSO profile without a token: exactly one line, "credsh: dev needs login — run:
#     credsh login dev", no credentials, and the next prompts stay quiet (no browser, no device flow: docs/security.md 14);
#   - `credsh login dev` typed at the prompt shows the URL and code, the fake approves after two polls, and the
#     very next prompt shows the SSO profile with its time left (no cd needed: the hook watches the cache);
#   - the token expires while in the tree (the clock moved with CREDSH_TEST_NOW, a watched file touched): one
#     hint line, the profile's stale AWS_* variables removed, quiet prompts after; cd out and in: one hint again;
#   - Ctrl-C during `credsh login` stops it and writes nothing;
#   - `aws sso login` from elsewhere (it writes only the token file): the next prompt has credentials, no cd.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/sso_lib.sh"
need tmux bash python3 sha1sum /usr/bin/aws

# No refresh tokens here: an expired token must need a person, not a refresh.
sso_start '{"approve_after": 2, "interval": 1, "issue_refresh_token": false}'
sso_write_config
mkdir -p "$T_ROOT/bin" "$HOME/src/shop"
ln -s "$(readlink -f "$CREDSH_BIN")" "$T_ROOT/bin/credsh"
(cd "$HOME/src/shop" && "$CREDSH_BIN" pin dev 2>/dev/null) || echo "setup: pin dev failed"
TOK=$(token_file my-sso)
cli_data_dir "$T_ROOT/awsdata"

SOCK=$T_ROOT/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; t_cleanup' EXIT
BASE_ENV=(env -i "HOME=$HOME" "PATH=$T_ROOT/bin:/usr/local/bin:/usr/bin:/bin" TERM=screen LANG=C.UTF-8
    "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" "XDG_DATA_HOME=$XDG_DATA_HOME" "XDG_CACHE_HOME=$XDG_CACHE_HOME"
    AWS_EC2_METADATA_DISABLED=true "AWS_ENDPOINT_URL_SSO=$SSO_URL" "AWS_ENDPOINT_URL_SSO_OIDC=$SSO_URL"
    "BROWSER=$T_ROOT/bin/browser")
cat >"$T_ROOT/bin/browser" <<EOF
#!/bin/sh
echo "\$*" >>'$T_ROOT/browser.log'
EOF
chmod 755 "$T_ROOT/bin/browser"

PROMPT_RE='^\[[0-9]+\] '
screen() { tm capture-pane -p -J -S - -t "$SESSION" 2>/dev/null; }
nprompts() { screen | grep -cE "$PROMPT_RE"; }
last_prompt() { screen | grep -E "$PROMPT_RE" | tail -n 1 | sed 's/[[:space:]]*$//'; }
# The lines between the last two prompts, trailing blanks cut (zsh pads a line it redraws with spaces).
last_output() { screen | awk -v re="$PROMPT_RE" '$0 ~ re { out = buf; buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", out }' | sed 's/[[:space:]]*$//; /^$/d'; }
wait_prompts() { # wait_prompts N [TENTHS]: until N prompt lines are on the screen
    local i
    for ((i = 0; i < ${2:-600}; i++)); do
        (($(nprompts) >= $1)) && return 0
        sleep 0.1
    done
    return 1
}
type_line() { # type_line TEXT [TENTHS]
    local n
    n=$(nprompts)
    tm send-keys -t "$SESSION" -l -- "$1"
    tm send-keys -t "$SESSION" Enter
    wait_prompts $((n + 1)) "${2:-600}" || echo "note: no new prompt after: $1"
}
start() {
    SESSION=$1
    shift
    tm -f /dev/null new-session -d -s "$SESSION" -x 250 -y 50 -c "$HOME" "$@"
    wait_prompts 1
}

session_checks() { # session_checks SHELL
    local sh=$1 p out polls
    rm -f "$TOK" "$HOME"/.aws/cli/cache/*.json
    : >"$T_ROOT/browser.log"
    check_true "$sh: first prompt" wait_prompts 1
    devices=$(sso_count StartDeviceAuthorization)

    type_line 'cd ~/src/shop'
    out=$(last_output)
    check "$sh: no token on cd: exactly one line, the hint" "credsh: dev needs login — run: credsh login dev" "$out"
    check "$sh: ...the prompt names the profile with the login mark, without time left" "[0] aws:dev !login (eu-west-1)>" "$(last_prompt)"
    type_line 'echo "K=${AWS_ACCESS_KEY_ID-unset}"'
    check "$sh: ...no credentials in the shell" "K=unset" "$(last_output)"
    type_line 'true'
    check "$sh: the next prompt is quiet" "" "$(last_output)"
    type_line 'true'
    check "$sh: and the one after" "" "$(last_output)"
    check "$sh: the hook started no device flow" "$devices" "$(sso_count StartDeviceAuthorization)"
    check "$sh: the hook opened no browser" "" "$(cat "$T_ROOT/browser.log")"

    polls=$(sso_count CreateToken.device_code)
    type_line 'credsh login dev --no-browser' 300
    out=$(last_output)
    check_contains "$sh: login shows the verification URL" "open     $SSO_URL/device" "$out"
    check_true "$sh: login shows the code" grep -qE 'code +WXYZ-[0-9]{4}' <<<"$out"
    check_contains "$sh: login says signed in" "credsh: signed in: dev" "$out"
    check "$sh: the fake approved on the third poll (two pending)" 3 "$(($(sso_count CreateToken.device_code) - polls))"
    p=$(last_prompt)
    check_true "$sh: the next prompt shows the SSO profile with its time left ($p)" \
        grep -qE '^\[0\] aws:dev \(eu-west-1\) (1h00m|59m)>$' <<<"$p"
    type_line 'echo "K=$AWS_ACCESS_KEY_ID"'
    check_true "$sh: the role credentials are in the shell" grep -q '^K=ASIAFAKE' <<<"$(last_output)"
    type_line 'true'
    check "$sh: quiet once signed in" "" "$(last_output)"

    # Time passes beyond the token (8 h) and the role credentials (1 h); a watched file changes.
    type_line 'export CREDSH_TEST_NOW=$((EPOCHSECONDS + 9 * 3600)); touch ~/.aws/config'
    out=$(last_output)
    check "$sh: expired while in the tree: exactly one line, the hint" "credsh: dev needs login — run: credsh login dev" "$out"
    type_line 'echo "K=${AWS_ACCESS_KEY_ID-unset} S=${AWS_SESSION_TOKEN-unset} E=${AWS_CREDENTIAL_EXPIRATION-unset}"'
    check "$sh: the profile's stale variables are removed" "K=unset S=unset E=unset" "$(last_output)"
    type_line 'true'
    check "$sh: quiet after the hint" "" "$(last_output)"
    type_line 'cd /'
    check "$sh: leaving the tree: nothing said" "" "$(last_output)"
    type_line 'cd ~/src/shop'
    check "$sh: expired token on cd: exactly one hint" "credsh: dev needs login — run: credsh login dev" "$(last_output)"
    type_line 'true'
    check "$sh: quiet again" "" "$(last_output)"
    check "$sh: still no device flow from the hook" "$((devices + 1))" "$(sso_count StartDeviceAuthorization)"

    # Ctrl-C in the middle of a sign-in.
    type_line 'unset CREDSH_TEST_NOW'
    sso_set '{"approve_after": 1000}'
    local before n
    before=$(cat "$TOK" 2>/dev/null)
    n=$(nprompts)
    tm send-keys -t "$SESSION" -l -- 'credsh login dev --no-browser'
    tm send-keys -t "$SESSION" Enter
    for _ in $(seq 600); do screen | grep -q 'Waiting for approval' && [[ $(screen | grep -c 'Waiting for approval') -ge 2 ]] && break; sleep 0.1; done
    sleep 1.5
    tm send-keys -t "$SESSION" C-c
    wait_prompts $((n + 1)) 100
    check_contains "$sh: Ctrl-C stops the sign-in" "cancelled; nothing was written" "$(last_output)"
    check "$sh: ...exit status 1" "[1]" "$(last_prompt | cut -d' ' -f1)"
    check "$sh: ...the token file is as it was" "$before" "$(cat "$TOK" 2>/dev/null)"
    check "$sh: ...no temp files" "" "$(ls -A "$HOME/.aws/sso/cache" | grep -v '\.json$')"
    sso_set '{"approve_after": 2}'

    # Another tool signs in (`aws sso login` writes only the token file): the next prompt picks it up.
    rm -f "$TOK" "$HOME"/.aws/cli/cache/*.json
    type_line 'cd /'
    type_line 'cd ~/src/shop'
    check "$sh: no token again: the hint" "credsh: dev needs login — run: credsh login dev" "$(last_output)"
    aws_cli sso login --profile dev --no-browser >/dev/null 2>&1
    check "$sh: aws sso login (outside this shell) succeeds" 0 "$?"
    type_line 'true'
    check "$sh: the next prompt says nothing" "" "$(last_output)"
    p=$(last_prompt)
    check_true "$sh: ...and shows the profile with time left from the CLI's token ($p)" \
        grep -qE '^\[0\] aws:dev \(eu-west-1\) (1h00m|59m)>$' <<<"$p"
    [[ -n ${T_DUMP_SCREEN-} ]] && screen | sed "s/^/     $sh| /"
    tm kill-session -t "$SESSION" 2>/dev/null
}

cat >"$T_ROOT/bashrc" <<'EOF'
PS1='[$?] ${CREDSH_PROMPT:-none}> '
eval "$(credsh hook bash)"
EOF
start bash "${BASE_ENV[@]}" bash --noprofile --rcfile "$T_ROOT/bashrc" -i
session_checks bash

if command -v zsh >/dev/null; then
    mkdir -p "$T_ROOT/zdot"
    cat >"$T_ROOT/zdot/.zshrc" <<'EOF'
setopt prompt_subst
PROMPT='[%?] ${CREDSH_PROMPT:-none}> '
eval "$(credsh hook zsh)"
EOF
    start zsh "${BASE_ENV[@]}" ZDOTDIR="$T_ROOT/zdot" zsh -i
    session_checks zsh
else
    [[ ${CI-} == true ]] && { echo "FAIL zsh missing under CI=true"; T_FAILS=$((T_FAILS + 1)); }
    echo "SKIP zsh part: zsh is not installed -- it did NOT run"
fi

finish
