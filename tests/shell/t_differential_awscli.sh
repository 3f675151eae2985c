#!/usr/bin/env bash
# Differential test: credsh against the AWS CLI v2 as the oracle (docs/protocols.md §2).
#
# For N random configs (gen_configs.py, fixed seed, printed) it asks the same question twice -- "which
# credentials does this profile give?" -- once of the CLI itself and once of a CLI running as the child
# of `credsh exec`, and also reads the keys credsh exports in keys mode:
#   (a) credsh exec -p P -- aws configure export-credentials   ==  aws configure export-credentials --profile P
#   (b) credsh exec --mode keys -p P -- env  (AWS_* keys)      ==  the CLI's keys
#   (c) no -p (AWS_PROFILE / environment keys / default only): credsh exec -- aws ...  ==  aws ... (no --profile)
#   (d) success and failure agree (CLI 253/255 vs credsh non-zero)
# plus the effective region, read with the CLI's own vendored botocore in the same Python process.
# Every difference is a failure: there is no documented intentional difference for these inputs.
#
# The CLI is /usr/bin/aws (Debian's v2), never the `aws` first on PATH. It runs with `env -i` and a fresh
# HOME per call, so nothing leaks in, nothing is cached between runs and a failing profile does not fall
# back to IMDS. It is slow (~0.6-2 s a call), so cases run in parallel.
#
# Replay: CREDSH_DIFF_SEED=S CREDSH_DIFF_N=N bash tests/shell/t_differential_awscli.sh (CREDSH_BIN set).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AWS=/usr/bin/aws
need python3 "$AWS" /usr/bin/python3 xargs
if ! /usr/bin/python3 -c 'import awscli.botocore' 2>/dev/null; then
    echo "FAIL $T_NAME: /usr/bin/aws is not the AWS CLI v2 this test expects (no awscli.botocore module)"
    exit 1
fi

SEED=${CREDSH_DIFF_SEED:-20240611}
N=${CREDSH_DIFF_N:-40}
JOBS=${CREDSH_DIFF_JOBS:-$(($(nproc 2>/dev/null || echo 1) + 1))}
GEN=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/gen_configs.py
CASES=$T_ROOT/cases
BIN=$(cd "$(dirname "$CREDSH_BIN")" && pwd)/$(basename "$CREDSH_BIN")

echo "# $T_NAME: seed $SEED, $N cases, $JOBS parallel jobs, $("$AWS" --version 2>&1 | cut -d' ' -f1)"
python3 "$GEN" generate --seed "$SEED" --n "$N" --out "$CASES" || { echo "FAIL $T_NAME: generator failed"; exit 1; }

# One case: every run gets its own copy of the case's HOME (the CLI caches under ~/.aws/cli/cache, credsh
# keeps state under ~/.config and ~/.cache), and exactly the case's environment.
cat >"$T_ROOT/run_case.sh" <<'EOF'
set -u
c=$1 aws=$2 bin=$3 gen=$4
profile=$(<"$c/profile")
envs=(PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true)
while IFS= read -r line; do [[ -n $line ]] && envs+=("$line"); done <"$c/env"
fresh_home() { rm -rf "$c/h_$1"; cp -a "$c/home" "$c/h_$1"; echo "$c/h_$1"; }
cli_p=() exec_p=()
if [[ -n $profile ]]; then cli_p=(--profile "$profile"); exec_p=(-p "$profile"); fi

# The CLI runs as gen_configs.py aws: that executes /usr/bin/aws itself, then writes the region.
h=$(fresh_home direct)
env -i "${envs[@]}" HOME="$h" /usr/bin/python3 "$gen" aws "$c/direct.region" -- \
    configure export-credentials "${cli_p[@]}" --format env-no-export >"$c/direct.out" 2>"$c/direct.err"
echo $? >"$c/direct.rc"

h=$(fresh_home via)
env -i "${envs[@]}" HOME="$h" "$bin" exec "${exec_p[@]}" -- /usr/bin/python3 "$gen" aws "$c/via.region" -- \
    configure export-credentials --format env-no-export >"$c/via.out" 2>"$c/via.err"
echo $? >"$c/via.rc"

h=$(fresh_home keys)
env -i "${envs[@]}" HOME="$h" "$bin" exec --mode keys "${exec_p[@]}" -- /usr/bin/env >"$c/keys.out" 2>"$c/keys.err"
echo $? >"$c/keys.rc"
EOF

start=$SECONDS
find "$CASES" -mindepth 1 -maxdepth 1 -type d | sort |
    xargs -P "$JOBS" -I{} bash "$T_ROOT/run_case.sh" {} "$AWS" "$BIN" "$GEN"
echo "# ran $N cases in $((SECONDS - start)) s"

# Compare: one TSV line per check (description, expected, actual); on a mismatch print the case's config.
declare -A shown=()
agree=0 total=0
while IFS=$'\t' read -r desc expected actual; do
    total=$((total + 1))
    before=$T_FAILS
    check "$desc" "$expected" "$actual"
    if ((T_FAILS > before)); then
        id=${desc#case }
        id=${id%% *}
        if [[ -z ${shown[$id]-} ]]; then
            shown[$id]=1
            sed 's/^/     /' "$CASES/$id/summary"
            for f in direct via keys; do
                [[ -s $CASES/$id/$f.err ]] && { echo "     --- $f stderr:"; sed 's/^/     | /' "$CASES/$id/$f.err"; }
            done
        fi
    else
        agree=$((agree + 1))
    fi
done < <(python3 "$GEN" compare "$CASES")

ncases=$(find "$CASES" -mindepth 1 -maxdepth 1 -type d | wc -l)
check "all $N cases ran" "$N" "$ncases"
echo "# seed $SEED: $agree of $total comparisons agree across $N cases"
finish
