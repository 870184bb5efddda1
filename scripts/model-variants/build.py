"""Build a model's faster weights files from its pinned fp32 ONNX graph (scripts/build-model-variants.sh runs this).

  fused: onnxruntime's offline transformer optimiser on the fp32 graph (Attention, SkipLayerNormalization,
         EmbedLayerNormalization, BiasGelu): the same weights and arithmetic in fewer nodes.
  int8:  dynamic quantisation of the weight MatMuls: 8-bit signed weights per output channel, activations quantised
         per tensor at run time. Left in fp32: the embedding tables (Gather: not quantised at all), the attention-score
         MatMuls (both inputs are activations), and each layer's FFN output MatMul, the layer the per-layer sweep
         found most sensitive (scripts/model-variants/sweep.py, docs/PERFORMANCE.md). Weights use 7 bits
         (reduce_range): on AVX2 CPUs without VNNI onnxruntime multiplies u8 x s8 with VPMADDUBSW, whose 16-bit sums
         saturate with full-range weights; the sweep measured full range worse there (cosine 0.9959 vs 0.9977).

Usage: python build.py SRC_MODEL_ONNX OUT_DIR
  (the attention heads and hidden size come from the model's config.json, one folder above SRC_MODEL_ONNX)
Writes OUT_DIR/model_fused.onnx and OUT_DIR/model_int8.onnx (the caller checks their sha256 and moves them).
"""
import json
import os
import re
import sys

import onnx
from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.transformers.optimizer import optimize_model

# The int8 recipe; sweep.py measures the alternatives.
KEEP_FP32 = re.compile(r'layer\.\d+/output/dense/MatMul$')
REDUCE_RANGE = True


def weight_matmuls(model):
    """(quantised, left in fp32) MatMul node names: a weight MatMul has an initializer input."""
    inits = {i.name for i in model.graph.initializer}
    activations = [n.name for n in model.graph.node if n.op_type == 'MatMul' and not any(i in inits for i in n.input)]
    kept = [n.name for n in model.graph.node if n.op_type == 'MatMul' and KEEP_FP32.search(n.name)]
    return activations, kept


def build_int8(src, dst, keep=None, reduce_range=REDUCE_RANGE, weight_type=QuantType.QInt8):
    model = onnx.load(src)
    activations, kept = weight_matmuls(model)
    quantize_dynamic(src, dst, per_channel=True, reduce_range=reduce_range, weight_type=weight_type,
                     op_types_to_quantize=['MatMul'], nodes_to_exclude=activations + (kept if keep is None else keep))


def build_fused(src, dst):
    # The model's own shape from its config.json (<model>/config.json beside <model>/onnx/), not e5's.
    config = json.load(open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(src))), 'config.json')))
    optimized = optimize_model(src, model_type='bert', num_heads=config['num_attention_heads'], hidden_size=config['hidden_size'],
                               opt_level=0, use_gpu=False)
    fused = optimized.get_fused_operator_statistics()
    if fused.get('Attention', 0) == 0 or fused.get('SkipLayerNormalization', 0) == 0:
        sys.exit(f'build.py: the optimiser fused nothing in {src} ({fused}): not the BERT graph it expects')
    optimized.save_model_to_file(dst)


if __name__ == '__main__':
    src, out = sys.argv[1], sys.argv[2]
    build_fused(src, f'{out}/model_fused.onnx')
    build_int8(src, f'{out}/model_int8.onnx')
