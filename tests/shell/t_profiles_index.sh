# `credsh profiles` (what every Tab runs) takes the names from the AWS files' saved section indexes
# (docs/security.md 51): the listing from the index is the listing from the files, an edit shows at once, a
# damaged index is not believed, and a file that does not parse still lists what can be read, says why and
# exits 1. A file's index is only saved once its last change (mtime and ctime, which no one can set back) is
# 2 s old, so before a listing that must save one the test waits for the clock to pass that point.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need strace

cat >"$HOME/.aws/config" <<'EOF'
[default]
region = eu-west-1
[profile dev]
region = eu-west-1
[sso-session corp]
sso_region = eu-west-1
[profile role]
source_profile = dev
role_arn = arn:aws:iam::123456789012:role/R
[services s3ish]
s3 =
  endpoint_url = http://127.0.0.1:9
EOF
cat >"$HOME/.aws/credentials" <<'EOF'
[dev]
aws_access_key_id = AKIAPROFILES
aws_secret_access_key = S3NT1NEL-profiles
[keysonly]
aws_access_key_id = AKIAKEYSONLY
aws_secret_access_key = S3NT1NEL-keysonly
EOF
# settled FILE...: returns once every FILE's last change is at least 2 whole seconds in the past.
settled() {
    local f
    for f; do
        while (($(date +%s) < $(stat -c %Z "$f") + 2)); do sleep 0.2; done
    done
}
settled "$HOME/.aws/config" "$HOME/.aws/credentials"
INDEX=$XDG_CACHE_HOME/credsh/index
want=$'default\ndev\nkeysonly\nrole'

check "first listing: the profile names of both files (no sso-session, no services section)" "$want" \
    "$("$CREDSH_BIN" profiles)"
check "... and it saved an index per file" 2 "$(find "$INDEX" -type f | wc -l)"

# The second listing answers from the indexes: neither AWS file is read (opened only to check its identity,
# never read whole).
# (LeakSanitizer cannot run under ptrace: off for this one run of a sanitizer build.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -e trace=read,openat -o "$T_ROOT/strace" "$CREDSH_BIN" profiles >"$T_ROOT/second" 2>&1
check "second listing: the same names" "$want" "$(cat "$T_ROOT/second")"
aws_fds=$(grep -E 'openat\(.*\.aws/(config|credentials)"' "$T_ROOT/strace" | sed -n 's/.*= \([0-9]*\)$/\1/p' | sort -u)
reads=0
for fd in $aws_fds; do
    n=$(grep -cE "read\($fd, \"\[" "$T_ROOT/strace")
    reads=$((reads + n))
done
check "... opened the AWS files but read neither from its start" "2 0" "$(echo "$aws_fds" | grep -c .) $reads"

# An edit (a new profile) shows at once: the file's identity changed, so its index is not used.
printf '[profile added]\nregion = us-east-1\n' >>"$HOME/.aws/config"
check "an edit shows at the next listing" $'added\n'"$want" "$("$CREDSH_BIN" profiles)"

# Every index damaged: not believed, the files answer.
settled "$HOME/.aws/config"
"$CREDSH_BIN" profiles >/dev/null # saves the new index
for f in "$INDEX"/*; do printf 'garbage' | dd of="$f" bs=1 seek=40 conv=notrunc status=none; done
check "damaged indexes: the same names, from the files" $'added\n'"$want" "$("$CREDSH_BIN" profiles 2>&1)"

# A file that does not parse: every name that can be read, the error with file:line and no value, status 1.
printf 'not a property S3NT1NEL-broken\n' >>"$HOME/.aws/credentials"
out=$("$CREDSH_BIN" profiles 2>"$T_ROOT/err")
check "a broken file: exit status 1" 1 $?
check "... every name that can be read" $'added\n'"$want" "$out"
check_contains "... says where and why" "$HOME/.aws/credentials:7: Expected an '=' sign defining a property" \
    "$(cat "$T_ROOT/err")"
check_no_match "... and echoes no value" S3NT1NEL "$T_ROOT/err"

finish
