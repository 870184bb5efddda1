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
 * repetition. So on text both tokenise alike, scores equal OpenSearch's up to its constant (1 + k1) factor
 * (OpenSearch 2.x uses Lucene's LegacyBM25Similarity, which keeps that factor; the ranking is the same).
 *
 * Tokenizer: lowercase, tokens are maximal runs of Unicode letters, marks and digits. This approximates
 * Lucene's StandardTokenizer (UAX#29) used by OpenSearch's standard analyzer; they differ on words with
 * inner punctuation ("don't", "3.14", "u.s.a" stay one token there). No stemming; stopwords optional
 * (Lucene's 33-word English list), off by default like OpenSearch's standard analyzer. Pyserini
 * additionally Porter-stems and drops stopwords, which explains most of the gap to its numbers.
 */
import type { Doc } from '../types.js';
import { rankingCompare, type Scored } from '../ranking.js';

export const BM25_K1 = 0.9;
export const BM25_B = 0.4;

/** Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET (also what Anserini/Pyserini drop). */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  ('a an and are as at be but by for if in into is it no not of on or such that the their then there these ' +
    'they this to was will with').split(' '),
);

export interface Bm25Options {
  k1?: number;
  b?: number;
  /** Drop ENGLISH_STOPWORDS from documents and queries. Default false. */
  stopwords?: boolean;
}

const TOKEN = /[\p{L}\p{M}\p{N}]+/gu;

export function tokenize(text: string, stopwords?: ReadonlySet<string>): string[] {
  const tokens = text.toLowerCase().match(TOKEN) ?? [];
  return stopwords ? tokens.filter((t) => !stopwords.has(t)) : tokens;
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

const f32 = Math.fround;

export class Bm25Index {
  private constructor(
    private readonly ids: string[],
    private readonly terms: Map<string, number>,
    /** postings[t]: doc indexes containing term t; freqs[t]: its frequency in each. */
    private readonly postings: Int32Array[],
    private readonly freqs: Float32Array[],
    /** Per doc, Lucene's cached 1 / (k1 * (1 - b + b * dl / avgdl)), float32. */
    private readonly normInverse: Float32Array,
    private readonly docCount: number,
    private readonly stopwords: ReadonlySet<string> | undefined,
    /** The settings used, for results.json. */
    readonly params: { k1: number; b: number; stopwords: boolean },
  ) {}

  static build(docs: Doc[], opts: Bm25Options = {}): Bm25Index {
    const k1 = opts.k1 ?? BM25_K1;
    const b = opts.b ?? BM25_B;
    const stopwords = opts.stopwords ? ENGLISH_STOPWORDS : undefined;
    const terms = new Map<string, number>();
    const postingDocs: number[][] = [];
    const postingFreqs: number[][] = [];
    /** Per term, the last doc it was seen in: its posting is then the last one, so tf is counted in place. */
    const lastDoc: number[] = [];
    const lengths = new Int32Array(docs.length);
    let docCount = 0;
    let totalTokens = 0;

    docs.forEach((doc, d) => {
      const tokens = tokenize(`${doc.title} ${doc.text}`, stopwords);
      lengths[d] = tokens.length;
      if (tokens.length > 0) docCount++;
      totalTokens += tokens.length;
      for (const tok of tokens) {
        let t = terms.get(tok);
        if (t === undefined) {
          t = terms.size;
          terms.set(tok, t);
          postingDocs.push([]);
          postingFreqs.push([]);
          lastDoc.push(-1);
        }
        if (lastDoc[t] === d) {
          postingFreqs[t][postingFreqs[t].length - 1]++;
        } else {
          lastDoc[t] = d;
          postingDocs[t].push(d);
          postingFreqs[t].push(1);
        }
      }
    });

    const avgdl = f32(docCount > 0 ? totalTokens / docCount : 1);
    const k1f = f32(k1);
    const bf = f32(b);
    const oneMinusB = f32(1 - bf);
    const normInverse = new Float32Array(docs.length);
    for (let d = 0; d < docs.length; d++) {
      const dl = luceneNormLength(lengths[d]);
      normInverse[d] = f32(1 / f32(k1f * f32(oneMinusB + f32(f32(bf * dl) / avgdl))));
    }
    return new Bm25Index(
      docs.map((d) => d.id),
      terms,
      postingDocs.map((p) => Int32Array.from(p)),
      postingFreqs.map((p) => Float32Array.from(p)),
      normInverse,
      docCount,
      stopwords,
      { k1, b, stopwords: stopwords !== undefined },
    );
  }

  /** Top-k docs for the query text, in the shared ranking order; docs sharing no term are not returned. */
  search(queryText: string, k: number): Scored[] {
    const counts = new Map<number, number>();
    for (const tok of tokenize(queryText, this.stopwords)) {
      const t = this.terms.get(tok);
      if (t !== undefined) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    // Scores accumulate in double, as Lucene's disjunction scorers sum clause scores.
    const acc = new Float64Array(this.ids.length);
    const touched: number[] = [];
    for (const [t, count] of counts) {
      const docs = this.postings[t];
      const freqs = this.freqs[t];
      const df = docs.length;
      const idf = f32(Math.log(1 + (this.docCount - df + 0.5) / (df + 0.5)));
      // A repeated query term is one Lucene clause with boost = repetitions (BooleanQuery rewrite).
      const weight = f32(count * idf);
      for (let i = 0; i < df; i++) {
        const d = docs[i];
        const s = f32(weight - f32(weight / f32(1 + f32(freqs[i] * this.normInverse[d]))));
        if (acc[d] === 0) touched.push(d); // s > 0 always: idf > 0 and tf >= 1
        acc[d] += s;
      }
    }
    return topK(touched, acc, this.ids, k);
  }
}

/** The k best of the accumulated scores (float32-rounded), via a bounded heap whose root is the worst kept. */
function topK(docs: number[], acc: Float64Array, ids: string[], k: number): Scored[] {
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
    const hit = { id: ids[d], score: f32(acc[d]) };
    if (heap.length < k) {
      heap.push(hit);
      for (let i = heap.length - 1; i > 0 && worse(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    } else if (rankingCompare(hit, heap[0]) < 0) {
      heap[0] = hit;
      siftDown(0);
    }
  }
  return heap.sort(rankingCompare);
}
