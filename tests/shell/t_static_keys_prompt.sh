# A profile's own long-term keys exported into the shell (keys mode) follow the credentials file: a key rotated
# there is the shell's at the next prompt, a key removed there leaves the shell (CREDSH_ERROR=failed), and the
# new one comes back when it returns. Applied temporary credentials are reused until near their expiry; these
# have none, and their source costs nothing to read again, so they are never reused (the shell kept a removed
# or rotated key before). In real bash, zsh and fish, the hook called once per prompt.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash zsh fish

mkdir -p "$HOME/p" "$XDG_CONFIG_HOME/credsh"
printf '[profile dev]\nregion = eu-west-1\n' >"$HOME/.aws/config"
printf '[profile dev]\nexport = keys\n' >"$XDG_CONFIG_HOME/credsh/config"
printf 'profile = dev\n' >"$HOME/p/.credprofile"
"$CREDSH_BIN" allow "$HOME/p" >/dev/null 2>&1 || echo "setup: allow failed"
keys() { printf '[dev]\naws_access_key_id = %s\naws_secret_access_key = S3NT1NEL-%s\n' "$1" "$1" >"$HOME/.aws/credentials"; }

for sut in bash zsh fish; do
    keys AKIAFIRST00000000001
    case $sut in
    bash | zsh) hook=_credsh_hook install="eval \"\$($CREDSH_BIN hook $sut)\"" ;;
    fish) hook=__credsh_hook install="$CREDSH_BIN hook fish | source" ;;
    esac
    show='echo "@$step ${AWS_ACCESS_KEY_ID:-unset} ${CREDSH_ERROR:-none}"'
    [[ $sut == fish ]] && show='echo "@$step" (set -q AWS_ACCESS_KEY_ID; and echo $AWS_ACCESS_KEY_ID; or echo unset) (set -q CREDSH_ERROR; and echo $CREDSH_ERROR; or echo none)'
    set_step() { [[ $sut == fish ]] && echo "set step $1" || echo "step=$1"; }
    script="$install
cd '$HOME/p'
$hook
$(set_step first)
$show
printf '[dev]\naws_access_key_id = AKIAROTATED000000002\naws_secret_access_key = S3NT1NEL-r\n' >'$HOME/.aws/credentials'
$hook
$(set_step rotated)
$show
rm '$HOME/.aws/credentials'
$hook
$(set_step removed)
$show
printf '[dev]\naws_access_key_id = AKIABACK000000000003\naws_secret_access_key = S3NT1NEL-b\n' >'$HOME/.aws/credentials'
$hook
$(set_step back)
$show
"
    case $sut in
    bash) cmd=(bash --norc --noprofile) ;;
    zsh) cmd=(zsh -f) ;;
    fish) cmd=(fish --no-config) ;;
    esac
    out=$(cd "$HOME" && printf '%s' "$script" | timeout 60 "${cmd[@]}" 2>"$T_ROOT/err.$sut")
    get() { sed -n "s/^@$1 //p" <<<"$out"; }
    check "$sut: the profile's keys are exported" "AKIAFIRST00000000001 none" "$(get first)"
    check "$sut: a key rotated in the credentials file is the shell's at the next prompt" \
        "AKIAROTATED000000002 none" "$(get rotated)"
    check "$sut: the credentials file removed: the key leaves the shell, and the prompt says so" \
        "unset failed" "$(get removed)"
    check "$sut: a key put back returns" "AKIABACK000000000003 none" "$(get back)"
    check_no_match "$sut: no secret on stderr" S3NT1NEL "$T_ROOT/err.$sut"
done

finish
