import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { corpusRows } from '../../src/backends/opensearch-bulk.js';
import type { Corpus } from '../../src/datasets/corpus.js';
import { loadDataset } from '../../src/datasets/loaders.js';
import { embedCorpus, embedTexts, type CorpusEmbedRequest } from '../../src/embed/cache.js';
import { loadEncoder, type Encoder } from '../../src/embed/encoder.js';
import type { PassageVectors } from '../../src/embed/passage-vectors.js';
import { passageText } from '../../src/models/input-text.js';
import { getModel } from '../../src/models/registry.js';
import { docsOf } from '../helpers/corpus.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';

const modelsDir = warnIfNoModels('streamed embedding interrupted and resumed, with real e5-small-v2 weights');
const DOCS = 40;
const CHUNK = 8;
const WINDOW = 16;

/** Every row of the vectors, read back block by block (blocks that straddle segments and windows). */
async function allRows(v: PassageVectors, blockRows: number): Promise<Float32Array> {
  const out = new Float32Array(v.rows * v.dim);
  for await (const b of v.blocks(blockRows)) out.set(b.matrix.data, b.offset * v.dim);
  return out;
}

/** The encoder, failing on its `failOn`-th call: the run stops there, as a Ctrl-C or a crash would stop it. */
function interruptedAt(encoder: Encoder, failOn: number): Encoder {
  let calls = 0;
  return {
    info: encoder.info,
    countTokens: (texts) => encoder.countTokens(texts),
    encode: (texts, opts) => (++calls === failOn ? Promise.reject(new Error('interrupted')) : encoder.encode(texts, opts)),
    dispose: async () => {},
  };
}

describe.skipIf(!modelsDir || !hasSharedBeir())('a streamed corpus embedding interrupted mid-run', () => {
  let encoder: Encoder;
  let texts: string[];
  let corpus: Corpus;
  const dirs: string[] = [];
  beforeAll(async () => {
    encoder = await loadEncoder({ model: getModel('intfloat/e5-small-v2'), dtype: 'q8', modelsDir: modelsDir!, threads: 1, batchSize: 4 });
    const ds = await loadDataset('scifact', join(SHARED_BEIR, 'scifact'), { split: 'test', maxDocs: DOCS, maxQueries: 5 });
    corpus = ds.corpus;
    texts = [];
    for await (const d of corpus.stream()) texts.push(passageText(d, 'passage: '));
  });
  afterAll(async () => {
    await encoder?.dispose();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  const request = (cacheDir: string, enc: Encoder): CorpusEmbedRequest => ({
    encoder: enc,
    texts: async function* () {
      yield* texts;
    },
    count: texts.length,
    cacheDir,
    namespace: 'scifact',
    label: 'resume',
    quiet: true,
    chunkSize: CHUNK,
    window: WINDOW,
  });

  it('resumes from the cache: only the rest is encoded, and the vectors equal an uninterrupted run\'s', async () => {
    const resumedDir = await mkdtemp(join(tmpdir(), 'beir-bench-stream-resume-'));
    const cleanDir = await mkdtemp(join(tmpdir(), 'beir-bench-stream-clean-'));
    dirs.push(resumedDir, cleanDir);
    expect(texts.length).toBe(DOCS);

    // Stops on the 4th chunk: the first window's two chunks and the second window's first are persisted by then.
    await expect(embedCorpus(request(resumedDir, interruptedAt(encoder, 4)))).rejects.toThrow('interrupted');
    const resumed = await embedCorpus(request(resumedDir, encoder));
    expect({ encoded: resumed.encoded, fromCache: resumed.fromCache }).toEqual({ encoded: DOCS - 3 * CHUNK, fromCache: 3 * CHUNK });

    const clean = await embedCorpus(request(cleanDir, encoder));
    expect({ encoded: clean.encoded, fromCache: clean.fromCache }).toEqual({ encoded: DOCS, fromCache: 0 });
    expect(resumed.sha256).toBe(clean.sha256);
    const cleanRows = await allRows(clean.vectors, 7);
    expect(await allRows(resumed.vectors, 7)).toEqual(cleanRows);
    expect(await allRows(resumed.vectors, 1000)).toEqual(cleanRows);

    // Row i is text i's vector: the in-memory path serves the same vectors from the same cache, in corpus order.
    const inMemory = await embedTexts({ encoder, texts, cacheDir: cleanDir, namespace: 'scifact', label: 'check', quiet: true });
    expect(inMemory.encoded).toBe(0);
    expect(inMemory.matrix.data).toEqual(cleanRows);

    // A second pass over a complete cache encodes nothing.
    const again = await embedCorpus(request(resumedDir, interruptedAt(encoder, 1)));
    expect({ encoded: again.encoded, fromCache: again.fromCache }).toEqual({ encoded: 0, fromCache: DOCS });
  });

  it('bulk rows pair each doc of the corpus stream with its own vector, across vector blocks', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'beir-bench-stream-rows-'));
    dirs.push(cacheDir);
    const out = await embedCorpus(request(cacheDir, encoder));
    const expected = await allRows(out.vectors, 1000);
    const ids = await docsOf(corpus);
    const { count, rows } = corpusRows(corpus, out.vectors, 7);
    expect(count).toBe(DOCS);
    let i = 0;
    for await (const row of rows) {
      expect(row.doc).toEqual(ids[i]);
      expect(row.vector).toEqual(expected.subarray(i * out.vectors.dim, (i + 1) * out.vectors.dim));
      i++;
    }
    expect(i).toBe(DOCS);
  });

  it('vectors lost after they were encoded (a segment corrupted, another removed) are encoded again when their block is read', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'beir-bench-stream-heal-'));
    dirs.push(cacheDir);
    const clean = await allRows((await embedCorpus(request(cacheDir, encoder))).vectors, 1000);
    const out = await embedCorpus(request(cacheDir, encoder));
    expect(out.encoded).toBe(0);
    // After the run checked the cache: one segment's vector bytes flipped, another segment deleted.
    const segments = (await readdir(cacheDir, { recursive: true })).filter((f) => f.endsWith('.bin')).map((f) => join(cacheDir, f)).sort();
    const flipped = await readFile(segments[0]);
    flipped[flipped.length - 1] ^= 0xff;
    await writeFile(segments[0], flipped);
    await unlink(segments[1]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(await allRows(out.vectors, 7)).toEqual(clean);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/is corrupted \(checksum mismatch\); discarded/));
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^warning: encoding \d+ vectors again that the embedding cache lost during the run/));
    } finally {
      warn.mockRestore();
    }
    expect(await embedCorpus(request(cacheDir, encoder))).toMatchObject({ encoded: 0, fromCache: DOCS });
  });

  it('without a cache dir, vectors live in a temporary store that dispose() removes', async () => {
    const out = await embedCorpus({ ...request('', encoder), cacheDir: null });
    expect(out.encoded).toBe(DOCS);
    const dir = (out.vectors as unknown as { owned: { dir: string } }).owned.dir;
    expect(dir.startsWith(tmpdir())).toBe(true);
    expect((await allRows(out.vectors, 16)).length).toBe(DOCS * encoder.info.dimension);
    await out.vectors.dispose();
    await expect(import('node:fs/promises').then((fs) => fs.stat(dir))).rejects.toThrow('ENOENT');
  });
});
