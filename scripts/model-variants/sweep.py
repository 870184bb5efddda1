"""The int8 sweep behind build.py's recipe: each quantisation variant of a model's fp32 graph against fp32 itself, on
the first N SciFact passages (`passage: ` + title + text, as the encoder sends them; one passage per run, as the
encoder batches passages), all sessions in one process and timed interleaved in rotating order so load from other
processes hits each alike. Prints passages/s, the speed ratio to fp32, and the cosine of each variant's mean-pooled
vectors to fp32's (min and mean over the passages). `npm run bench:int8-sweep` runs it in the pinned venv.

Usage: python sweep.py MODEL_DIR CORPUS_JSONL [N] [PREFIX]
"""
import json
import logging
import os
import re
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import QuantType
from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer
from tokenizers import Tokenizer

logging.disable(logging.WARNING)  # the quantisers log every tensor at INFO and advise pre-processing at WARNING
sys.path.insert(0, os.path.dirname(__file__))
from build import build_fused, build_int8, weight_matmuls  # noqa: E402

model_dir, corpus = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 48
prefix = sys.argv[4] if len(sys.argv) > 4 else 'passage: '
src = f'{model_dir}/onnx/model.onnx'
work = tempfile.mkdtemp(prefix='int8-sweep-')
names = [x.name for x in onnx.load(src).graph.node if x.op_type == 'MatMul']
group = lambda pat: [x for x in names if re.search(pat, x)]
GROUPS = {'FFN output': r'layer\.\d+/output/dense/MatMul$', 'FFN input': r'intermediate/dense/MatMul$',
          'Q/K/V': r'self/(query|key|value)/MatMul$', 'attention output': r'attention/output/dense/MatMul$'}


def nbits(path, bits, block):
    q = MatMulNBitsQuantizer(onnx.load(src), algo_config=DefaultWeightOnlyQuantConfig(block_size=block, is_symmetric=True, accuracy_level=4, bits=bits))
    q.process()
    q.model.save_model_to_file(path, use_external_data_format=False)


def fused_int8(path):
    build_fused(src, f'{work}/fused.onnx')
    from onnxruntime.quantization import quantize_dynamic
    quantize_dynamic(f'{work}/fused.onnx', path, per_channel=True, reduce_range=True, weight_type=QuantType.QInt8,
                     op_types_to_quantize=['MatMul', 'Attention'], extra_options={'DefaultTensorType': onnx.TensorProto.FLOAT})


VARIANTS = {
    'fp32': None,
    "q8 (the exporter's file)": lambda p: f'{model_dir}/onnx/model_quantized.onnx',
    's8 full range, every weight MatMul': lambda p: build_int8(src, p, keep=[], reduce_range=False),
    's8 7-bit (reduce_range), every weight MatMul': lambda p: build_int8(src, p, keep=[]),
    'u8, every weight MatMul': lambda p: build_int8(src, p, keep=[], reduce_range=False, weight_type=QuantType.QUInt8),
    **{f's8 7-bit, {g} left fp32' + (' (build.py: int8)' if g == 'FFN output' else ''): (lambda pat: lambda p: build_int8(src, p, keep=group(pat)))(pat)
       for g, pat in GROUPS.items()},
    'u8, FFN output left fp32': lambda p: build_int8(src, p, keep=group(GROUPS['FFN output']), reduce_range=False, weight_type=QuantType.QUInt8),
    'fused graph + s8 7-bit (QAttention)': fused_int8,
    'MatMulNBits 8-bit, block 32, int8 compute': lambda p: nbits(p, 8, 32),
}

tok = Tokenizer.from_file(f'{model_dir}/tokenizer.json')
tok.no_padding()
tok.enable_truncation(512)
texts = []
with open(corpus) as f:
    for line in f:
        d = json.loads(line)
        texts.append(prefix + (d.get('title', '') + ' ' + d['text']).strip())
        if len(texts) >= n:
            break
ids = [np.array([e.ids], dtype=np.int64) for e in tok.encode_batch(texts)]

so = ort.SessionOptions()
so.intra_op_num_threads = os.cpu_count()
so.inter_op_num_threads = 1
so.add_session_config_entry('session.intra_op.allow_spinning', '0')
sessions = {}
for i, (label, make) in enumerate(VARIANTS.items()):
    path = src if make is None else f'{work}/v{i}.onnx'
    if make is not None:
        path = make(path) or path
    sessions[label] = ort.InferenceSession(path, so, providers=['CPUExecutionProvider'])


def embed(sess, x):
    feeds = {'input_ids': x, 'attention_mask': np.ones_like(x), 'token_type_ids': np.zeros_like(x)}
    h = sess.run(None, {k: v for k, v in feeds.items() if k in {i.name for i in sess.get_inputs()}})[0][0].mean(0)
    return h / np.linalg.norm(h)


labels = list(sessions)
seconds = dict.fromkeys(labels, 0.0)
vecs = {k: [] for k in labels}
for j, x in enumerate(ids):
    for k in range(len(labels)):
        label = labels[(j + k) % len(labels)]
        t = time.perf_counter()
        vecs[label].append(embed(sessions[label], x))
        seconds[label] += time.perf_counter() - t
base = np.array(vecs['fp32'])
print(f'# int8 sweep: {model_dir}, first {n} passages of {corpus}, onnxruntime {ort.__version__}, {os.cpu_count()} threads, '
      f'{time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime())}, load average {os.getloadavg()[0]:.1f}')
print('| variant | passages/s | vs fp32 | cosine to fp32: min | mean |')
print('|---|---:|---:|---:|---:|')
for label in labels:
    cos = (np.array(vecs[label]) * base).sum(1)
    print(f'| {label} | {n / seconds[label]:.2f} | {seconds["fp32"] / seconds[label]:.2f}x | {cos.min():.6f} | {cos.mean():.6f} |')
