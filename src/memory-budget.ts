/**
 * The memory budget of a run (`--max-memory`): what sizes the blocks that scale with it, and the check that turns
 * a configuration which cannot fit into a one-line UserError before the work starts, instead of an out-of-memory
 * crash minutes later. The estimates are calibrated on the measurements in docs/PERFORMANCE.md ("Large corpora").
 */
import { totalmem } from 'node:os';
import { UserError } from './errors.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Node, tsx, the CLI and the report rendering, before any corpus: a BM25-only run or `stats` at about 300 MiB. */
export const BASE_BYTES = 512 * MiB;

/**
 * What a dense system adds besides its per-doc part: the embedding model and onnxruntime's arenas, the GEMM
 * session and the query vectors. A dense run over 171k docs peaked at 780 MiB with its 128 MiB search block.
 */
export const DENSE_BASE_BYTES = 384 * MiB;

/**
 * Per corpus doc on the streamed path, whatever the systems: its id in the doc table (about 30 bytes for BEIR-like
 * ids with the hash index), its text length for the stats (4), its keep flag (1), and slack. Measured: `stats`
 * grew by 52 bytes per doc from 171k to 2M docs.
 */
export const BYTES_PER_DOC = 64;

/**
 * Per doc of a dense system: the row's 32-byte cache key, and the embedding store's index entry for its vector
 * (32-byte key, hash slot, segment and row: about 56 bytes). Measured: a dense run grew by 45 bytes per doc
 * from 171k to 2M docs (both under this estimate).
 */
export const BYTES_PER_DENSE_DOC = 96;

/**
 * Embedded BM25 at its build peak per byte of corpus.jsonl: the postings (5 bytes each, about one per 10 bytes of
 * text), the vocabulary, and the doc-major (term, tf) pairs (8 bytes per posting) held until the index is
 * transposed. Measured 1.03 (2M synthetic docs, 3.1 GiB of corpus.jsonl) to 1.10 (171k); rounded up for real text,
 * whose vocabulary keeps growing with the corpus.
 */
export const BM25_BYTES_PER_CORPUS_BYTE = 1.25;

/** Working memory of one exact-search block: 128 MiB (about 24k passages against 1,000 queries) did best. */
const SEARCH_BLOCK_MAX = 128 * MiB;
const SEARCH_BLOCK_MIN = 8 * MiB;

/** Half the machine's memory (or of a cgroup limit): room for the OS, OpenSearch and a second job. */
export function defaultMaxMemory(): number {
  const constrained = process.constrainedMemory?.() ?? 0;
  const total = constrained > 0 && constrained < totalmem() ? constrained : totalmem();
  return Math.floor(total / 2);
}

const UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: MiB, g: GiB, t: 2 ** 40 };

/** "8G", "8GiB", "512M", "1.5g": powers of 1024. A bare number is refused (bytes or MiB would be a guess). */
export function parseMemorySize(text: string, flag = '--max-memory'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m || m[2] === '') throw new UserError(`${flag} must be a size with a unit, e.g. 8G, 8GiB or 512M; got ${JSON.stringify(text)}`);
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()]);
  if (bytes < BASE_BYTES) throw new UserError(`${flag} ${text} is below the ${formatBytes(BASE_BYTES)} a run needs before any corpus`);
  return bytes;
}

export function formatBytes(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${Math.round(bytes / MiB)} MiB`;
}

/** What a run holds for one corpus before any engine builds an index (with a dense system: also its model and vectors' index). */
export function corpusBytes(docs: number, dense: boolean): number {
  return BASE_BYTES + (dense ? DENSE_BASE_BYTES : 0) + docs * (BYTES_PER_DOC + (dense ? BYTES_PER_DENSE_DOC : 0));
}

export class MemoryBudget {
  constructor(
    readonly bytes: number,
    /** How the budget was given, for messages: "--max-memory 8G" or "the default (half of 24 GiB)". */
    private readonly source: string,
  ) {}

  static fromOption(value: string | undefined): MemoryBudget {
    if (value !== undefined) return new MemoryBudget(parseMemorySize(value), `--max-memory ${value}`);
    const bytes = defaultMaxMemory();
    return new MemoryBudget(bytes, `the default --max-memory ${formatBytes(bytes)} (half of this machine's memory)`);
  }

  /**
   * The embedded BM25 index over `docs` docs of a `fileBytes` corpus.jsonl, built in this process: a UserError
   * when its estimated build peak does not fit.
   */
  checkBm25(docs: number, fileBytes: number): void {
    const need = corpusBytes(docs, false) + fileBytes * BM25_BYTES_PER_CORPUS_BYTE;
    if (need > this.bytes) {
      throw new UserError(
        `embedded BM25 over ${docs.toLocaleString('en-US')} docs (${formatBytes(fileBytes)} of corpus.jsonl) needs about ${formatBytes(need)}, ` +
          `over ${this.source}: use --backend opensearch for BM25, or raise --max-memory`,
      );
    }
  }

  /**
   * Working memory per exact-search block for `docs` passages: what the budget leaves after the corpus's fixed
   * part, up to 128 MiB. A UserError when even the smallest block does not fit.
   */
  searchBlockBytes(docs: number, queries: number, dim: number): number {
    const fixed = corpusBytes(docs, true) + queries * dim * 4;
    const left = this.bytes - fixed;
    if (left < SEARCH_BLOCK_MIN) {
      throw new UserError(
        `exact search over ${docs.toLocaleString('en-US')} passages needs about ${formatBytes(fixed + SEARCH_BLOCK_MIN)}, ` +
          `over ${this.source}: raise --max-memory, or search with --backend opensearch`,
      );
    }
    return Math.min(SEARCH_BLOCK_MAX, Math.max(SEARCH_BLOCK_MIN, Math.floor(left / 4)));
  }
}
