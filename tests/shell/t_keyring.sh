#!/usr/bin/env bash
# credsh store / remove / store --migrate with the keyring plugin (issue 14, docs/security.md 29), against the
# real thing, started and stopped here by PID:
#   1. the Secret Service: a private D-Bus session bus (dbus-daemon --session, as dbus-run-session starts it)
#      with GNOME Keyring holding a throw-away keyring, unlocked with a password (so its file is encrypted);
#   2. pass: a throw-away GNUPGHOME key (no passphrase) and password store, chosen by default when there is no
#      session bus.
# For each: after store no file under HOME holds the secret (grep -r); the old ~/.aws/config is a byte prefix
# of the new one; credsh exec (without spawning credsh: a recording `credsh` first on PATH stays silent), the AWS
# CLI v2 (`aws configure export-credentials`) and boto3 get the keys; remove leaves nothing in the keyring and
# the config as it was; --migrate removes the plaintext lines and keeps everything else. Failures: a locked
# keyring, no session bus with keyring = secret-service, no bus and no pass: one clear line, non-zero, nothing
# written.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3 dbus-daemon dbus-send gnome-keyring-daemon secret-tool pass gpg gpgconf setsid
AWS=/usr/bin/aws # the Debian AWS CLI v2; the `aws` first on PATH may be something else
"$AWS" --version 2>&1 | grep -q '^aws-cli/2' || { echo "FAIL $T_NAME: $AWS is not the AWS CLI v2"; exit 1; }
python3 -c 'import boto3' 2>/dev/null || need boto3-for-python3
PLUGINS=${CREDSH_PLUGIN_PATH:-$(dirname "$CREDSH_BIN")/../plugins}
[[ -f $PLUGINS/credsh-keyring.so ]] || { echo "FAIL $T_NAME: no credsh-keyring.so in $PLUGINS (libsecret-1-dev missing at build time?)"; exit 1; }

B=$CREDSH_BIN
mkdir -p "$T_ROOT/bin" "$T_ROOT/spy"
ln -s "$(readlink -f "$B")" "$T_ROOT/bin/credsh"
# A `credsh` that only records that it ran: first on PATH where credsh must not spawn itself.
printf '#!/bin/sh\necho "$*" >>%q\nexit 1\n' "$T_ROOT/spy.log" >"$T_ROOT/spy/credsh"
chmod +x "$T_ROOT/spy/credsh"
export PATH=$T_ROOT/bin:$PATH
unset DBUS_SESSION_BUS_ADDRESS GNUPGHOME PASSWORD_STORE_DIR
export AWS_REGION=us-east-1
ID=AKIAKEYRINGSTORE0001
SECRET=S3NT1NEL-keyring-secret-$$
printf '# my config\n[profile other]\nregion = eu-west-1' >"$HOME/.aws/config" # no final newline
cp "$HOME/.aws/config" "$T_ROOT/config.orig"

field() { python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }
boto_key() { python3 -c 'import boto3, sys; c = boto3.Session(profile_name=sys.argv[1]).get_credentials(); print(c.access_key, c.secret_key)' "$1" 2>&1; }
no_secret_under_home() { # DESCRIPTION SECRET
    local hits
    hits=$(grep -rlF -- "$2" "$HOME" 2>/dev/null)
    check "$1" "" "$hits"
}
prefix_of() { # OLD NEW: OLD's bytes are the start of NEW
    local n
    n=$(stat -c %s "$1")
    cmp -s -n "$n" "$1" "$2"
}

# The common checks after `credsh store NAME` with keys ID / SECRET.
check_served() { # LABEL NAME KEYID SECRET
    local label=$1 name=$2 id=$3 secret=$4 out
    no_secret_under_home "$label: no file under HOME holds the secret" "$secret"
    : >"$T_ROOT/spy.log"
    out=$(PATH=$T_ROOT/spy:$PATH "$B" exec -p "$name" -- env 2>"$T_ROOT/err")
    check "$label: credsh exec runs" 0 $?
    check_contains "$label: credsh exec gets the key id" "AWS_ACCESS_KEY_ID=$id" "$out"
    check_contains "$label: credsh exec gets the secret" "AWS_SECRET_ACCESS_KEY=$secret" "$out"
    check "$label: credsh read the keyring without spawning credsh" "" "$(cat "$T_ROOT/spy.log")"
    out=$("$AWS" configure export-credentials --profile "$name" 2>"$T_ROOT/err")
    check "$label: aws configure export-credentials runs" 0 $?
    check "$label: the AWS CLI gets the key id" "$id" "$(field AccessKeyId <<<"$out")"
    check "$label: the AWS CLI gets the secret" "$secret" "$(field SecretAccessKey <<<"$out")"
    check "$label: boto3 gets the keys" "$id $secret" "$(boto_key "$name")"
}

# --- 1. the Secret Service ------------------------------------------------------------------------------------
read -r BUS DBUS_PID < <(dbus-daemon --session --fork --print-address=1 --print-pid=1 | tr '\n' ' ')
[[ -n ${DBUS_PID-} ]] || { echo "FAIL $T_NAME: dbus-daemon did not start"; exit 1; }
T_PIDS+=("$DBUS_PID")
export DBUS_SESSION_BUS_ADDRESS=$BUS
gnome-keyring-daemon --foreground --unlock --components=secrets < <(printf 'keyring-pw-%s' $$) \
    >"$T_ROOT/gnome-keyring.log" 2>&1 &
T_PIDS+=($!)
for ((i = 0; i < 200; i++)); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
        string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true' && break
    sleep 0.05
done
((i < 200)) || { echo "FAIL $T_NAME: GNOME Keyring did not take org.freedesktop.secrets"; exit 1; }

printf '%s\n%s\n' "$ID" "$SECRET" | "$B" store kr --stdin 2>"$T_ROOT/err"
check "ss: store kr --stdin" 0 $?
check_contains "ss: store names the backend" "in the keyring (secret-service)" "$(cat "$T_ROOT/err")"
check_true "ss: the old config is a byte prefix of the new one" prefix_of "$T_ROOT/config.orig" "$HOME/.aws/config"
check "ss: the stanza appended" "$(printf '# my config\n[profile other]\nregion = eu-west-1\n\n[profile kr]\ncredential_process = credsh credential-process --profile kr')" "$(cat "$HOME/.aws/config")"
check_true "ss: the keyring file exists under HOME (so the search covers it)" test -n "$(ls "$XDG_DATA_HOME"/keyrings/*.keyring 2>/dev/null)"
check_served ss kr "$ID" "$SECRET"
out=$("$B" credential-process -p kr 2>"$T_ROOT/err")
check "ss: credential-process -p kr gives the keys" "$ID" "$(field AccessKeyId <<<"$out")"
check "ss: long-term keys: no Expiration" "" "$(field Expiration <<<"$out")"
check "ss: nothing in credsh's cache or the CLI's holds the secret" "" \
    "$(grep -rlF -- "$SECRET" "$XDG_CACHE_HOME" "$HOME/.aws" 2>/dev/null)"

# remove: without a terminal it needs --yes; then nothing is left.
setsid -w "$B" remove kr </dev/null 2>"$T_ROOT/err"
check "ss: remove without a terminal or --yes refuses" 2 $?
check_contains "ss: ... and says to use --yes" "--yes" "$(cat "$T_ROOT/err")"
check_contains "ss: ... and the keys are still there" "$SECRET" "$(secret-tool lookup profile kr 2>/dev/null)"
"$B" remove kr --yes 2>"$T_ROOT/err"
check "ss: remove kr --yes" 0 $?
check "ss: remove leaves nothing in the keyring" "" "$(secret-tool search --all profile kr 2>&1)"
# Byte for byte, but for the final newline the original lacked (append ended its last line).
check "ss: remove gives the config back" "$({ cat "$T_ROOT/config.orig"; echo; } | od -c)" "$(od -c <"$HOME/.aws/config")"

# --migrate: plaintext keys out of ~/.aws/credentials, the profile's other settings kept.
MSECRET=S3NT1NEL-migrate-secret-$$
cat >"$HOME/.aws/credentials" <<EOF
[before]
aws_access_key_id = AKIAKEEPBEFORE000001
aws_secret_access_key = keep-before
[mig]
# the team's key
aws_access_key_id = AKIAKEYRINGMIGRATE01
aws_secret_access_key = $MSECRET
[after]
aws_access_key_id = AKIAKEEPAFTER0000001
aws_secret_access_key = keep-after
EOF
printf '[profile mig]\nregion = eu-central-1\n' >>"$HOME/.aws/config"
"$B" store mig --migrate 2>"$T_ROOT/err"
check "ss: store mig --migrate" 0 $?
check "ss: migrate: the credentials file keeps everything else" "$(printf '[before]\naws_access_key_id = AKIAKEEPBEFORE000001\naws_secret_access_key = keep-before\n# the team'"'"'s key\n[after]\naws_access_key_id = AKIAKEEPAFTER0000001\naws_secret_access_key = keep-after')" "$(cat "$HOME/.aws/credentials")"
check_contains "ss: migrate: credential_process added to the existing section" \
    "$(printf '[profile mig]\ncredential_process = credsh credential-process --profile mig\nregion = eu-central-1')" "$(cat "$HOME/.aws/config")"
check_served "ss migrate" mig AKIAKEYRINGMIGRATE01 "$MSECRET"

# A locked keyring: one clear line, non-zero, nothing written; the hook path asks nothing either.
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
check "ss: the keyring is locked for the next checks" 0 $?
cp "$HOME/.aws/config" "$T_ROOT/config.before"
printf '%s\n%s\n' AKIAKEYRINGLOCKED001 S3NT1NEL-locked-$$ | "$B" store locked --stdin 2>"$T_ROOT/err"
check "ss locked: store fails" 1 $?
check "ss locked: one line on stderr" 1 "$(wc -l <"$T_ROOT/err")"
check_contains "ss locked: it says the keyring is locked" "the keyring is locked" "$(cat "$T_ROOT/err")"
check_true "ss locked: the config is unchanged" cmp -s "$T_ROOT/config.before" "$HOME/.aws/config"
out=$(setsid -w "$B" credential-process -p mig </dev/null 2>"$T_ROOT/err")
check "ss locked: credential-process fails" 1 $?
check "ss locked: credential-process prints nothing on stdout" "" "$out"
check "ss locked: credential-process: one line on stderr" 1 "$(wc -l <"$T_ROOT/err")"
check_contains "ss locked: credential-process says why" "the keyring is locked" "$(cat "$T_ROOT/err")"
# The prompt hook's export (not interactive) never asks to unlock: it says why and ends.
mkdir -p "$HOME/proj"
(cd "$HOME/proj" && "$B" pin mig 2>/dev/null && timeout 60 "$B" export bash </dev/null >/dev/null 2>"$T_ROOT/err")
check_true "ss locked: export (the hook's call) ends by itself" test $? -ne 124
check_contains "ss locked: export says the keyring is locked" "the keyring is locked" "$(cat "$T_ROOT/err")"

# No session bus: keyring = secret-service is one clear error; with no pass either, the default is one too.
mkdir -p "$XDG_CONFIG_HOME/credsh"
printf '[credsh]\nkeyring = secret-service\n' >"$XDG_CONFIG_HOME/credsh/config"
printf '%s\n%s\n' AKIAKEYRINGNOBUS0001 S3NT1NEL-nobus-$$ |
    env -u DBUS_SESSION_BUS_ADDRESS "$B" store nobus --stdin 2>"$T_ROOT/err"
check "no bus, keyring = secret-service: store fails" 1 $?
check "no bus, keyring = secret-service: one line on stderr" 1 "$(wc -l <"$T_ROOT/err")"
check_contains "no bus, keyring = secret-service: it says the Secret Service is unreachable" "the Secret Service" "$(cat "$T_ROOT/err")"
rm "$XDG_CONFIG_HOME/credsh/config"
printf '%s\n%s\n' AKIAKEYRINGNOBUS0001 S3NT1NEL-nobus-$$ |
    env -u DBUS_SESSION_BUS_ADDRESS "$B" store nobus --stdin 2>"$T_ROOT/err"
check "no bus, no pass: store fails" 1 $?
check_contains "no bus, no pass: never a plaintext fallback" "credsh never keeps keys in plaintext" "$(cat "$T_ROOT/err")"
check_true "no bus: the config is unchanged" cmp -s "$T_ROOT/config.before" "$HOME/.aws/config"
no_secret_under_home "no bus: the secret was written nowhere" "S3NT1NEL-nobus-$$"
no_secret_under_home "ss locked: the secret was written nowhere" "S3NT1NEL-locked-$$"

# --- 2. pass --------------------------------------------------------------------------------------------------
unset DBUS_SESSION_BUS_ADDRESS
export GNUPGHOME=$T_ROOT/gnupg
mkdir -m 700 "$GNUPGHOME"
trap 'gpgconf --homedir "$GNUPGHOME" --kill gpg-agent 2>/dev/null; t_cleanup' EXIT
gpg --batch --passphrase '' --quick-gen-key 'credsh test <test@example.invalid>' future-default default never \
    >"$T_ROOT/gpg.log" 2>&1 || { echo "FAIL $T_NAME: gpg could not make a key"; cat "$T_ROOT/gpg.log"; exit 1; }
FPR=$(gpg --list-keys --with-colons 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')
pass init "$FPR" >/dev/null || { echo "FAIL $T_NAME: pass init failed"; exit 1; }
PSECRET=S3NT1NEL-pass-secret-$$
printf '%s\n%s\n' AKIAKEYRINGPASS00001 "$PSECRET" | "$B" store kp --stdin --mfa-serial arn:aws:iam::123456789012:mfa/p 2>"$T_ROOT/err"
check "pass: store kp --stdin (no bus: pass by default)" 0 $?
check_contains "pass: store names the backend" "in the keyring (pass)" "$(cat "$T_ROOT/err")"
check_true "pass: the entry exists, encrypted" test -f "$HOME/.password-store/credsh/aws/kp.gpg"
check_contains "pass: the stanza has the MFA device" "$(printf '[profile kp]\ncredential_process = credsh credential-process --profile kp\nmfa_serial = arn:aws:iam::123456789012:mfa/p')" "$(cat "$HOME/.aws/config")"
out=$(setsid -w "$B" credential-process -p kp </dev/null 2>"$T_ROOT/err")
check "pass, mfa_serial, no terminal: credential-process fails" 1 $?
check "pass, mfa_serial, no terminal: nothing on stdout" "" "$out"
check_contains "pass, mfa_serial, no terminal: it asks for an MFA code" "MFA code" "$(cat "$T_ROOT/err")"
"$B" remove kp --yes 2>"$T_ROOT/err"
check "pass: remove kp --yes" 0 $?
check_true "pass: remove leaves nothing in the store" test ! -e "$HOME/.password-store/credsh/aws/kp.gpg"
check_absent "pass: remove took the stanza and its mfa_serial" "kp" "$(cat "$HOME/.aws/config")"

printf '%s\n%s\n' AKIAKEYRINGPASS00002 "$PSECRET-2" | "$B" store kp2 --stdin 2>"$T_ROOT/err"
check "pass: store kp2 --stdin" 0 $?
check_served pass kp2 AKIAKEYRINGPASS00002 "$PSECRET-2"
printf '[pm]\naws_access_key_id = AKIAKEYRINGPASSMIG01\naws_secret_access_key = %s-m\n' "$PSECRET" >>"$HOME/.aws/credentials"
"$B" store pm --migrate 2>"$T_ROOT/err"
check "pass: store pm --migrate" 0 $?
check_absent "pass migrate: no secret left in ~/.aws/credentials" "$PSECRET-m" "$(cat "$HOME/.aws/credentials")"
check_absent "pass migrate: no [pm] section left in ~/.aws/credentials" "[pm]" "$(cat "$HOME/.aws/credentials")"
check_served "pass migrate" pm AKIAKEYRINGPASSMIG01 "$PSECRET-m"
no_secret_under_home "pass: no file under HOME holds any stored secret" "$PSECRET"
finish
