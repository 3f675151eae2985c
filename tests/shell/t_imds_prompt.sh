# The prompt path with instance credentials. The imds step is not cached on disk (as in botocore), so what keeps
# a shell from asking IMDS at every prompt is the shell's own state: credentials it exported are reused until 15
# minutes before they expire. Checked in a real interactive bash (bash -i; PROMPT_COMMAND runs before every
# prompt) against the strict IMDS fake, counting its requests, and counting `credsh export` runs through a wrapper
# so that the cases where the hook did call credsh (a cd, an edited watched file) are known to have happened.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash python3 timeout

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY all_proxy ALL_PROXY AWS_EC2_METADATA_DISABLED
counting_wrapper

LOG=$T_ROOT/imds.log
: >"$LOG"
start_fake imds_fake.py P --log "$LOG"
cat >"$HOME/.aws/config" <<'EOF'
[profile ec2]
region = eu-west-1
credential_source = Ec2InstanceMetadata
[profile other]
region = us-west-2
EOF
S=$HOME/src
mkdir -p "$S/a" "$S/b" "$S/plain"
echo ec2 >"$S/a/.credprofile"
echo ec2 >"$S/b/.credprofile"
for d in a b; do "$REAL" allow "$S/$d" 2>/dev/null || echo "setup: allow $d failed"; done

# An interactive bash reading its commands from stdin: each line is one prompt. PS1 marks the prompts on stderr.
# An edit is followed by a short sleep: an export in the same timestamp tick as the edit stamps the shell with
# that same time, and the hook, which cannot tell "just before" from "just after", exports once more on
# purpose. The @tick step makes that case happen on purpose (the config given the stamp's own time).
: >"$CALLS"
OUT=$(cd "$HOME" && env PATH="$T_ROOT/bin:$PATH" AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$P" TERM=dumb \
    timeout 60 bash --norc --noprofile -i 2>"$T_ROOT/bash.err" <<EOF
PS1='@prompt@ '
eval "\$(credsh hook bash)"
echo "@installed calls=\$(grep -c '^export' "$CALLS")"
cd "$S/a"
echo "@a key=\$AWS_ACCESS_KEY_ID"
true
true
echo "@a2 key=\$AWS_ACCESS_KEY_ID calls=\$(grep -c '^export' "$CALLS")"
cd "$S/b"
echo "@b key=\$AWS_ACCESS_KEY_ID"
touch "$HOME/.aws/config"; sleep 0.05
true
echo "@touched key=\$AWS_ACCESS_KEY_ID calls=\$(grep -c '^export' "$CALLS")"
true
true
true
echo "@end key=\$AWS_ACCESS_KEY_ID calls=\$(grep -c '^export' "$CALLS")"
sleep 0.05; touch -r "\$__credsh_stamp" "$HOME/.aws/config"; sleep 0.05
true
echo "@tick calls=\$(grep -c '^export' "$CALLS")"
cd "$S/plain"
echo "@plain key=\${AWS_ACCESS_KEY_ID-unset}"
EOF
)
RC=$?
check "bash ran to the end" 0 "$RC"
line() { grep "^@$1 " <<<"$OUT"; }
check "installing the hook exports once (in HOME, no profile)" "@installed calls=1" "$(line installed)"
check "in a: the instance credentials" "@a key=ASIAIMDSFAKE0000001" "$(line a)"
check "prompts in a: no further export" "@a2 key=ASIAIMDSFAKE0000001 calls=2" "$(line a2)"
check "cd to b (same profile): exported again, same credentials" "@b key=ASIAIMDSFAKE0000001" "$(line b)"
check "a watched file changed: the hook called credsh again" "@touched key=ASIAIMDSFAKE0000001 calls=4" "$(line touched)"
check "more prompts: no further export" "@end key=ASIAIMDSFAKE0000001 calls=4" "$(line end)"
check "an edit in the same timestamp tick as the last export: exported once more" "@tick calls=5" "$(line tick)"
check "cd out of the profile: the keys are gone" "@plain key=unset" "$(line plain)"
prompts=$(grep -o '@prompt@' "$T_ROOT/bash.err" | wc -l | tr -d ' ')
check_true "bash showed a prompt for every line ($prompts)" test "$prompts" -ge 17
# The point of it all: one IMDS round (token, role, credentials) for all those prompts and the three exports
# in the profile (cd a, cd b, the two edits of the config).
check "IMDS was asked once, over all prompts" 3 "$(wc -l <"$LOG" | tr -d ' ')"
check "that one round was IMDSv2" "200 200 200" "$(python3 -c '
import json, sys
print(" ".join(str(json.loads(l)["status"]) for l in open(sys.argv[1])))' "$LOG")"
check "no credential cache file was written for the imds step" "" \
    "$(find "$HOME/.aws/cli" "$XDG_CACHE_HOME/credsh/creds" -type f 2>/dev/null)"

finish
