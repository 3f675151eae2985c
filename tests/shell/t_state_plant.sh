# docs/security.md 32: state others cannot plant. Another local user (useradd, driven with runuser) can write our
# ~/.aws/cli/cache because botocore left it 0777 (as it does under umask 000). They plant the cached role
# credentials for our SSO profile, with an "Env" that names __credsh_bin (the program the hook runs at every
# prompt). `credsh export` must treat the planted entry as a miss with one warning naming the path, tighten the
# directory (ours) to 0700 saying so once, and never export their keys or their variable. An entry of ours that
# names credsh's own variables (__credsh_*, CREDSH_*) is refused the same way; a clean one is used.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/sso_lib.sh"
need python3 sha1sum

add_second_user credsh-sp

sso_write_config
CACHE=$HOME/.aws/cli/cache
ENTRY=$(role_cache_file 111111111111 Admin my-sso)
# Our home is reachable (0711, as many are), and the cache directory is open to all, as botocore left it.
chmod 711 "$T_ROOT" "$HOME" "$HOME/.aws"
mkdir -p "$CACHE" && chmod 711 "$HOME/.aws/cli" && chmod 777 "$CACHE"

exp=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
entry_json() { # KEY ENVNAME
    printf '{"ProviderType":"sso","Credentials":{"AccessKeyId":"%s","SecretAccessKey":"S3NT1NEL-%s","SessionToken":"tok","Expiration":"%s"},"Env":{"%s":"/tmp/evil"}}' \
        "$1" "$1" "$exp" "$2"
}
# The attacker plants the entry for our profile dev.
entry_json AKIAPLANTED __credsh_bin | runuser -u "$ATTACKER" -- sh -c "cat >'$ENTRY'"
check "setup: the planted entry is the attacker's" "$(id -u "$ATTACKER")" "$(stat -c %u "$ENTRY")"

mkdir -p "$HOME/proj" && printf 'profile = dev\n' >"$HOME/proj/.credprofile" && "$CREDSH_BIN" allow "$HOME/proj" 2>/dev/null
ex() {
    OUT=$(cd "$HOME/proj" && timeout 20 "$CREDSH_BIN" export bash --pid $$ 2>"$T_ROOT/err" </dev/null)
    ERR=$(cat "$T_ROOT/err")
}
ex
check_absent "32 a planted cache entry is never used: no keys of theirs" "AKIAPLANTED" "$OUT"
check_absent "32 ... and never their variable" "__credsh_bin" "$(grep -v '^__credsh_state=' <<<"$OUT" | grep -v '^ambient\|^applied')"
check_absent "32 ... nor their path" "/tmp/evil" "$OUT"
check_contains "32 one warning names the planted path" "$ENTRY" "$ERR"
check "32 ... exactly one line names it" 1 "$(grep -c -F "$ENTRY" <<<"$ERR")"
check_contains "32 the loose cache directory is ours: tightened, said once" "$CACHE had mode 0777" "$ERR"
check "32 ... it is 0700 now" 700 "$(stat -c %a "$CACHE")"
ex
check_absent "32 the second export is quiet about the directory" "had mode" "$ERR"

# An entry of ours (0600) whose Env names credsh's own variables is refused too.
for name in __credsh_bin CREDSH_PROMPT __CREDSH_x credsh_scope; do
    rm -f "$ENTRY"
    (umask 077 && entry_json AKIAOURS "$name" >"$ENTRY")
    ex
    check_absent "32 an entry naming $name: not used" "AKIAOURS" "$OUT"
    check_contains "32 an entry naming $name: the warning names it" "$name" "$ERR"
done
# A symlink in the cache directory is never followed, even one of ours.
rm -f "$ENTRY"
(umask 077 && printf '{"Credentials":{"AccessKeyId":"AKIALINKED","SecretAccessKey":"S3NT1NEL-l","SessionToken":"t","Expiration":"%s"}}' "$exp" >"$T_ROOT/elsewhere.json")
ln -s "$T_ROOT/elsewhere.json" "$ENTRY"
ex
check_absent "32 a symlinked cache entry is not followed" "AKIALINKED" "$OUT"
check_contains "32 ... and the warning says so" "symlink" "$ERR"
# A clean entry of ours is used, with no warning.
rm -f "$ENTRY"
(umask 077 && printf '{"Credentials":{"AccessKeyId":"AKIACLEAN","SecretAccessKey":"S3NT1NEL-c","SessionToken":"t","Expiration":"%s"}}' "$exp" >"$ENTRY")
ex
check_contains "32 a clean entry of ours is used" "AKIACLEAN" "$OUT"
check_absent "32 ... without a warning" "$ENTRY" "$ERR"
finish
