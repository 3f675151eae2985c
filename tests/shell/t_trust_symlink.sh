# docs/security.md 11 and 30: trust is keyed on the path at which the walk found a .credprofile (its directory
# resolved, the file itself never followed) plus its bytes. A repository that commits `.credprofile` as a
# symlink -- relative (../infra/.credprofile) or absolute -- to a file the user already allowed stays blocked
# on `cd`, in a real bash with the hook and through `credsh export`; a link outside a `[trust] prefix` that
# points into it is not trusted; `credsh allow` on a link shows the link and its target, and trusts the link's
# path only.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash timeout

cat >"$HOME/.aws/config" <<'EOF2'
[profile infra]
region = eu-west-1
EOF2
cat >"$HOME/.aws/credentials" <<'EOF2'
[infra]
aws_access_key_id = AKIAINFRASTATIC
aws_secret_access_key = S3NT1NEL-infra
EOF2
mkdir -p "$XDG_CONFIG_HOME/credsh"
cat >"$XDG_CONFIG_HOME/credsh/config" <<'EOF2'
[trust]
prefix = ~/trusted
EOF2

W=$HOME/work
mkdir -p "$W/infra" "$W/clone-rel" "$W/clone-abs" "$HOME/trusted/infra" "$W/prefix-link"
printf 'profile = infra\n' >"$W/infra/.credprofile"
"$CREDSH_BIN" allow "$W/infra" 2>/dev/null || echo "setup: allow infra failed"
ln -s ../infra/.credprofile "$W/clone-rel/.credprofile"   # what git checks out for a committed relative link
ln -s "$W/infra/.credprofile" "$W/clone-abs/.credprofile" # an absolute one
printf 'profile = infra\n' >"$HOME/trusted/infra/.credprofile"
ln -s "$HOME/trusted/infra/.credprofile" "$W/prefix-link/.credprofile" # outside the prefix, pointing into it

# export_in DIR: `credsh export bash` run in DIR; stdout in $OUT, stderr in $ERR.
export_in() {
    OUT=$(cd "$1" && timeout 10 "$CREDSH_BIN" export bash --pid $$ 2>"$T_ROOT/err" </dev/null)
    ERR=$(cat "$T_ROOT/err")
}

export_in "$W/infra"
check_contains "the allowed file itself is used" "export AWS_PROFILE='infra'" "$OUT"
for d in clone-rel clone-abs; do
    export_in "$W/$d"
    check_absent "$d: a symlink to an allowed file borrows no trust (no profile)" "AWS_PROFILE=" "$OUT"
    check_absent "$d: no keys either" "AKIAINFRASTATIC" "$OUT"
    check_contains "$d: it is reported blocked, by the link's own path" "$W/$d/.credprofile is blocked" "$ERR"
done
export_in "$HOME/trusted/infra"
check_contains "[trust] prefix: a file inside the prefix is trusted" "export AWS_PROFILE='infra'" "$OUT"
export_in "$W/prefix-link"
check_absent "[trust] prefix: a link outside the prefix pointing into it is not trusted" "AWS_PROFILE=" "$OUT"
check_contains "[trust] prefix: and it says blocked" "$W/prefix-link/.credprofile is blocked" "$ERR"

# A real bash with the hook: cd into the clone with the relative link.
cat >"$T_ROOT/rc.bash" <<EOF2
eval "\$('$CREDSH_BIN' hook bash)"
cd '$W/clone-rel'; _credsh_hook 2>>'$T_ROOT/bash.err'
printf 'rel:%s\n' "\${AWS_PROFILE-unset}"
cd '$W/infra'; _credsh_hook 2>>'$T_ROOT/bash.err'
printf 'infra:%s\n' "\${AWS_PROFILE-unset}"
cd '$W/clone-abs'; _credsh_hook 2>>'$T_ROOT/bash.err'
printf 'abs:%s\n' "\${AWS_PROFILE-unset}"
EOF2
got=$(cd "$HOME" && timeout 30 bash --norc --noprofile -c "source '$T_ROOT/rc.bash'" 2>&1)
check_contains "bash: cd into the clone with a relative link: no profile" "rel:unset" "$got"
check_contains "bash: the allowed directory itself gets its profile" "infra:infra" "$got"
check_contains "bash: cd into the clone with an absolute link: profile removed again" "abs:unset" "$got"

# `credsh allow` on the link shows both paths, and trusts the link's path (not the target's twice).
allow_err=$(cd "$W/clone-rel" && "$CREDSH_BIN" allow 2>&1)
check_contains "allow shows the link's path" "trusting $W/clone-rel/.credprofile" "$allow_err"
check_contains "allow shows the link's target" "(a symlink to $W/infra/.credprofile)" "$allow_err"
export_in "$W/clone-rel"
check_contains "after allowing the link, the clone is trusted" "export AWS_PROFILE='infra'" "$OUT"
export_in "$W/clone-abs"
check_absent "allowing one link covers no other path" "AWS_PROFILE=" "$OUT"
# `credsh allow PATH` names the same thing.
allow_err=$("$CREDSH_BIN" allow "$W/clone-abs/.credprofile" 2>&1)
check_contains "allow PATH on a link names link and target" "$W/clone-abs/.credprofile (a symlink to $W/infra/.credprofile)" "$allow_err"
# Denying the link denies that path only.
"$CREDSH_BIN" deny "$W/clone-abs" 2>/dev/null
export_in "$W/infra"
check_contains "denying a link leaves the file it points to allowed" "export AWS_PROFILE='infra'" "$OUT"
export_in "$W/clone-abs"
check_absent "the denied link itself is not used" "AWS_PROFILE=" "$OUT"
finish
