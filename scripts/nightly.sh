#!/usr/bin/env bash
# The nightly regression job (docs/REGRESSION.md, "The nightly job"): one script, the same steps wherever it runs.
# .github/workflows/nightly.yml calls it every night on the whole matrix; .ci/run calls it with --tag ci on every
# change, so the nightly path is exercised by CI.
#   1. dependencies (npm ci when node_modules is missing) and models: scripts/provision-models.sh, every file pinned by
#      sha256 (the weights are the bytes the matrix records; other weights would be CHANGED-INPUT)
#   2. data: --data-dir DIR as it is, or the official BEIR zips, downloaded md5-checked into --datasets DIR
#   3. OpenSearch: $OPENSEARCH_URL when it answers, else a node started here (scripts/opensearch-local.sh), stopped at exit
#   4. the matrix: regress with JUnit XML, a markdown summary (also appended to $GITHUB_STEP_SUMMARY) and the history
#   5. the trend chart of the history, drawn whatever the verdict
#
# Usage: scripts/nightly.sh [--tag TAG] [--data-dir DIR] [--datasets DIR] [--out DIR] [--history FILE] [--matrix FILE]
#   --out DIR       results/, junit.xml, summary.md (default nightly)
#   --history FILE  one JSON line per condition per night, appended; trend.svg is drawn beside it
#                   (default <out>/history/history.jsonl; keep it between nights)
# Environment: BEIR_BENCH_MODELS_DIR (default ~/.cache/beir-bench/models), BEIR_BENCH_CACHE (embedding cache),
#   OPENSEARCH_URL (default http://127.0.0.1:9200), BEIR_BENCH_INDEX_PREFIX (default beir-bench), GITHUB_STEP_SUMMARY.
# Exit status: regress's (0 every check OK or OK*, 1 a FAIL or CHANGED-INPUT, 2 an error), else that of the step that failed.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "nightly: $*" >&2; exit 2; }
log() { echo "nightly: $*" >&2; }

matrix=regressions/beir-e5-small-v2.yaml
out=nightly
tag=
data_dir=
datasets=datasets
history=
while [[ $# -gt 0 ]]; do
  case $1 in
    --tag | --data-dir | --datasets | --out | --history | --matrix)
      [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value"
      case $1 in
        --tag) tag=$2 ;; --data-dir) data_dir=$2 ;; --datasets) datasets=$2 ;; --out) out=$2 ;; --history) history=$2 ;; --matrix) matrix=$2 ;;
      esac
      shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
history=${history:-$out/history/history.jsonl}
[[ -f $matrix ]] || die "matrix $matrix not found"

# 1. Dependencies and models.
[[ -d node_modules ]] || npm ci --no-audit --no-fund
export BEIR_BENCH_MODELS_DIR=${BEIR_BENCH_MODELS_DIR:-$HOME/.cache/beir-bench/models}
bash scripts/provision-models.sh "$BEIR_BENCH_MODELS_DIR"

# 2. Data: a folder as it is, or the official zips (md5-checked, cached in $datasets).
data_args=(--cache-dir "$datasets")
[[ -z $data_dir ]] || data_args=(--data-dir "$data_dir")

# 3. OpenSearch: the node at $OPENSEARCH_URL, or one of our own.
export OPENSEARCH_URL=${OPENSEARCH_URL:-http://127.0.0.1:9200}
if ! curl -fsS -m 5 "$OPENSEARCH_URL" >/dev/null 2>&1; then
  port=$(node -e 'console.log(new URL(process.argv[1]).port || 9200)' "$OPENSEARCH_URL")
  log "no OpenSearch answers at $OPENSEARCH_URL: starting one on port $port"
  BEIR_BENCH_OPENSEARCH_PORT=$port bash scripts/opensearch-local.sh start
  trap 'BEIR_BENCH_OPENSEARCH_PORT='"$port"' bash scripts/opensearch-local.sh stop || true' EXIT
fi

# 4. The matrix. regress exits 1 on FAIL or CHANGED-INPUT: keep going to the chart, then exit with its status.
mkdir -p "$out" "$(dirname "$history")"
rm -f "$out/junit.xml" "$out/summary.md"
status=0
npm run -s regress -- --matrix "$matrix" ${tag:+--tag "$tag"} "${data_args[@]}" \
  --index-prefix "${BEIR_BENCH_INDEX_PREFIX:-beir-bench}" \
  --out "$out/results" --junit "$out/junit.xml" --summary "$out/summary.md" --history "$history" || status=$?
if [[ -n ${GITHUB_STEP_SUMMARY:-} && -f $out/summary.md ]]; then cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"; fi

# 5. The trend of every night so far (the history is appended even on a failing night: those are the nights it is for).
if [[ -s $history ]]; then
  npm run -s regress -- history "$history" --chart "$(dirname "$history")/trend.svg" || status=$((status > 0 ? status : $?))
fi
log "verdict: exit $status (0 pass, 1 FAIL or CHANGED-INPUT, 2 error); outputs in $out, history $history"
exit "$status"
