/**
 * Synthetic text shaped like a BEIR corpus (TREC-COVID-like by default), reproducible from a seeded Prng:
 * - a vocabulary of 500,000 distinct lowercase words, longer the rarer (1 to 13 letters, as real terms);
 * - word frequencies Zipfian (rank r drawn with probability proportional to 1 / r);
 * - docs of 100 to 300 words (uniform, mean 200), the first 8 to 15 of them the title; 30% of a doc's words
 *   repeat one of its earlier words, as real text does, which gives about 0.57 postings per token (SciFact and
 *   NFCorpus: 0.54), whereas independent draws would give 0.79;
 * - queries of 5 to 15 words drawn from the same law.
 * Used by scripts/bench-bm25.ts (in process) and scripts/make-corpus.ts (BEIR files on disk).
 */
import type { Prng } from '../../src/eval/prng.js';
import type { Doc } from '../../src/types.js';

const VOCABULARY = 500_000;
const REPEAT = 0.3;

/** A Zipf(1) sampler over a vocabulary of random words, and docs and queries drawn from it. */
export class SyntheticText {
  private readonly words: string[] = [];
  private readonly cdf = new Float64Array(VOCABULARY);

  constructor(private readonly rng: Prng) {
    const seen = new Set<string>();
    for (let r = 0; r < VOCABULARY; r++) {
      // Frequent words short, rare ones long: 1 + ceil(log26(r + 1)) + 0..7 letters.
      const length = 1 + Math.ceil(Math.log(r + 1) / Math.log(26)) + rng.nextInt(8);
      let w: string;
      do w = Array.from({ length }, () => String.fromCharCode(97 + rng.nextInt(26))).join('');
      while (seen.has(w));
      seen.add(w);
      this.words.push(w);
    }
    let sum = 0;
    for (let r = 0; r < VOCABULARY; r++) this.cdf[r] = sum += 1 / (r + 1);
    for (let r = 0; r < VOCABULARY; r++) this.cdf[r] /= sum;
  }

  /** A word rank by inverse CDF: the first rank whose cumulative probability exceeds u. */
  private rank(): number {
    const u = this.rng.nextUint32() / 4294967296;
    let lo = 0;
    let hi = VOCABULARY - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid] <= u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** One doc's words, title first. */
  docWords(): string[] {
    const ranks: number[] = [];
    const length = 100 + this.rng.nextInt(201);
    for (let i = 0; i < length; i++) {
      ranks.push(i > 0 && this.rng.nextUint32() / 4294967296 < REPEAT ? ranks[this.rng.nextInt(i)] : this.rank());
    }
    return ranks.map((r) => this.words[r]);
  }

  /** A doc of `words` (default: fresh ones), its first 8 to 15 words the title. */
  doc(id: string, words = this.docWords()): Doc {
    const titleLength = 8 + this.rng.nextInt(8);
    return { id, title: words.slice(0, titleLength).join(' '), text: words.slice(titleLength).join(' ') };
  }

  query(): string {
    return Array.from({ length: 5 + this.rng.nextInt(11) }, () => this.words[this.rank()]).join(' ');
  }
}
