/**
 * Embedded BM25, scored as Lucene 9's BM25Similarity scores a single "flat" field (title + " " + text),
 * which is what Pyserini's "BM25 flat" BEIR baseline and OpenSearch's BM25 arm here both do:
 *
 *   score(q, d) = sum over query terms t of  idf(t) * tf / (tf + k1 * (1 - b + b * dl / avgdl))
 *   idf(t)      = ln(1 + (N - df + 0.5) / (df + 0.5))
 *
 * with k1 = 0.9, b = 0.4 (Anserini/Pyserini BEIR settings; Lucene's own defaults are 1.2 / 0.75).
 * N counts docs with at least one token, avgdl = tokens / N. As in Lucene, dl is the document length
 * after Lucene's lossy one-byte norm encoding (exact below 40 tokens, coarser above), the arithmetic is
 * float32, per-term scores are summed in double, and a term repeated in the query counts once per
 * repetition. So on text both tokenise alike, scores equal OpenSearch 3.x's (Lucene 10's BM25Similarity), and
 * OpenSearch 2.x's up to its constant (1 + k1) factor (2.x uses Lucene's LegacyBM25Similarity, which keeps that
 * factor; the ranking is the same): nodeBm25Factor in opensearch.ts.
 *
 * Tokenizer: lowercase, tokens are maximal runs of Unicode letters, marks and digits. This approximates
 * Lucene's StandardTokenizer (UAX#29) used by OpenSearch's standard analyzer; they differ on words with
 * inner punctuation ("don't", "3.14", "u.s.a" stay one token there). No stemming and no stopwords, like
 * OpenSearch's standard analyzer. Pyserini additionally Porter-stems and drops stopwords, which explains
 * most of the gap to its numbers.
 *
 * Memory: the postings are compressed-sparse-row typed arrays (per term, a slice of doc indexes and one of
 * term frequencies, each array as narrow as the corpus allows), so a posting (a distinct term of a doc)
 * costs 5 bytes on a large corpus, on top of the vocabulary and the doc ids. Bm25Builder takes docs one at a
 * time, so a caller can stream a corpus without holding it. Figures and the size limit: docs/PERFORMANCE.md.
 */
import { DocTable } from '../datasets/doc-table.js';
import type { Doc } from '../types.js';
import { rankingCompare, type Scored } from '../ranking.js';

export const BM25_K1 = 0.9;
export const BM25_B = 0.4;

export interface Bm25Options {
  k1?: number;
  b?: number;
}

const TOKEN = /[\p{L}\p{M}\p{N}]+/gu;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

// Lucene's SmallFloat.intToByte4 / byte4ToInt: the one-byte document length norm.
const NUM_FREE_VALUES = 24; // 255 - longToInt4(Integer.MAX_VALUE)

function longToInt4(i: number): number {
  const numBits = 32 - Math.clz32(i);
  if (numBits < 4) return i;
  const shift = numBits - 4;
  return ((i >>> shift) & 0x07) | ((shift + 1) << 3);
}

function int4ToLong(i: number): number {
  const bits = i & 0x07;
  const shift = (i >>> 3) - 1;
  return shift === -1 ? bits : (bits | 0x08) * 2 ** shift;
}

/** The document length Lucene's BM25 sees for a field of `length` tokens. */
export function luceneNormLength(length: number): number {
  if (length < NUM_FREE_VALUES) return length;
  return NUM_FREE_VALUES + int4ToLong(longToInt4(length - NUM_FREE_VALUES));
}

/**
 * Past this many docs the embedded BM25 is impractical on the reference machine (2 cores, 24 GiB): at 1M docs
 * of ~200 words it takes minutes of CPU to build, 1.6 GB at peak, and a query takes about 50 ms; all grow with
 * the corpus, and the index is rebuilt every run (docs/PERFORMANCE.md, "Embedded BM25"). OpenSearch keeps its
 * index between runs. The BEIR corpora up to TREC-NEWS (595k docs) stay below; NQ (2.7M) and larger go past.
 */
export const BM25_EMBEDDED_MAX_DOCS = 1_000_000;

/** A one-line recommendation to use OpenSearch for BM25 when the corpus is past BM25_EMBEDDED_MAX_DOCS, else null. */
export function bm25SizeAdvice(docCount: number): string | null {
  if (docCount <= BM25_EMBEDDED_MAX_DOCS) return null;
  return (
    `BM25 over ${docCount.toLocaleString('en-US')} docs: the embedded index is impractical past ` +
    `${BM25_EMBEDDED_MAX_DOCS.toLocaleString('en-US')} docs (build time, memory, query time; see docs/PERFORMANCE.md), ` +
    'use --backend opensearch'
  );
}

const f32 = Math.fround;

type UintArray = Uint8Array | Uint16Array | Uint32Array;

/** The narrowest unsigned typed array holding values up to `max`. */
function uintArray(max: number, length: number): UintArray {
  if (max <= 0xff) return new Uint8Array(length);
  if (max <= 0xffff) return new Uint16Array(length);
  return new Uint32Array(length);
}

/**
 * An append-only list of uint32 values in chunks that double up to 1 Mi entries: it grows without
 * copying, and wastes at most one chunk (a doubling array would briefly need three times its size).
 */
class Uint32List {
  private readonly chunks: Uint32Array[] = [];
  private chunk = new Uint32Array(0);
  private used = 0;
  length = 0;

  push(value: number): void {
    if (this.used === this.chunk.length) {
      this.chunk = new Uint32Array(Math.min(Math.max(this.length, 1024), 1 << 20));
      this.chunks.push(this.chunk);
      this.used = 0;
    }
    this.chunk[this.used++] = value;
    this.length++;
  }

  /** The filled part of each chunk, in order. */
  *slices(): Generator<Uint32Array> {
    for (const c of this.chunks) yield c === this.chunk ? c.subarray(0, this.used) : c;
  }

  toArray(): Uint32Array {
    const out = new Uint32Array(this.length);
    let at = 0;
    for (const s of this.slices()) (out.set(s, at), (at += s.length));
    return out;
  }
}

/** What Bm25Builder collects, doc-major, until finish() turns it into term-major postings. */
interface Collected {
  terms: Map<string, number>;
  ids: DocTable;
  /** Per doc: its token count, and its number of distinct terms. */
  lengths: Uint32List;
  distinctTerms: Uint32List;
  /** Per doc, per distinct term in ascending term id: the term id, then its frequency in the doc. */
  termFreqs: Uint32List;
  maxTf: number;
}

/**
 * Builds a Bm25Index one doc at a time, holding only the index's own data (a doc is not kept). The
 * doc-major term frequencies collected by add() cost 8 bytes per posting until finish() releases them.
 */
export class Bm25Builder {
  private collected: Collected | undefined = {
    terms: new Map(),
    ids: new DocTable(),
    lengths: new Uint32List(),
    distinctTerms: new Uint32List(),
    termFreqs: new Uint32List(),
    maxTf: 0,
  };
  /** The current doc's term ids, reused across docs. */
  private scratch = new Uint32Array(1024);

  constructor(private readonly opts: Bm25Options = {}) {}

  add(doc: Doc): void {
    const c = this.collected;
    if (!c) throw new Error('Bm25Builder.add() after finish()');
    const tokens = tokenize(`${doc.title} ${doc.text}`);
    const n = tokens.length;
    if (n > this.scratch.length) this.scratch = new Uint32Array(Math.max(n, 2 * this.scratch.length));
    for (let i = 0; i < n; i++) {
      let t = c.terms.get(tokens[i]);
      if (t === undefined) {
        t = c.terms.size;
        // Store a copy: the token is a slice of the doc's lowercased text and would keep all of it alive.
        // Tokens are well-formed UTF-16 (letters, marks, digits), so the UTF-8 round trip is exact.
        c.terms.set(Buffer.from(tokens[i]).toString(), t);
      }
      this.scratch[i] = t;
    }
    // Sorted, each distinct term of the doc is one run of equal ids, whose length is its frequency.
    const ids = this.scratch.subarray(0, n).sort();
    let distinct = 0;
    for (let i = 0, j = 0; i < n; i = j, distinct++) {
      while (j < n && ids[j] === ids[i]) j++;
      c.termFreqs.push(ids[i]);
      c.termFreqs.push(j - i);
      if (j - i > c.maxTf) c.maxTf = j - i;
    }
    if (c.ids.add(doc.id) !== c.lengths.length) throw new Error(`Bm25Builder: doc id "${doc.id}" added twice`);
    c.lengths.push(n);
    c.distinctTerms.push(distinct);
  }

  /** The index; the builder is spent. */
  finish(): Bm25Index {
    const c = this.collected;
    if (!c) throw new Error('Bm25Builder.finish() called twice');
    this.collected = undefined;
    const termCount = c.terms.size;
    const postingCount = c.termFreqs.length / 2;
    if (postingCount > 0xffffffff) throw new Error(`BM25 index: ${postingCount} postings exceed 2^32 - 1`);

    // Term t's postings go to offsets[t] .. offsets[t + 1]: count each term's docs, then prefix-sum.
    const offsets = new Uint32Array(termCount + 1);
    for (const s of c.termFreqs.slices()) for (let i = 0; i < s.length; i += 2) offsets[s[i] + 1]++;
    for (let t = 0; t < termCount; t++) offsets[t + 1] += offsets[t];

    // Scatter in doc order, so that each term's postings come out by ascending doc index.
    const docs = uintArray(c.ids.size - 1, postingCount);
    const tfs = uintArray(c.maxTf, postingCount);
    const next = offsets.slice(0, termCount);
    const distinctTerms = c.distinctTerms.toArray();
    let d = -1;
    let left = 0; // distinct terms of doc d still to place
    for (const s of c.termFreqs.slices()) {
      for (let i = 0; i < s.length; i += 2) {
        while (left === 0) left = distinctTerms[++d];
        const at = next[s[i]]++;
        docs[at] = d;
        tfs[at] = s[i + 1];
        left--;
      }
    }

    const lengths = c.lengths.toArray();
    let docCount = 0;
    let totalTokens = 0;
    for (const n of lengths) {
      if (n > 0) docCount++;
      totalTokens += n;
    }
    const k1 = this.opts.k1 ?? BM25_K1;
    const b = this.opts.b ?? BM25_B;
    const avgdl = f32(docCount > 0 ? totalTokens / docCount : 1);
    const k1f = f32(k1);
    const bf = f32(b);
    const oneMinusB = f32(1 - bf);
    const normInverse = new Float32Array(lengths.length);
    lengths.forEach((n, i) => {
      normInverse[i] = f32(1 / f32(k1f * f32(oneMinusB + f32(f32(bf * luceneNormLength(n)) / avgdl))));
    });
    return new Bm25Index({ ids: c.ids, terms: c.terms, offsets, docs, tfs, normInverse, docCount, params: { k1, b } });
  }
}

/** What a Bm25Index holds; made by Bm25Builder. */
export interface Bm25IndexData {
  ids: DocTable;
  terms: Map<string, number>;
  /** Term t's postings are docs[offsets[t] .. offsets[t + 1]] (ascending doc indexes) with their tfs. */
  offsets: Uint32Array;
  docs: UintArray;
  tfs: UintArray;
  /** Per doc, Lucene's cached 1 / (k1 * (1 - b + b * dl / avgdl)), float32. */
  normInverse: Float32Array;
  /** Docs with at least one token (Lucene's N). */
  docCount: number;
  params: { k1: number; b: number };
}

export class Bm25Index {
  /** The settings used, for results.json. */
  readonly params: { k1: number; b: number };

  /** Use Bm25Index.build or Bm25Builder. */
  constructor(private readonly p: Bm25IndexData) {
    this.params = p.params;
  }

  static build(docs: Iterable<Doc>, opts: Bm25Options = {}): Bm25Index {
    const builder = new Bm25Builder(opts);
    for (const doc of docs) builder.add(doc);
    return builder.finish();
  }

  /** Index a stream of docs (a corpus never held whole). */
  static async fromStream(docs: AsyncIterable<Doc>, opts: Bm25Options = {}): Promise<Bm25Index> {
    const builder = new Bm25Builder(opts);
    for await (const doc of docs) builder.add(doc);
    return builder.finish();
  }

  /** Top-k docs for the query text, in the shared ranking order; docs sharing no term are not returned. */
  search(queryText: string, k: number): Scored[] {
    const { ids, terms, offsets, docs, tfs, normInverse, docCount } = this.p;
    const counts = new Map<number, number>();
    for (const tok of tokenize(queryText)) {
      const t = terms.get(tok);
      if (t !== undefined) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    // Scores accumulate in double, as Lucene's disjunction scorers sum clause scores.
    const acc = new Float64Array(ids.size);
    const touched: number[] = [];
    for (const [t, count] of counts) {
      const start = offsets[t];
      const end = offsets[t + 1];
      const df = end - start;
      const idf = f32(Math.log(1 + (docCount - df + 0.5) / (df + 0.5)));
      // A repeated query term is one Lucene clause with boost = repetitions (BooleanQuery rewrite).
      const weight = f32(count * idf);
      for (let i = start; i < end; i++) {
        const d = docs[i];
        // Lucene's freq is the int tf cast to float.
        const s = f32(weight - f32(weight / f32(1 + f32(f32(tfs[i]) * normInverse[d]))));
        if (acc[d] === 0) touched.push(d); // s > 0 always: idf > 0 and tf >= 1
        acc[d] += s;
      }
    }
    return topK(touched, acc, ids, k);
  }
}

/** The k best of the accumulated scores (float32-rounded), via a bounded heap whose root is the worst kept. */
function topK(docs: number[], acc: Float64Array, ids: DocTable, k: number): Scored[] {
  const heap: Scored[] = [];
  const worse = (i: number, j: number) => rankingCompare(heap[i], heap[j]) > 0;
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j], heap[i]]);
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(l, m)) m = l;
      if (r < heap.length && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  if (k <= 0) return [];
  for (const d of docs) {
    const score = f32(acc[d]);
    if (heap.length < k) {
      heap.push({ id: ids.id(d), score });
      for (let i = heap.length - 1; i > 0 && worse(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    } else if (score >= heap[0].score) {
      // Most docs score below the worst kept one: they are skipped without building a hit.
      const hit = { id: ids.id(d), score };
      if (rankingCompare(hit, heap[0]) < 0) {
        heap[0] = hit;
        siftDown(0);
      }
    }
  }
  return heap.sort(rankingCompare);
}
