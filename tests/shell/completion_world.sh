# Shared by the completion tests (t_completion_*.sh, t_pwsh_scripts.sh): a profile world whose names are
# awkward for every shell, and what `credsh --help` says the completions must cover. Source after lib.sh.
#
# Names: the AWS parser's own edge names (smithy-rs profile-parser-tests.json: "some-thing:long/the_one%only.
# foo@bar+" and the all-valid-characters name), ':' and '=' (where bash splits words), ',' and '@', and from
# ~/.ask/cli_config -- JSON, so any string -- a space, quotes, '$', backticks, a curly quote PowerShell treats
# as a quote, and non-ASCII. A name with a newline must never be offered.

NAMES=(
    "dev"
    "prod"
    "default"
    "some-thing:long/the_one%only.foo@bar+"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    "team=ops,eu@x"
    "my skill"
    "it's \$HOME \`id\`"
    "x’y"
    "café"
)

cat >"$HOME/.aws/config" <<'EOF'
[default]
region = us-east-1
[profile dev]
region = eu-west-1
[profile prod]
region = us-west-2
[profile some-thing:long/the_one%only.foo@bar+]
[profile ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_]
[profile not valid!]
EOF
printf '[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = S3NT1NEL-dev\n' >"$HOME/.aws/credentials"
mkdir -p "$XDG_CONFIG_HOME/credsh"
printf '[profile team=ops,eu@x]\nexport = keys\n' >"$XDG_CONFIG_HOME/credsh/config"
cat >"$HOME/.ask/cli_config" <<'EOF'
{"profiles": {"my skill": {}, "it's $HOME `id`": {}, "x\u2019y": {}, "caf\u00e9": {}, "bad\nname": {}}}
EOF

# world_ok: `credsh profiles` lists exactly NAMES (else the completion checks would test the wrong thing).
world_ok() {
    local got want
    got=$("$CREDSH_BIN" profiles | LC_ALL=C sort)
    want=$(printf '%s\n' "${NAMES[@]}" | LC_ALL=C sort)
    check "credsh profiles lists the test names (none with a newline)" "$want" "$got"
}

# same_set DESCRIPTION EXPECTED-LINES ACTUAL-LINES: equal as sets of lines.
same_set() {
    check "$1" "$(printf '%s\n' "$2" | LC_ALL=C sort -u)" "$(printf '%s\n' "$3" | LC_ALL=C sort -u)"
}

# The subcommands `credsh --help` lists.
help_commands() {
    "$CREDSH_BIN" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'
}

# The options `credsh CMD --help` lists that a person types. Left out: those only the hooks pass, and the
# names of positional arguments (boost lists them as options too).
declare -A INTERNAL_OPTIONS=(
    [completion]=" --shell " [hook]=" --shell " [export]=" --shell --session --pid --stdin-state --forget-hand --memo "
    [exec]=" --session --state-fd --command " [status]=" --session --stdin-state " [use]=" --shell --session "
    [sso]=" --what "
)
help_options() { # help_options CMD
    "$CREDSH_BIN" "$1" --help | grep -oE '^  (-[a-zA-Z] \[ )?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+$' |
        while read -r o; do [[ ${INTERNAL_OPTIONS[$1]-} == *" $o "* ]] || echo "$o"; done
}
