#!/bin/bash
# tools/fuzz.sh BUILD_DIR [SECONDS]: runs every libFuzzer target for SECONDS (default 60) over its named seed
# corpus (tests/fuzz/corpus/<target>/, read-only) plus a scratch corpus in BUILD_DIR, two at a time (two
# cores). A crash, leak, timeout or sanitizer report fails the run; the reproducer lands in BUILD_DIR/artifacts.
set -u
build=$1 seconds=${2:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/artifacts"
run() {
    local t=$1 work="$build/corpus/$1"
    mkdir -p "$work"
    "$build/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$t-" "$work" "$src/tests/fuzz/corpus/$t" >"$build/$t.log" 2>&1
    local rc=$?
    if ((rc == 0)); then
        echo "fuzz $t: ok, $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/$t.log" | grep -o '[0-9]*$') runs in ${seconds}s"
    else
        echo "fuzz $t: FAILED (exit $rc); last lines of $build/$t.log:"
        tail -n 30 "$build/$t.log"
    fi
    return $rc
}
targets=(fuzz_credprofile fuzz_ini fuzz_json_cache fuzz_escape fuzz_lwa_reply fuzz_sts_xml fuzz_secret_formats fuzz_metadata_json
    fuzz_sso_replies)
fails=0 pids=()
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    run "${targets[i]}" & pids=($!)
    if ((i + 1 < ${#targets[@]})); then run "${targets[i + 1]}" & pids+=($!); fi
    for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
done
exit $((fails > 0))
