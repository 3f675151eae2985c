#!/usr/bin/env bash
# The demo: a throw-away HOME with sample ~/.aws and ~/.ask files, a real bash with the credsh hook, and a
# walk through directories, `credsh use`, `credsh exec` and the prompt segment, printing each step's effect.
# Nothing touches your real HOME or the network.
set -euo pipefail
BIN=$(realpath "${1:-build/bin/credsh}")
DEMO=$(mktemp -d "${TMPDIR:-/tmp}/credsh-demo-XXXXXX")
trap 'rm -rf "$DEMO"' EXIT
export HOME=$DEMO/home
mkdir -p "$HOME/.aws" "$HOME/.ask" "$HOME/bin" "$HOME/src/shop/frontend" "$HOME/src/api" "$HOME/src/skill"

cat >"$HOME/.aws/config" <<'CFG'
[default]
region = us-east-1

[profile dev]
region = eu-west-1

[profile prod]
region = us-west-2

[profile ci]
# Temporary credentials from a helper program, refreshed by credsh before they expire.
credential_process = ~/bin/fake-sts --role ci
CFG
sed -i "s|~/bin|$HOME/bin|" "$HOME/.aws/config"
cat >"$HOME/.aws/credentials" <<'CREDS'
[default]
aws_access_key_id = AKIAIOSFODNN7DEFAULT
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYDEFAULTKEY

[dev]
aws_access_key_id = AKIAIOSFODNN7EXAMPDEV
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEDEV

[prod]
aws_access_key_id = AKIAIOSFODNN7EXAMPROD
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEPRD
CREDS
cat >"$HOME/.ask/cli_config" <<'ASK'
{"profiles": {"skills": {"aws_profile": "dev", "vendor_id": "M1EXAMPLEVENDOR",
  "token": {"access_token": "Atza|demo", "refresh_token": "Atzr|demo", "token_type": "bearer",
            "expires_in": 3600, "expires_at": "2030-01-01T00:00:00.000Z"}}}}
ASK
cat >"$HOME/bin/fake-sts" <<'STS'
#!/bin/sh
# Stands in for a real credential helper: prints credentials valid for one hour.
exp=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
printf '{"Version":1,"AccessKeyId":"ASIADEMOCI%06d","SecretAccessKey":"demo-secret","SessionToken":"demo-token","Expiration":"%s"}\n' $$ "$exp"
STS
chmod +x "$HOME/bin/fake-sts"
chmod 600 "$HOME/.aws/credentials"
printf 'profile = ci\nregion = eu-central-1\n' >"$HOME/src/api/.credprofile"
printf 'skills\n' >"$HOME/src/skill/.credprofile"

cd "$HOME"
env -i HOME="$HOME" PATH="$(dirname "$BIN"):/usr/bin:/bin" TERM=dumb LC_ALL=C.UTF-8 \
    bash --norc --noprofile -c "$(cat <<'SCRIPT'
set -u
shopt -s expand_aliases
show() {
    printf '   AWS_PROFILE=%-8s AWS_REGION=%-13s AWS_ACCESS_KEY_ID=%-22s ASK_DEFAULT_PROFILE=%s\n' \
        "${AWS_PROFILE-(unset)}" "${AWS_REGION-(unset)}" "${AWS_ACCESS_KEY_ID:+${AWS_ACCESS_KEY_ID:0:4}…${AWS_ACCESS_KEY_ID: -4}}" \
        "${ASK_DEFAULT_PROFILE-(unset)}"
    printf '   prompt segment: %s\n\n' "${CREDSH_PROMPT:-(empty)}"
}
step() { printf '\033[1m$ %s\033[0m\n' "$*"; }
prompt() { _credsh_hook; }   # what bash runs before each prompt (PROMPT_COMMAND)

step 'eval "$(credsh hook bash)"      # the one line for ~/.bashrc'
eval "$(credsh hook bash)"; show

step 'cd ~/src/shop && credsh pin dev  # writes and trusts ./.credprofile'
cd ~/src/shop && credsh pin dev; prompt; show

step 'cd frontend                      # still inside the tree'
cd frontend; prompt; show

step 'cd ~/src/api                     # a .credprofile nobody trusted yet'
cd ~/src/api; prompt; show

step 'credsh allow                     # shows the exact bytes, then trusts them'
credsh allow; prompt; show

step 'credsh use prod                  # session scope: this shell only, wins over .credprofile'
credsh use prod; show

step "credsh exec -p dev -- sh -c 'echo \$AWS_PROFILE'   # command scope: only the child"
credsh exec -p dev -- sh -c 'echo "   child sees AWS_PROFILE=$AWS_PROFILE (scope: $CREDSH_SCOPE)"'
echo "   this shell still has AWS_PROFILE=$AWS_PROFILE"; echo

step 'credsh use --clear               # back to the directory scope'
credsh use --clear; show

step 'cd ~/src/skill                   # an ASK CLI project: its .credprofile is not trusted yet'
cd ~/src/skill; prompt; show
step 'credsh allow                     # the ASK CLI profile and its linked AWS profile (dev) apply together'
credsh allow 2>/dev/null; prompt; show

step 'credsh status --explain'
credsh status --explain; echo

step 'cd ~                            # leaving every scope restores what was there before'
cd ~; prompt; show

step 'credsh profiles'
credsh profiles
SCRIPT
)"
