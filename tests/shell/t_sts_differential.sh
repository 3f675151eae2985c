#!/usr/bin/env bash
# Differential test of role chains: credsh + mfa-sts against the AWS CLI v2 (docs/protocols.md §2), both talking
# to moto, on generated profile graphs (role chains, external id, duration, session name,
# credential_source = Environment, web identity from a profile and from the environment, and broken graphs).
# They must agree on success/failure and on the STS calls made, and each must reuse the other's
# ~/.aws/cli/cache entries without an STS call. tests/shell/sts_differential.py has the details.
#
# The CLI 2.9.19 ignores AWS_ENDPOINT_URL*: it reaches moto through AWS_DATA_PATH, an endpoint rule set for
# sts/2011-06-15 with one unconditional rule. Each parallel worker has its own moto (state is global).
# Replay: CREDSH_STS_DIFF_SEED=S CREDSH_STS_DIFF_N=N bash tests/shell/t_sts_differential.sh (CREDSH_BIN set).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AWS=/usr/bin/aws
need python3 "$AWS" /usr/bin/python3
/usr/bin/python3 -c 'import awscli.botocore' 2>/dev/null ||
    { echo "FAIL $T_NAME: /usr/bin/aws is not the AWS CLI v2 this test expects"; exit 1; }
RULES=/usr/lib/python3/dist-packages/awscli/botocore/data/sts/2011-06-15/endpoint-rule-set-1.json
[[ -f $RULES ]] || { echo "FAIL $T_NAME: $RULES not found"; exit 1; }
SEED=${CREDSH_STS_DIFF_SEED:-20241122}
N=${CREDSH_STS_DIFF_N:-24}
JOBS=${CREDSH_STS_DIFF_JOBS:-2}

motos=()
for ((k = 0; k < JOBS; k++)); do
    start_moto
    motos+=("$MOTO_URL")
    # This moto's endpoint rule set for the CLI: the original's version and parameters, one rule.
    python3 - "$RULES" "$T_ROOT/data-$MOTO_PORT/sts/2011-06-15/endpoint-rule-set-1.json" "$MOTO_URL" <<'PY'
import json, os, sys
src, dst, url = sys.argv[1:4]
r = json.load(open(src))
os.makedirs(os.path.dirname(dst), exist_ok=True)
json.dump({"version": r["version"], "parameters": r["parameters"], "rules": [
    {"conditions": [], "endpoint": {"url": url, "properties": {}, "headers": {}}, "type": "endpoint"}]},
    open(dst, "w"))
PY
done
echo "# $T_NAME: seed $SEED, $N cases, $JOBS workers, $("$AWS" --version 2>&1 | cut -d' ' -f1)"
start=$SECONDS
declare -A shown=()
while IFS=$'\t' read -r desc expected actual; do
    before=$T_FAILS
    check "$desc" "$expected" "$actual"
    if ((T_FAILS > before)); then
        id=${desc#case }
        id=${id%%[^0-9]*}
        id=$((10#${id:-0}))
        [[ -z ${shown[$id]-} ]] && python3 -c 'import json,sys; print("     case:", json.dumps(json.load(open(sys.argv[1]))[int(sys.argv[2])]))' "$T_ROOT/work/cases.json" "$id" 2>/dev/null
        shown[$id]=1
    fi
done < <(mkdir -p "$T_ROOT/work" && python3 "$CREDSH_SRC/tests/shell/sts_differential.py" --seed "$SEED" --n "$N" \
    --cli "$AWS" --credsh "$CREDSH_BIN" --motos "$(IFS=,; echo "${motos[*]}")" --work "$T_ROOT/work" \
    --data-path "$T_ROOT/data-@PORT@")
echo "# ran $N cases in $((SECONDS - start)) s"
finish
