#!/usr/bin/env bash
# Build the faster weights files of e5-small-v2 and all-MiniLM-L6-v2 from their pinned fp32 graphs, beside them:
#   <DEST>/<model id>/onnx/model_fused.onnx   --dtype fused (same fp32 weights, fused graph)
#   <DEST>/<model id>/onnx/model_int8.onnx    --dtype int8  (8-bit weights; recipe in scripts/model-variants/build.py)
# with onnxruntime's own tooling, pinned in scripts/model-variants/requirements.txt and installed from PyPI into a
# venv. Each output is checked against its sha256 pin below (the build is deterministic for the pinned versions), so
# every machine runs the same bytes and the embedding cache and regression pins recognise them.
#
# Usage: scripts/build-model-variants.sh [DEST]   (run by scripts/provision-models.sh; DEST as there)
#        scripts/build-model-variants.sh --venv-only  (only the venv: npm run bench:int8-sweep)
#   BEIR_BENCH_TOOLS_VENV=DIR   the venv (default ~/.cache/beir-bench/model-tools-venv); PYTHON=python3 creates it.
# Idempotent (verified files are skipped) and atomic (built in a temp dir beside the model, moved in after the check).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV_ONLY=; [[ ${1:-} == --venv-only ]] && { VENV_ONLY=1; shift; }
DEST=${1:-${BEIR_BENCH_MODELS_DIR:-${BEIR_BENCH_MODELS:-$HOME/.cache/beir-bench/models}}}
VENV=${BEIR_BENCH_TOOLS_VENV:-$HOME/.cache/beir-bench/model-tools-venv}
REQS=$REPO_ROOT/scripts/model-variants/requirements.txt

# model id | fp32 sha256 (the pin of provision-models.sh) | fused sha256 | int8 sha256
MODELS=(
  "intfloat/e5-small-v2|b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0|42f5aef6475ecaa243b516ba3c7a63555e778175583c82f528582b88e91f8cf7|713dd6f4391807937d6c87507975ff4a1382864eff6eb05ba04bdda2ead0fd99"
  "sentence-transformers/all-MiniLM-L6-v2|ca46f1a88a9c6e61b918af1ab38be3e7903b986616551f0a6f10a7ecc5730cd4|121617eff4181a044cd25ce4589a83acf9987d8e69c745bef2ce7450fa594c11|5aea8f7e40028a90ce048cdab561c73088dac9f8656b0f4206817e115e00f7ca"
)

die() { echo "build-model-variants: $*" >&2; exit 1; }
log() { echo "build-model-variants: $*"; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
sha_ok() { [[ -f $1 && $(sha_of "$1") == "$2" ]]; }

# The venv is reused while it was built from these exact requirements (a stamp holds their sha256).
ensure_venv() {
  local stamp=$VENV/.requirements.sha256
  if [[ -x $VENV/bin/python && -f $stamp && $(cat "$stamp") == "$(sha_of "$REQS")" ]]; then return; fi
  local python=${PYTHON:-python3}
  command -v "$python" >/dev/null || die "'$python' is required (Python 3.10-3.13 with venv) to build the model variants"
  log "installing the pinned onnxruntime tooling into $VENV (PyPI)"
  rm -rf "$VENV"
  "$python" -m venv "$VENV" || die "could not create a venv at $VENV with $python"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQS" || die "pip could not install $REQS into $VENV"
  sha_of "$REQS" >"$stamp"
}

if [[ -n $VENV_ONLY ]]; then ensure_venv; exit 0; fi

for row in "${MODELS[@]}"; do
  IFS='|' read -r id fp32_sha fused_sha int8_sha <<<"$row"
  onnx=$DEST/$id/onnx
  if sha_ok "$onnx/model_fused.onnx" "$fused_sha" && sha_ok "$onnx/model_int8.onnx" "$int8_sha"; then
    log "$id: fused and int8 already built and verified (skipped)"
    continue
  fi
  sha_ok "$onnx/model.onnx" "$fp32_sha" || die "$id: $onnx/model.onnx is missing or not the pinned fp32 weights: run scripts/provision-models.sh $DEST first"
  ensure_venv
  tmp=$(mktemp -d "$onnx/.variants.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  log "$id: building fused and int8 from the fp32 graph"
  "$VENV/bin/python" "$REPO_ROOT/scripts/model-variants/build.py" "$onnx/model.onnx" "$tmp" 2> >(grep -v 'pre-processing before quantization' >&2) \
    || die "$id: build.py failed"
  sha_ok "$tmp/model_fused.onnx" "$fused_sha" || die "$id: model_fused.onnx has sha256 $(sha_of "$tmp/model_fused.onnx"), expected $fused_sha (tooling not the pinned versions? $REQS)"
  sha_ok "$tmp/model_int8.onnx" "$int8_sha" || die "$id: model_int8.onnx has sha256 $(sha_of "$tmp/model_int8.onnx"), expected $int8_sha (tooling not the pinned versions? $REQS)"
  chmod 644 "$tmp"/*.onnx
  mv "$tmp/model_fused.onnx" "$onnx/model_fused.onnx"
  mv "$tmp/model_int8.onnx" "$onnx/model_int8.onnx"
  rm -rf "$tmp"
  trap - EXIT
  log "$id: done (fused $fused_sha, int8 $int8_sha)"
done
