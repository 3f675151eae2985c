#!/usr/bin/env bash
# make bench: credsh's speed claims, measured against its peers in one run on this machine (docs/design.md §4).
#
#   1. Steady-state prompt cost, bash and zsh: the hook function itself, called N times in a loop inside
#      ONE shell and timed with $EPOCHREALTIME -- credsh's _credsh_hook vs direnv's _direnv_hook vs `:`
#      (no hook) -- in a directory with an allowed .credprofile / an allowed .envrc exporting AWS_PROFILE.
#      Target: direnv/credsh >= 50x. Also fish, and PowerShell 7: what a prompt pays there (the `prompt`
#      function the hook installs vs PowerShell's own prompt), against direnv's bash hook of the same run
#      (direnv has no PowerShell hook). Target: the hook adds <= 0.01x direnv's bash hook.
#   1c. A cd + its prompt, bash, zsh and fish: into the project and out, the hook after each (credsh's replays the
#      export it kept for a scope seen before, direnv exports and, entering, evaluates .envrc). Target: credsh
#      <= 0.1x direnv. Also, for information, the same with every cd the first visit of its scope (the hook's
#      kept exports dropped before each: `credsh export` runs every time).
#   2. The call after a cd: `credsh export bash --memo` (what the hooks run; allowed .credprofile, no state on stdin) vs
#      `direnv export bash` (allowed .envrc), hyperfine. Target: credsh no slower.
#   3. Credentials of a static profile: `credsh exec --mode keys -p static -- true` vs
#      `/usr/bin/aws configure export-credentials --profile static` (the AWS CLI v2), hyperfine.
#      Target: credsh >= 100x faster.
#   4. Peak RSS (/usr/bin/time -f %M, median of several runs) of `credsh export bash` vs `direnv export bash`.
#   5. `credsh profiles` -- what tab completion runs on every Tab -- with 1,000 profiles spread over
#      ~/.aws/config and ~/.aws/credentials (role chains, sub-properties, comments), hyperfine.
#      Target: <= 10 ms (mean).
#   6. An assume-role profile (mfa-sts plugin, moto as STS): `credsh export bash` after a cd with a warm
#      ~/.aws/cli/cache entry (checked with LD_DEBUG to load no plugin) vs direnv's export; cold (no cache entry:
#      plugin load + AssumeRole round trip) vs `aws configure export-credentials` for the same profile, also cold.
#      Targets: warm <= direnv; cold >= 20x faster than the AWS CLI.
#   7. credsh as a credential_process (issue 14): `credsh credential-process --profile role` with a warm cache
#      entry vs `aws configure export-credentials --profile role` answering from the same entry. Target: credsh
#      >= 20x faster.
#
# Everything runs in a throwaway HOME under `env -i`, so the user's files, hooks and variables play no part.
# Every measurement is checked to be measuring what it claims (the hooks really set AWS_PROFILE, credsh's hook
# really did not call the binary inside the loop, both exports really print AWS_PROFILE, both credential
# commands really resolve the keys); a missing tool or a failed check stops the run with a non-zero status
# rather than print a number. Missed targets are reported in the table; with BENCH_STRICT=1 they also make
# the exit status non-zero.
#
# Knobs: CREDSH_BIN (default: build-bench/bin/credsh, built in Release if missing), BENCH_PROMPTS (credsh
# and no-hook loop length, default 2000), BENCH_DIRENV_PROMPTS (direnv's, default 150: each one spawns a
# process), BENCH_PWSH_PROMPTS (PowerShell's, default 20000), BENCH_ROUNDS (prompt-loop rounds, median taken, default 3), BENCH_AWS_RUNS (default 5), BENCH_RSS_RUNS (default 7), BENCH_STRICT, BENCH_JSON_DIR (keep
# hyperfine's JSON there).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROMPTS=${BENCH_PROMPTS:-2000}
PWSH_PROMPTS=${BENCH_PWSH_PROMPTS:-20000} # a PowerShell prompt costs ~30 µs: a longer loop for a steadier figure
DIRENV_PROMPTS=${BENCH_DIRENV_PROMPTS:-150}
ROUNDS=${BENCH_ROUNDS:-3}
AWS_RUNS=${BENCH_AWS_RUNS:-5}
RSS_RUNS=${BENCH_RSS_RUNS:-7}
AWS=/usr/bin/aws # the Debian AWS CLI v2; the `aws` first on PATH may be something else

die() {
    echo "bench: FAILED: $*" >&2
    exit 1
}

# --- tools ------------------------------------------------------------------------------------------------
for t in bash zsh fish direnv hyperfine python3 "$AWS" /usr/bin/time moto_server curl; do
    command -v "$t" >/dev/null 2>&1 || die "required tool '$t' is missing (Debian: direnv, hyperfine, zsh, fish, awscli, time; moto_server: pip moto[server])"
done
/usr/bin/time -f %M true >/dev/null 2>&1 || die "/usr/bin/time is not GNU time (it must accept -f %M; Debian package 'time')"
"$AWS" --version 2>&1 | grep -q '^aws-cli/2' || die "$AWS is not the AWS CLI v2"

# The binary: the first argument (what `make bench` passes, freshly built), else $CREDSH_BIN, else a Release
# build in build-bench, brought up to date every time (a stale binary would measure old code).
[[ -n ${1-} ]] && CREDSH_BIN=$1
if [[ -z ${CREDSH_BIN-} ]]; then
    CREDSH_BIN=$ROOT/build-bench/bin/credsh
    echo "bench: building $CREDSH_BIN (Release)" >&2
    cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
    make -C "$ROOT/build-bench" -j"$(nproc)" credsh credsh-plugin-mfa-sts >/dev/null
fi
[[ -x $CREDSH_BIN ]] || die "credsh binary not found at $CREDSH_BIN"
CREDSH_BIN=$(cd "$(dirname "$CREDSH_BIN")" && pwd)/$(basename "$CREDSH_BIN")
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$(dirname "$CREDSH_BIN")/../CMakeCache.txt" 2>/dev/null || true)

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- a throwaway world ------------------------------------------------------------------------------------
W=$(mktemp -d "${TMPDIR:-/tmp}/credsh-bench-XXXXXX")
MOTO_PID=
trap 'rm -rf "$W"; [[ -n $MOTO_PID ]] && kill "$MOTO_PID" 2>/dev/null' EXIT
chmod 700 "$W"
H=$W/home
mkdir -p "$H/.aws" "$H/.config" "$H/.cache" "$H/.local/share" "$W/json"
cat >"$H/.aws/credentials" <<'EOF'
[static]
aws_access_key_id = AKIABENCHSTATIC00001
aws_secret_access_key = benchSecretKeyForTheStaticProfile000001

[dev]
aws_access_key_id = AKIABENCHDEV00000001
aws_secret_access_key = benchSecretKeyForTheDevProfile0000000001
EOF
cat >"$H/.aws/config" <<'EOF'
[profile static]
region = us-east-1

[profile dev]
region = eu-west-1
EOF
chmod 600 "$H/.aws/credentials" "$H/.aws/config"
mkdir -p "$W/proj-credsh/src/deep" "$W/proj-direnv/src/deep"
printf 'profile = dev\n' >"$W/proj-credsh/.credprofile"
printf 'export AWS_PROFILE=dev\n' >"$W/proj-direnv/.envrc"

# The environment every measured process gets: nothing from the caller.
CLEAN=(env -i "HOME=$H" "PATH=/usr/bin:/bin" "USER=${USER:-bench}" "TERM=dumb" "LANG=C.UTF-8"
    "XDG_CONFIG_HOME=$H/.config" "XDG_CACHE_HOME=$H/.cache" "XDG_DATA_HOME=$H/.local/share"
    "AWS_EC2_METADATA_DISABLED=true" "BIN=$CREDSH_BIN")
(cd "$W/proj-credsh" && "${CLEAN[@]}" "$CREDSH_BIN" allow) >/dev/null || die "credsh allow failed"
"${CLEAN[@]}" direnv allow "$W/proj-direnv" || die "direnv allow failed"

# --- 1. prompt cost ---------------------------------------------------------------------------------------
# Each loop runs in its own shell, started in the deepest directory so the .credprofile walk is not trivial.
# Prints "per_prompt_us" or fails; the checks run after the loop so they cost the loop nothing.
BASH_LOOP='
cd "$1"; n=$2; what=$3
case $what in
credsh)
    eval "$("$BIN" hook bash)" || exit 1
    _credsh_hook
    [[ ${AWS_PROFILE-} == dev ]] || { echo "credsh hook did not set AWS_PROFILE" >&2; exit 1; }
    eval "$(declare -f __credsh_export | sed "1s/__credsh_export/__bench_orig_export/")"
    calls=0
    __credsh_export() { calls=$((calls + 1)); __bench_orig_export "$@"; }
    f=_credsh_hook ;;
direnv)
    eval "$(direnv hook bash)" || exit 1
    _direnv_hook 2>/dev/null
    [[ ${AWS_PROFILE-} == dev ]] || { echo "direnv hook did not set AWS_PROFILE" >&2; exit 1; }
    calls=0
    f=_direnv_hook ;;
none) calls=0; f=: ;;
esac
read -ra s0 </proc/$$/stat
t0=$EPOCHREALTIME
for ((i = 0; i < n; i++)); do $f; done
t1=$EPOCHREALTIME
read -ra s1 </proc/$$/stat
((calls == 0)) || { echo "credsh hook ran the binary $calls times in steady state" >&2; exit 1; }
[[ $what == none || ${AWS_PROFILE-} == dev ]] || { echo "$what: AWS_PROFILE lost in the loop" >&2; exit 1; }
echo $(( (${t1/./} - ${t0/./}) )) $(( s1[13] + s1[14] + s1[15] + s1[16] - s0[13] - s0[14] - s0[15] - s0[16] ))
'
ZSH_LOOP='
zmodload zsh/datetime
cd "$1"; n=$2; what=$3
case $what in
credsh)
    eval "$("$BIN" hook zsh)" || exit 1
    _credsh_hook
    [[ ${AWS_PROFILE-} == dev ]] || { echo "credsh hook did not set AWS_PROFILE" >&2; exit 1; }
    functions -c __credsh_export __bench_orig_export
    calls=0
    __credsh_export() { calls=$((calls + 1)); __bench_orig_export "$@"; }
    f=_credsh_hook ;;
direnv)
    eval "$(direnv hook zsh)" || exit 1
    _direnv_hook 2>/dev/null
    [[ ${AWS_PROFILE-} == dev ]] || { echo "direnv hook did not set AWS_PROFILE" >&2; exit 1; }
    calls=0
    f=_direnv_hook ;;
none) calls=0; f=: ;;
esac
s0=(${=$(</proc/$$/stat)})
t0=$EPOCHREALTIME
for ((i = 0; i < n; i++)); do $f; done
t1=$EPOCHREALTIME
s1=(${=$(</proc/$$/stat)})
((calls == 0)) || { echo "credsh hook ran the binary $calls times in steady state" >&2; exit 1; }
[[ $what == none || ${AWS_PROFILE-} == dev ]] || { echo "$what: AWS_PROFILE lost in the loop" >&2; exit 1; }
printf "%d %d\n" $(( (t1 - t0) * 1000000 )) $(( s1[14] + s1[15] + s1[16] + s1[17] - s0[14] - s0[15] - s0[16] - s0[17] ))
'
# fish has no $EPOCHREALTIME: `date +%s%N` before and after (two processes for the whole loop, < 1 µs per call).
FISH_LOOP='
cd $argv[1]; set n $argv[2]; set what $argv[3]
set -g calls 0
switch $what
case credsh
    $BIN hook fish | source; or exit 1
    __credsh_hook
    test "$AWS_PROFILE" = dev; or begin; echo "credsh hook did not set AWS_PROFILE" >&2; exit 1; end
    functions -c __credsh_export __bench_orig_export
    function __credsh_export; set -g calls (math $calls + 1); __bench_orig_export; end
    set f __credsh_hook
case direnv
    direnv hook fish | source; or exit 1
    __direnv_export_eval 2>/dev/null
    test "$AWS_PROFILE" = dev; or begin; echo "direnv hook did not set AWS_PROFILE" >&2; exit 1; end
    set f __direnv_export_eval
case none
    set f true
end
set -l r (seq $n)
set -l s0 (string split " " < /proc/$fish_pid/stat)
set -l t0 (date +%s%N)
for i in $r; $f; end
set -l t1 (date +%s%N)
set -l s1 (string split " " < /proc/$fish_pid/stat)
test $calls -eq 0; or begin; echo "credsh hook ran the binary $calls times in steady state" >&2; exit 1; end
test $what = none; or test "$AWS_PROFILE" = dev; or begin; echo "$what: AWS_PROFILE lost in the loop" >&2; exit 1; end
echo (math --scale=0 "($t1 - $t0) / 1000") (math "$s1[14] + $s1[15] + $s1[16] + $s1[17] - $s0[14] - $s0[15] - $s0[16] - $s0[17]")
'
# prompt SHELL WHAT DIR N -> "wall_µs cpu_µs" per call: wall from $EPOCHREALTIME, CPU (user+system of the
# shell and its children, /proc/PID/stat, clock ticks) as the figure that load from other processes
# disturbs least.
TICK_US=$((1000000 / $(getconf CLK_TCK)))
prompt() {
    local sh=$1 what=$2 dir=$3 n=$4 total
    if [[ $sh == bash ]]; then
        total=$("${CLEAN[@]}" bash --norc --noprofile -c "$BASH_LOOP" bench "$dir" "$n" "$what") ||
            die "bash prompt loop ($what) failed"
    elif [[ $sh == zsh ]]; then
        total=$("${CLEAN[@]}" zsh -f -c "$ZSH_LOOP" bench "$dir" "$n" "$what") || die "zsh prompt loop ($what) failed"
    else
        total=$("${CLEAN[@]}" fish --no-config -c "$FISH_LOOP" "$dir" "$n" "$what") || die "fish prompt loop ($what) failed"
    fi
    [[ $total =~ ^[0-9]+\ [0-9]+$ ]] || die "$sh prompt loop ($what) printed '$total'"
    python3 -c "print('%.3f %.3f' % (${total% *} / $n, ${total#* } * $TICK_US / $n))"
}

# Load from other processes comes and goes, so the three loops take turns, ROUNDS times, and the fastest
# round counts (noise only ever adds time): credsh and direnv see the same machine.
echo "bench: prompt loops (bash, zsh, fish; $ROUNDS rounds)..." >&2
declare -A P R
fastest() { printf '%s\n' "$@" | sort -g | head -1; }
for sh in bash zsh fish; do
    for what in none credsh direnv; do R[$what]=""; done
    for ((r = 0; r < ROUNDS; r++)); do
        for what in none credsh direnv; do
            if [[ $what == direnv ]]; then
                m=$(prompt "$sh" direnv "$W/proj-direnv/src/deep" "$DIRENV_PROMPTS")
            else
                m=$(prompt "$sh" "$what" "$W/proj-credsh/src/deep" "$PROMPTS")
            fi
            R[$what]+="$m,"
        done
    done
    for what in none credsh direnv; do
        IFS=, read -ra ms <<<"${R[$what]%,}"
        P[$sh,$what]=$(fastest "${ms[@]%% *}")
        P[$sh,$what,cpu]=$(fastest "${ms[@]##* }")
        P[$sh,$what,rounds]="${ms[*]%% *}"
    done
done

# --- 1c. a cd and its prompt ------------------------------------------------------------------------------
# What entering a project and leaving it costs, with the hooks as installed: the same shell cds into the
# project (its .credprofile / .envrc says AWS_PROFILE=dev) and out to a directory with none, running the hook
# function after each cd, CD_PAIRS times; wall time per cd + prompt, children included. Each one re-exports:
# credsh's hook runs `credsh export`, direnv's `direnv export` (which, entering, also runs bash on .envrc).
# Target (issue 16): credsh <= 0.1x direnv. Both are checked to have set and cleared AWS_PROFILE each time.
CD_PAIRS=${BENCH_CD_PAIRS:-20}
mkdir -p "$W/outside"
CD_LOOP='
a=$1; b=$2; n=$3; what=$4; sh=$5
[[ $sh == zsh ]] && zmodload zsh/datetime
cd "$b"
# credsh-first: every cd is the first visit of its scope (the hook keeps no export to replay).
forget() { :; }
if [[ $what == credsh* ]]; then eval "$("$BIN" hook $sh)" || exit 1; f=_credsh_hook
else eval "$(direnv hook $sh)" || exit 1; f=_direnv_hook; fi
[[ $what == credsh-first ]] && forget() { __credsh_memo_t=(); __credsh_memo_c=(); }
$f 2>/dev/null
bad=0
t0=$EPOCHREALTIME
for ((i = 0; i < n; i++)); do
    cd "$a"; forget; $f 2>/dev/null; [[ ${AWS_PROFILE-} == dev ]] || bad=$((bad + 1))
    cd "$b"; forget; $f 2>/dev/null; [[ -z ${AWS_PROFILE-} ]] || bad=$((bad + 1))
done
t1=$EPOCHREALTIME
((bad == 0)) || { echo "$what: AWS_PROFILE wrong after $bad of the cds" >&2; exit 1; }
printf "%d\n" $(( (t1 - t0) * 1000000 / (2 * n) ))
'
# fish: the same loop in fish's syntax (its hooks run at the cd too, on the PWD event, as zsh's at chpwd).
FISH_CD_LOOP='
set a $argv[1]; set b $argv[2]; set n $argv[3]; set what $argv[4]
cd $b
function forget; end
if string match -q "credsh*" $what
    $BIN hook fish | source; or exit 1
    set f __credsh_hook
else
    direnv hook fish | source; or exit 1
    set f __direnv_export_eval
end
test $what = credsh-first; and function forget; set -g __credsh_memo_k; set -g __credsh_memo_t; set -g __credsh_memo_c; end
$f 2>/dev/null
set bad 0
set -l r (seq $n)
set -l t0 (date +%s%N)
for i in $r
    cd $a; forget; $f 2>/dev/null; test "$AWS_PROFILE" = dev; or set bad (math $bad + 1)
    cd $b; forget; $f 2>/dev/null; set -q AWS_PROFILE; and set bad (math $bad + 1)
end
set -l t1 (date +%s%N)
test $bad = 0; or begin; echo "$what: AWS_PROFILE wrong after $bad of the cds" >&2; exit 1; end
echo (math --scale=0 "($t1 - $t0) / 1000 / (2 * $n)")
'
cd_prompt() { # cd_prompt SHELL WHAT -> µs per cd + prompt
    local sh=$1 what=$2 proj out
    proj=$W/proj-${what%-first}/src/deep
    if [[ $sh == fish ]]; then
        out=$("${CLEAN[@]}" fish --no-config -c "$FISH_CD_LOOP" "$proj" "$W/outside" "$CD_PAIRS" "$what") ||
            die "fish cd loop ($what) failed"
    elif [[ $sh == bash ]]; then
        # bash has no floating point: EPOCHREALTIME with its dot removed is microseconds
        out=$("${CLEAN[@]}" bash --norc --noprofile -c "${CD_LOOP//'$(( (t1 - t0) * 1000000 / (2 * n) ))'/'$(( (${t1/./} - ${t0/./}) / (2 * n) ))'}" \
            bench "$proj" "$W/outside" "$CD_PAIRS" "$what" bash) || die "bash cd loop ($what) failed"
    else
        out=$("${CLEAN[@]}" zsh -f -c "$CD_LOOP" bench "$proj" "$W/outside" "$CD_PAIRS" "$what" zsh) ||
            die "zsh cd loop ($what) failed"
    fi
    [[ $out =~ ^[0-9]+$ ]] || die "$sh cd loop ($what) printed '$out'"
    echo "$out"
}
echo "bench: cd + prompt (bash, zsh, fish; $ROUNDS rounds of $CD_PAIRS pairs)..." >&2
for sh in bash zsh fish; do
    for what in credsh credsh-first direnv; do R[$what]=""; done
    for ((r = 0; r < ROUNDS; r++)); do
        for what in credsh credsh-first direnv; do R[$what]+="$(cd_prompt "$sh" "$what"),"; done
    done
    for what in credsh credsh-first direnv; do
        IFS=, read -ra ms <<<"${R[$what]%,}"
        P[$sh,cd,$what]=$(fastest "${ms[@]}")
    done
done
export BENCH_CD="${P[bash,cd,credsh]} ${P[bash,cd,direnv]} ${P[zsh,cd,credsh]} ${P[zsh,cd,direnv]} ${P[bash,cd,credsh-first]} ${P[zsh,cd,credsh-first]} ${P[fish,cd,credsh]} ${P[fish,cd,direnv]} ${P[fish,cd,credsh-first]}"

# --- 1b. PowerShell -------------------------------------------------------------------------------------
# What a prompt costs in PowerShell 7: the `prompt` function PowerShell calls, with the hook installed the
# README's way (it wraps the prompt) vs PowerShell's own prompt without credsh, timed with a Stopwatch after a
# warm-up (the first settled prompt compiles the hook's fast path), CPU from the process's TotalProcessorTime.
# direnv has no PowerShell hook in the version Debian ships (`direnv hook pwsh`: unknown target shell), so what
# the hook adds is set against direnv's bash hook from section 1.
PWSH=$(command -v pwsh || true)
[[ -z $PWSH && -x $HOME/.dotnet/tools/pwsh ]] && PWSH=$HOME/.dotnet/tools/pwsh
[[ -n $PWSH ]] || die "pwsh is missing (tools/bootstrap installs it: dotnet tool install --global PowerShell --version 7.6.10)"
PWSH_LOOP='
param($dir, $n, $what)
Set-Location -LiteralPath $dir
$global:__bench_calls = 0
if ($what -eq "credsh") {
    Invoke-Expression (& $env:BIN hook pwsh | Out-String)
    __credsh_hook
    if ($env:AWS_PROFILE -ne "dev") { [Console]::Error.WriteLine("credsh hook did not set AWS_PROFILE"); exit 1 }
    # In the steady state the binary must not run: a counting stand-in proves it.
    function global:__credsh_export { $global:__bench_calls++ }
}
$f = $function:prompt
# Warm-up, as long as the measured loop: PowerShell compiles a script block only after some calls, and .NET
# optimises hot code in tiers; a shell that has shown a few hundred prompts runs the optimised code.
for ($i = 0; $i -lt $n; $i++) { $null = & $f }
if ($what -eq "credsh" -and $null -eq $global:__credsh_fs) { [Console]::Error.WriteLine("no fast path"); exit 1 }
$p = [System.Diagnostics.Process]::GetCurrentProcess()
$c0 = $p.TotalProcessorTime
$sw = [System.Diagnostics.Stopwatch]::StartNew()
for ($i = 0; $i -lt $n; $i++) { $null = & $f }
$sw.Stop(); $p.Refresh()
$cpu = ($p.TotalProcessorTime - $c0).TotalMicroseconds
if ($global:__bench_calls) { [Console]::Error.WriteLine("credsh hook ran the binary $global:__bench_calls times"); exit 1 }
if ($what -eq "credsh" -and $env:AWS_PROFILE -ne "dev") { [Console]::Error.WriteLine("AWS_PROFILE lost"); exit 1 }
"{0} {1}" -f [long]$sw.Elapsed.TotalMicroseconds, [long]$cpu
'
printf '%s\n' "$PWSH_LOOP" >"$W/loop.ps1"
pwsh_prompt() { # pwsh_prompt WHAT N -> "wall_µs cpu_µs" per call
    local total
    total=$("${CLEAN[@]}" "DOTNET_CLI_TELEMETRY_OPTOUT=1" "POWERSHELL_TELEMETRY_OPTOUT=1" "POWERSHELL_UPDATECHECK=Off" \
        "$PWSH" -NoLogo -NoProfile -NonInteractive -File "$W/loop.ps1" "$W/proj-credsh/src/deep" "$2" "$1") ||
        die "pwsh prompt loop ($1) failed"
    [[ $total =~ ^[0-9]+\ [0-9]+$ ]] || die "pwsh prompt loop ($1) printed '$total'"
    python3 -c "print('%.3f %.3f' % (${total% *} / $2, ${total#* } / $2))"
}
echo "bench: prompt loop (PowerShell; $ROUNDS rounds)..." >&2
R[none]="" R[credsh]=""
for ((r = 0; r < ROUNDS; r++)); do
    for what in none credsh; do R[$what]+="$(pwsh_prompt "$what" "$PWSH_PROMPTS"),"; done
done
for what in none credsh; do
    IFS=, read -ra ms <<<"${R[$what]%,}"
    P[pwsh,$what]=$(fastest "${ms[@]%% *}")
    P[pwsh,$what,cpu]=$(fastest "${ms[@]##* }")
done
export BENCH_PWSH="${P[pwsh,none]} ${P[pwsh,credsh]} ${P[pwsh,none,cpu]} ${P[pwsh,credsh,cpu]} $("$PWSH" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()')"

# --- 2./3. hyperfine --------------------------------------------------------------------------------------
# hf NAME DIR HYPERFINE-ARGS... : runs hyperfine with --shell=none in DIR under the clean environment.
hf() {
    local name=$1 dir=$2
    shift 2
    (cd "$dir" && "${CLEAN[@]}" hyperfine --shell=none --style=none --export-json "$W/json/$name.json" "$@") \
        >"$W/json/$name.log" 2>&1 || { cat "$W/json/$name.log" >&2; die "hyperfine $name failed"; }
}

# What each command prints is checked first: a benchmark of a failing command measures nothing.
out=$(cd "$W/proj-credsh/src/deep" && "${CLEAN[@]}" "$CREDSH_BIN" export bash 2>&1) || die "credsh export bash failed: $out"
[[ $out == *AWS_PROFILE* && $out == *'# credsh-end'* ]] || die "credsh export bash did not export AWS_PROFILE: $out"
out=$(cd "$W/proj-direnv/src/deep" && "${CLEAN[@]}" direnv export bash 2>/dev/null) || die "direnv export bash failed"
[[ $out == *AWS_PROFILE* ]] || die "direnv export bash did not export AWS_PROFILE: $out"
out=$("${CLEAN[@]}" "$CREDSH_BIN" exec --mode keys -p static -- env 2>&1) || die "credsh exec -p static failed: $out"
[[ $out == *AWS_ACCESS_KEY_ID=AKIABENCHSTATIC00001* ]] || die "credsh exec -p static did not export the keys"
out=$("${CLEAN[@]}" "$AWS" configure export-credentials --profile static --format env-no-export 2>&1) ||
    die "aws configure export-credentials failed: $out"
[[ $out == *AWS_ACCESS_KEY_ID=AKIABENCHSTATIC00001* ]] || die "aws configure export-credentials gave other keys"

echo "bench: hyperfine: export after cd..." >&2
hf credsh_export "$W/proj-credsh/src/deep" --warmup 10 --min-runs 100 -n "credsh export bash --memo" "$CREDSH_BIN export bash --memo"
hf direnv_export "$W/proj-direnv/src/deep" --warmup 10 --min-runs 100 -n "direnv export bash" "direnv export bash"
hf floor "$W" --warmup 10 --min-runs 100 -n "true" "/bin/true"
echo "bench: hyperfine: static profile vs the AWS CLI..." >&2
hf credsh_static "$W" --warmup 10 --min-runs 100 -n "credsh exec -p static" \
    "$CREDSH_BIN exec --mode keys -p static -- true"
hf aws_static "$W" --warmup 1 --runs "$AWS_RUNS" -n "aws export-credentials" \
    "$AWS configure export-credentials --profile static --format env-no-export"

# --- 5. credsh profiles, 1,000 profiles ----------------------------------------------------------------------
# Its own HOME, so the other measurements keep their small files.
H1K=$W/home1000
mkdir -p "$H1K/.aws" "$H1K/.config" "$H1K/.cache" "$H1K/.local/share"
python3 - "$H1K" <<'EOF'
import sys
home = sys.argv[1]
with open(home + "/.aws/config", "w") as f:
    for i in range(1000):
        f.write(f"# team {i % 7}\n[profile p{i:04d}]\nregion = eu-west-{1 + i % 3}\noutput = json\n")
        if i % 3 == 0:
            f.write(f"role_arn = arn:aws:iam::123456789012:role/r{i}\nsource_profile = p0001\n")
        if i % 5 == 0:
            f.write("s3 =\n  max_concurrent_requests = 20\n  addressing_style = path\n")
with open(home + "/.aws/credentials", "w") as f:
    for i in range(1, 1000, 2):
        f.write(f"[p{i:04d}]\naws_access_key_id = AKIA{i:016d}\naws_secret_access_key = {'s' * 40}\n")
EOF
chmod 600 "$H1K/.aws/config" "$H1K/.aws/credentials"
CLEAN1K=(env -i "HOME=$H1K" "PATH=/usr/bin:/bin" "TERM=dumb" "LANG=C.UTF-8" "XDG_CONFIG_HOME=$H1K/.config"
    "XDG_CACHE_HOME=$H1K/.cache" "XDG_DATA_HOME=$H1K/.local/share" "AWS_EC2_METADATA_DISABLED=true")
n=$("${CLEAN1K[@]}" "$CREDSH_BIN" profiles | wc -l) || die "credsh profiles failed on the 1,000-profile config"
[[ $n == 1000 ]] || die "credsh profiles listed $n profiles, not 1000"
echo "bench: hyperfine: credsh profiles (1,000 profiles)..." >&2
(cd "$W" && "${CLEAN1K[@]}" hyperfine --shell=none --style=none --export-json "$W/json/profiles1k.json" \
    --warmup 10 --min-runs 100 -n "credsh profiles (1,000)" "$CREDSH_BIN profiles") >"$W/json/profiles1k.log" 2>&1 ||
    { cat "$W/json/profiles1k.log" >&2; die "hyperfine profiles1k failed"; }

# --- 6. an assume-role profile: warm cache, cold, and the AWS CLI -----------------------------------------
STS_SO=$(dirname "$CREDSH_BIN")/../plugins/credsh-mfa-sts.so
[[ -f $STS_SO ]] || die "the mfa-sts plugin is not built next to $CREDSH_BIN ($STS_SO): build target credsh-plugin-mfa-sts"
MOTO_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$W/moto.log" 2>&1 &
MOTO_PID=$!
MOTO=http://127.0.0.1:$MOTO_PORT
for ((i = 0; i < 200; i++)); do curl -s -o /dev/null "$MOTO/moto-api/data.json" && break; sleep 0.05; done
assumed() { curl -s "$MOTO/moto-api/data.json" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("sts", {}).get("AssumedRole", [])))'; }
# The CLI 2.9.19 ignores AWS_ENDPOINT_URL_STS: an endpoint rule set in AWS_DATA_PATH sends it to moto.
python3 -c '
import json, os, sys
r = json.load(open("/usr/lib/python3/dist-packages/awscli/botocore/data/sts/2011-06-15/endpoint-rule-set-1.json"))
os.makedirs(sys.argv[2])
json.dump({"version": r["version"], "parameters": r["parameters"], "rules": [{"conditions": [], "endpoint": {
    "url": sys.argv[1], "properties": {}, "headers": {}}, "type": "endpoint"}]}, open(sys.argv[2] + "/endpoint-rule-set-1.json", "w"))
' "$MOTO" "$W/data/sts/2011-06-15" || die "cannot write the CLI's endpoint rule set"
printf '\n[profile role]\nrole_arn = arn:aws:iam::123456789012:role/Bench\nsource_profile = static\nregion = eu-west-1\n' >>"$H/.aws/config"
mkdir -p "$W/proj-role/src/deep"
printf 'profile = role\n' >"$W/proj-role/.credprofile"
ROLE_ENV=("${CLEAN[@]}" "AWS_ENDPOINT_URL_STS=$MOTO" "AWS_DATA_PATH=$W/data")
(cd "$W/proj-role" && "${ROLE_ENV[@]}" "$CREDSH_BIN" allow) >/dev/null || die "credsh allow (role) failed"
CACHE=$H/.aws/cli/cache
# What is measured is checked first: cold loads the plugin and calls STS, warm loads neither plugin nor libcurl.
rm -rf "$CACHE"
n0=$(assumed)
out=$(cd "$W/proj-role/src/deep" && "${ROLE_ENV[@]}" LD_DEBUG=files "$CREDSH_BIN" export bash 2>&1) || die "credsh export (role, cold) failed: $out"
[[ $out == *"AWS_ACCESS_KEY_ID='ASIA"* && $(assumed) == $((n0 + 1)) ]] || die "credsh export (role, cold) did not assume the role: $out"
[[ $out == *credsh-mfa-sts.so* ]] || die "LD_DEBUG shows no plugin load on the cold path: the warm check would prove nothing"
out=$(cd "$W/proj-role/src/deep" && "${ROLE_ENV[@]}" LD_DEBUG=files "$CREDSH_BIN" export bash 2>&1) || die "credsh export (role, warm) failed"
[[ $out == *"AWS_ACCESS_KEY_ID='ASIA"* && $(assumed) == $((n0 + 1)) ]] || die "credsh export (role, warm) did not use the cache"
[[ $out != *credsh-mfa-sts.so* && $out != *libcurl* ]] || die "the warm export loaded the plugin or libcurl"
rm -rf "$CACHE"
out=$("${ROLE_ENV[@]}" "$AWS" configure export-credentials --profile role --format env-no-export 2>&1) ||
    die "aws configure export-credentials --profile role failed: $out"
[[ $out == *AWS_ACCESS_KEY_ID=ASIA* && $(assumed) == $((n0 + 2)) ]] || die "the AWS CLI did not assume the role at moto: $out"
echo "bench: hyperfine: assume-role profile (warm, cold, AWS CLI cold)..." >&2
hf_role() { # hf_role NAME DIR HYPERFINE-ARGS...: hf with the role environment
    local name=$1 dir=$2
    shift 2
    (cd "$dir" && "${ROLE_ENV[@]}" hyperfine --shell=none --style=none --export-json "$W/json/$name.json" "$@") \
        >"$W/json/$name.log" 2>&1 || { cat "$W/json/$name.log" >&2; die "hyperfine $name failed"; }
}
hf_role role_warm "$W/proj-role/src/deep" --warmup 10 --min-runs 100 -n "credsh export bash (role, warm)" "$CREDSH_BIN export bash --memo"
hf_role role_cold "$W/proj-role/src/deep" --warmup 3 --min-runs 30 --prepare "rm -rf $CACHE" \
    -n "credsh export bash (role, cold)" "$CREDSH_BIN export bash --memo"
hf_role aws_role "$W" --warmup 1 --runs "$AWS_RUNS" --prepare "rm -rf $CACHE" -n "aws export-credentials (role, cold)" \
    "$AWS configure export-credentials --profile role --format env-no-export"
# 7. credsh as a credential_process: the role with the cache entry the AWS CLI's last run left (same key), vs
# the AWS CLI answering from that entry. Checked first: both give the role's keys and nothing reaches moto.
n1=$(assumed)
out=$("${ROLE_ENV[@]}" "$CREDSH_BIN" credential-process --profile role 2>&1) || die "credsh credential-process failed: $out"
[[ $out == *'"AccessKeyId":"ASIA'* && $(assumed) == "$n1" ]] || die "credsh credential-process did not use the cache: $out"
out=$("${ROLE_ENV[@]}" "$AWS" configure export-credentials --profile role --format process 2>&1) ||
    die "aws configure export-credentials (warm) failed: $out"
[[ $out == *'"AccessKeyId": "ASIA'* && $(assumed) == "$n1" ]] || die "the AWS CLI did not use its cache: $out"
echo "bench: hyperfine: credential-process (role, warm) vs the AWS CLI..." >&2
hf_role cp_warm "$W" --warmup 10 --min-runs 100 -n "credsh credential-process (role, warm)" \
    "$CREDSH_BIN credential-process --profile role"
hf_role aws_role_warm "$W" --warmup 1 --runs "$AWS_RUNS" -n "aws export-credentials (role, warm)" \
    "$AWS configure export-credentials --profile role --format process"
[[ $(assumed) == "$n1" ]] || die "the warm credential measurements called STS"

# --- 4. peak RSS ------------------------------------------------------------------------------------------
# rss DIR CMD... -> median of RSS_RUNS peak RSS readings (KiB)
rss() {
    local dir=$1 i v
    shift
    local vals=()
    for ((i = 0; i < RSS_RUNS; i++)); do
        v=$(cd "$dir" && "${CLEAN[@]}" /usr/bin/time -f '%M' -o "$W/rss" "$@" >/dev/null 2>&1 && tail -1 "$W/rss") ||
            die "peak RSS of $* failed"
        vals+=("$v")
    done
    printf '%s\n' "${vals[@]}" | sort -n | sed -n "$(((RSS_RUNS + 1) / 2))p"
}
echo "bench: peak RSS..." >&2
RSS_CREDSH=$(rss "$W/proj-credsh/src/deep" "$CREDSH_BIN" export bash --memo)
RSS_DIRENV=$(rss "$W/proj-direnv/src/deep" direnv export bash)
RSS_AWS=$(RSS_RUNS=1 rss "$W" "$AWS" configure export-credentials --profile static --format env-no-export)

# --- the table --------------------------------------------------------------------------------------------
[[ -n ${BENCH_JSON_DIR-} ]] && { mkdir -p "$BENCH_JSON_DIR"; cp "$W"/json/*.json "$BENCH_JSON_DIR"/; }
status=0
python3 - "$W/json" "${P[bash,none]}" "${P[bash,credsh]}" "${P[bash,direnv]}" \
    "${P[zsh,none]}" "${P[zsh,credsh]}" "${P[zsh,direnv]}" "$RSS_CREDSH" "$RSS_DIRENV" "$RSS_AWS" \
    "$PROMPTS" "$DIRENV_PROMPTS" \
    "${P[bash,none,cpu]}" "${P[bash,credsh,cpu]}" "${P[bash,direnv,cpu]}" \
    "${P[zsh,none,cpu]}" "${P[zsh,credsh,cpu]}" "${P[zsh,direnv,cpu]}" \
    "bash: credsh ${P[bash,credsh,rounds]} µs, direnv ${P[bash,direnv,rounds]} µs; zsh: credsh ${P[zsh,credsh,rounds]} µs, direnv ${P[zsh,direnv,rounds]} µs; fish: credsh ${P[fish,credsh,rounds]} µs, direnv ${P[fish,direnv,rounds]} µs" \
    "${P[fish,none]}" "${P[fish,credsh]}" "${P[fish,direnv]}" "${P[fish,none,cpu]}" "${P[fish,credsh,cpu]}" "${P[fish,direnv,cpu]}" \
    <<'EOF' || status=$?
import json, os, sys
d = sys.argv[1]
bn, bc, bd, zn, zc, zd = map(float, sys.argv[2:8])
rc, rd, ra = map(int, sys.argv[8:11])
n_prompts, n_direnv = sys.argv[11:13]
bnc, bcc, bdc, znc, zcc, zdc = map(float, sys.argv[13:19])
rounds = sys.argv[19]
fn, fc, fd, fnc, fcc, fdc = map(float, sys.argv[20:26])

def hf(name):
    r = json.load(open(os.path.join(d, name + ".json")))["results"][0]
    return r["mean"] * 1e3, r["stddev"] * 1e3 if r["stddev"] is not None else 0.0, r["median"] * 1e3, len(r["times"])

ce, de, cs, aw, fl, pk = (hf("credsh_export"), hf("direnv_export"), hf("credsh_static"), hf("aws_static"),
                          hf("floor"), hf("profiles1k"))
rw, rcold, arole = hf("role_warm"), hf("role_cold"), hf("aws_role")
cpw, arolew = hf("cp_warm"), hf("aws_role_warm")
rows = []
missed = []
def row(what, credsh, peer, ratio, target, ok):
    rows.append((what, credsh, peer, ratio, target, ("yes" if ok else "**NO**") if ok is not None else "-"))
    if ok is False:
        missed.append(what)

for sh, none, c, dv, nonec, cc, dvc in (("bash", bn, bc, bd, bnc, bcc, bdc), ("zsh", zn, zc, zd, znc, zcc, zdc),
                                        ("fish", fn, fc, fd, fnc, fcc, fdc)):
    ratio = dv / c
    # The issue's 50× target is for bash and zsh; fish is reported against the same bar, for information.
    row(f"{sh}: prompt hook, steady state (µs/prompt, wall; CPU in parentheses; no hook "
        f"`{'true' if sh == 'fish' else ':'}` = {none:.1f} µs)",
        f"{c:.0f} µs ({cc:.0f})", f"direnv {dv:.0f} µs ({dvc:.0f})",
        f"{ratio:.0f}× ({dvc / cc:.0f}×)" if cc > 0 else f"{ratio:.0f}× (CPU below one clock tick)",
        "direnv/credsh ≥ 50× (wall)" if sh != "fish" else "info (bash/zsh target: 50×)",
        ratio >= 50 if sh != "fish" else None)
for sh, (c, d, first) in zip(("bash", "zsh", "fish"), ((0, 1, 4), (2, 3, 5), (6, 7, 8))):
    cd = list(map(float, os.environ["BENCH_CD"].split()))
    row(f"{sh}: a cd into the project or out of it, with its prompt (ms each, wall, children included; "
        f"scopes seen before in this shell: the hook replays their export)",
        f"{cd[c] / 1000:.2f} ms", f"direnv {cd[d] / 1000:.2f} ms", f"{cd[c] / cd[d]:.3f}×",
        "credsh ≤ 0.1× direnv" if sh != "fish" else "info (bash/zsh target: 0.1×)",
        cd[c] <= 0.1 * cd[d] if sh != "fish" else None)
    row(f"{sh}: the same, every cd the first visit of its scope in this shell (`credsh export` runs)",
        f"{cd[first] / 1000:.2f} ms", f"direnv {cd[d] / 1000:.2f} ms", f"{cd[first] / cd[d]:.3f}×", "info", None)
pn, pc, pnc, pcc, pver = os.environ["BENCH_PWSH"].split()
pn, pc, pnc, pcc = map(float, (pn, pc, pnc, pcc))
# direnv has no PowerShell hook: what credsh's adds to PowerShell's prompt is set against direnv's bash hook.
added = pc - pn
row(f"pwsh {pver}: what the hook adds to a prompt, steady state (µs/prompt, wall; CPU in parentheses; "
    f"PowerShell's own prompt = {pn:.1f} µs, with the hook {pc:.1f} µs)",
    f"+{added:.1f} µs (+{pcc - pnc:.1f})", f"direnv's bash hook {bd:.0f} µs (no PowerShell hook)",
    f"{added / bd:.4f}× of direnv", "added ≤ 0.01× direnv's bash hook", added <= 0.01 * bd)
ratio = de[0] / ce[0]
row("`export bash` after a cd (ms, mean ± σ, hyperfine)", f"{ce[0]:.2f} ± {ce[1]:.2f} ms",
    f"direnv {de[0]:.2f} ± {de[1]:.2f} ms", f"{ratio:.1f}×", "credsh no slower (≥ 1×)", ratio >= 1.0)
ratio = aw[0] / cs[0]
row("static profile: credentials resolved (ms, mean ± σ)", f"{cs[0]:.2f} ± {cs[1]:.2f} ms",
    f"aws CLI v2 {aw[0]:.0f} ± {aw[1]:.0f} ms", f"{ratio:.0f}×", "credsh ≥ 100× faster", ratio >= 100)
row("`profiles` with 1,000 profiles: what every Tab runs (ms, mean ± σ)", f"{pk[0]:.2f} ± {pk[1]:.2f} ms",
    f"floor `/bin/true` {fl[0]:.2f} ms", "-", "≤ 10 ms", pk[0] <= 10.0)
ratio = de[0] / rw[0]
row("assume-role profile, warm cache: `export bash` after a cd, no plugin loaded (ms, mean ± σ)",
    f"{rw[0]:.2f} ± {rw[1]:.2f} ms", f"direnv {de[0]:.2f} ± {de[1]:.2f} ms", f"{ratio:.1f}×", "credsh ≤ direnv (≥ 1×)",
    ratio >= 1.0)
ratio = arole[0] / rcold[0]
row("assume-role profile, cold: plugin load + AssumeRole at moto (ms, mean ± σ)", f"{rcold[0]:.2f} ± {rcold[1]:.2f} ms",
    f"aws CLI v2 {arole[0]:.0f} ± {arole[1]:.0f} ms (cold cache, same moto)", f"{ratio:.0f}×", "credsh ≥ 20× faster",
    ratio >= 20)
ratio = arolew[0] / cpw[0]
row("assume-role profile, warm cache: `credsh credential-process` vs `aws configure export-credentials` (ms, mean ± σ)",
    f"{cpw[0]:.2f} ± {cpw[1]:.2f} ms", f"aws CLI v2 {arolew[0]:.0f} ± {arolew[1]:.0f} ms (same cache entry)",
    f"{ratio:.0f}×", "credsh ≥ 20× faster", ratio >= 20)
row("`export bash`: peak RSS (KiB, median)", f"{rc} KiB", f"direnv {rd} KiB (aws CLI: {ra} KiB)",
    f"{rd / rc:.1f}×", "info (no target)", None)

print()
print("| measurement | credsh | peer | peer/credsh | target | met |")
print("|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
print()
print(f"Process-start floor on this machine now: `/bin/true` {fl[0]:.2f} ± {fl[1]:.2f} ms (hyperfine).")
print(f"Prompt loop rounds, wall µs/prompt (the fastest counts): {rounds}.")
print(f"Prompt loops: {n_prompts} calls of `_credsh_hook` / `:` and {n_direnv} of `_direnv_hook` per round, each round in one shell, "
      "timed with $EPOCHREALTIME; hyperfine --shell=none runs: "
      f"credsh export {ce[3]}, direnv export {de[3]}, credsh exec {cs[3]}, aws {aw[3]}, credsh profiles {pk[3]}, "
      f"role warm {rw[3]}, role cold {rcold[3]}, aws role {arole[3]}.")
print(f"credsh profiles, 1,000 profiles: {pk[0]:.2f} ms mean, {pk[2]:.2f} ms median (target ≤ 10 ms).")
if missed:
    print("MISSED TARGETS: " + "; ".join(missed))
    sys.exit(3)
EOF
echo "Machine: $(nproc) CPUs, load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end; credsh ${build_type:-?} build $CREDSH_BIN;" \
    "$(direnv version | sed 's/^/direnv /'); $(hyperfine --version); $("$AWS" --version 2>&1 | cut -d' ' -f1);" \
    "bash ${BASH_VERSION%%(*}; $(zsh --version | cut -d' ' -f1-2)"
if ((status == 3)); then
    [[ ${BENCH_STRICT-} == 1 ]] && exit 1
    exit 0
fi
exit "$status"
