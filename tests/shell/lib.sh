# Shared by the scenario tests (tests/shell/t_*.sh), which ctest runs with CREDSH_BIN set.
# Each test gets a fresh temporary HOME (never the real one), cleans up after itself, and fails loudly:
# a missing tool is a failure under CI=true and a visible "SKIP ... (reason)" plus exit 77 otherwise.
set -u

: "${CREDSH_BIN:?CREDSH_BIN must point at the credsh binary (ctest sets it)}"
: "${CREDSH_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
T_NAME=$(basename "$0" .sh)
T_FAILS=0
T_CHECKS=0
T_PIDS=()
T_USERS=() # local users a test added (add_second_user), removed at exit

# A private scratch area with its own HOME; XDG dirs inside it so nothing leaks to the real user.
T_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/credsh-$T_NAME-XXXXXX")
chmod 700 "$T_ROOT"
export HOME=$T_ROOT/home
mkdir -p "$HOME/.aws" "$HOME/.ask"
export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share XDG_CACHE_HOME=$HOME/.cache
unset XDG_RUNTIME_DIR AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN \
    AWS_SECURITY_TOKEN AWS_REGION AWS_DEFAULT_REGION AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE \
    AWS_CREDENTIAL_EXPIRATION ASK_DEFAULT_PROFILE ASK_ACCESS_TOKEN ASK_REFRESH_TOKEN ASK_VENDOR_ID \
    CREDSH_PROFILE CREDSH_SCOPE CREDSH_REGION CREDSH_EXPIRES CREDSH_BLOCKED CREDSH_ASK_PROFILE \
    BROWSER DISPLAY WAYLAND_DISPLAY # a test never opens a real browser
export AWS_EC2_METADATA_DISABLED=true

t_cleanup() {
    local pid
    for pid in "${T_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for user in "${T_USERS[@]}"; do userdel "$user" 2>/dev/null; done
    chmod -R u+rwx "$T_ROOT" 2>/dev/null
    [[ -n ${T_KEEP-} ]] && { echo "kept $T_ROOT" >&2; return; }
    rm -rf "$T_ROOT"
}
trap t_cleanup EXIT

# need TOOL...: fail (CI=true) or skip loudly when a tool is missing.
need() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 && continue
        if [[ ${CI-} == true ]]; then
            echo "FAIL $T_NAME: required tool '$t' is missing (CI=true: missing dependencies are failures)"
            exit 1
        fi
        echo "SKIP $T_NAME: required tool '$t' is missing -- this test did NOT run"
        exit 77
    done
}

# check DESCRIPTION EXPECTED ACTUAL
check() {
    T_CHECKS=$((T_CHECKS + 1))
    if [[ $2 == "$3" ]]; then
        echo "ok   $1"
    else
        T_FAILS=$((T_FAILS + 1))
        printf 'FAIL %s\n     expected: %q\n     actual:   %q\n' "$1" "$2" "$3"
    fi
}

# check_true DESCRIPTION COMMAND...: passes when the command succeeds.
check_true() {
    local d=$1
    shift
    T_CHECKS=$((T_CHECKS + 1))
    if "$@"; then echo "ok   $d"; else T_FAILS=$((T_FAILS + 1)); echo "FAIL $d"; fi
}

# check_contains DESCRIPTION NEEDLE HAYSTACK / check_absent DESCRIPTION NEEDLE HAYSTACK
check_contains() {
    T_CHECKS=$((T_CHECKS + 1))
    if [[ $3 == *"$2"* ]]; then echo "ok   $1"; else T_FAILS=$((T_FAILS + 1)); printf 'FAIL %s\n     %q not in:\n%s\n' "$1" "$2" "$3"; fi
}
check_absent() {
    T_CHECKS=$((T_CHECKS + 1))
    if [[ $3 != *"$2"* ]]; then echo "ok   $1"; else T_FAILS=$((T_FAILS + 1)); printf 'FAIL %s\n     %q found in:\n%s\n' "$1" "$2" "$3"; fi
}

# Ends the test: the plain closing line, and the exit status. A test that checked nothing fails.
finish() {
    if ((T_CHECKS == 0)); then
        echo "FAIL $T_NAME: no checks ran"
        exit 1
    fi
    echo "$T_NAME: $((T_CHECKS - T_FAILS)) passed, $T_FAILS failed"
    ((T_FAILS == 0))
}

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# check_no_match DESCRIPTION FIXED-STRING FILE: passes when FILE does not contain the string; on failure
# shows the first few offending lines, cut short (for big stderr captures such as xtrace output).
check_no_match() {
    T_CHECKS=$((T_CHECKS + 1))
    if ! grep -qF -- "$2" "$3" 2>/dev/null; then
        echo "ok   $1"
    else
        T_FAILS=$((T_FAILS + 1))
        printf 'FAIL %s\n     %q found in %s, e.g.:\n' "$1" "$2" "$3"
        grep -F -- "$2" "$3" | head -n 5 | cut -c 1-200 | sed 's/^/     | /'
    fi
}

# Local servers, started by the test and stopped by PID at exit (t_cleanup). Nothing listens beyond 127.0.0.1.
# wait_port PORT: until something accepts on 127.0.0.1:PORT (10 s at most).
wait_port() {
    local i
    for ((i = 0; i < 200; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "FAIL $T_NAME: nothing listens on 127.0.0.1:$1 after 10 s" >&2
    return 1
}
# start_moto: a fresh moto_server; sets MOTO_PORT and MOTO_URL.
start_moto() {
    need moto_server
    MOTO_PORT=$(free_port)
    moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$T_ROOT/moto-$MOTO_PORT.log" 2>&1 &
    T_PIDS+=($!)
    MOTO_URL=http://127.0.0.1:$MOTO_PORT
    wait_port "$MOTO_PORT"
}
# start_fake SCRIPT VAR [ARGS...]: runs tests/fakes/SCRIPT (a stdlib-Python server that takes --port) on a free
# port and stores the port in VAR.
start_fake() {
    local script=$1 var=$2 port
    shift 2
    port=$(free_port)
    python3 "$CREDSH_SRC/tests/fakes/$script" --port "$port" "$@" >"$T_ROOT/$script-$port.log" 2>&1 &
    T_PIDS+=($!)
    printf -v "$var" '%s' "$port"
    wait_port "$port"
}

# need_pwsh: PowerShell 7 (`pwsh`) on PATH, else in ~/.dotnet/tools of the user running the tests (where
# `dotnet tool install --global PowerShell`, run by tools/bootstrap, puts it; looked up in the passwd entry,
# since HOME is the test's own here). Adds that directory to PATH and sets PWSH to the program. Missing:
# the same loud skip / CI failure as `need`. PowerShell's telemetry and update check are switched off, so
# no test reaches the internet through it.
need_pwsh() {
    local home dir
    if ! command -v pwsh >/dev/null 2>&1; then
        home=$(getent passwd "$(id -u)" | cut -d: -f6)
        for dir in "$home/.dotnet/tools" "${DOTNET_TOOLS_DIR-}"; do
            [[ -n $dir && -x $dir/pwsh ]] && { PATH=$PATH:$dir; break; }
        done
    fi
    export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off DOTNET_CLI_TELEMETRY_OPTOUT=1
    need pwsh
    PWSH=$(command -v pwsh)
}

# add_second_user PREFIX: a throw-away local user PREFIX-PID (no home, no login shell) in $ATTACKER, for what
# another user of the machine can do (drive it with runuser); t_cleanup removes it. Needs root: otherwise the
# same loud skip (a failure under CI=true) as `need`.
add_second_user() {
    need runuser useradd userdel
    if ((EUID != 0)); then
        if [[ ${CI-} == true ]]; then echo "FAIL $T_NAME: needs root to add a second local user"; exit 1; fi
        echo "SKIP $T_NAME: needs root to add a second local user -- this test did NOT run"
        exit 77
    fi
    ATTACKER=$1-$$
    useradd --no-create-home --shell /usr/sbin/nologin "$ATTACKER" || { echo "FAIL $T_NAME: useradd failed"; exit 1; }
    T_USERS+=("$ATTACKER")
}

# script_shell SHELL FILE: the command that runs the script FILE in SHELL without any startup file of the
# user's or the system's, in SCRIPT_SHELL (an array): bash, zsh, fish, pwsh ($PWSH).
script_shell() {
    case $1 in
    bash) SCRIPT_SHELL=(bash --norc --noprofile "$2") ;;
    zsh) SCRIPT_SHELL=(zsh -f "$2") ;;
    fish) SCRIPT_SHELL=(fish --no-config "$2") ;;
    pwsh) SCRIPT_SHELL=("$PWSH" -NoLogo -NoProfile -NonInteractive -File "$2") ;;
    *) SCRIPT_SHELL=(false) ;;
    esac
}

# counting_wrapper [EXTRA]: $T_ROOT/bin/credsh (put first on PATH, in $WRAP) runs the real binary ($REAL) and
# logs each subcommand to $CALLS, so a test can count the exports a hook runs. `credsh hook SHELL` bakes the
# binary's own path into the hook; the wrapper rewrites it to itself so the hook's calls go through it too.
# EXTRA: one more line of sh run before each call (with $1 the subcommand).
counting_wrapper() {
    REAL=$(readlink -f "$CREDSH_BIN")
    CALLS=$T_ROOT/calls
    WRAP=$T_ROOT/bin/credsh
    mkdir -p "$T_ROOT/bin"
    export PATH=$T_ROOT/bin:$PATH
    cat >"$WRAP" <<WRAPPER
#!/bin/sh
printf '%s\n' "\$1" >>'$CALLS'
${1-}
if [ "\$1" = hook ]; then
    '$REAL' "\$@" | sed 's#$REAL#$WRAP#g'
    exit
fi
exec '$REAL' "\$@"
WRAPPER
    chmod 755 "$WRAP"
}
