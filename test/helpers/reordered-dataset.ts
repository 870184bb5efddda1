/**
 * A BEIR folder rebuilt in another layout with the same records, as the official zips differ from the ../shared
 * copies (NFCorpus there is sorted by `_id`, the official file is not): every file's lines shuffled (seeded), CRLF
 * line endings, each JSON object's keys in reverse order and non-ASCII characters written as \u escapes.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Prng } from '../../src/eval/prng.js';

function shuffled<T>(items: T[], rng: Prng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The same JSON object, keys reversed, every non-ASCII character \u-escaped. */
function relaid(line: string): string {
  const value = JSON.parse(line) as Record<string, unknown>;
  const reversed = Object.fromEntries(Object.entries(value).reverse());
  return JSON.stringify(reversed).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const linesOf = async (path: string) => (await readFile(path, 'utf8')).split(/\r?\n/).filter((l) => l !== '');

/** Copy `src` (corpus.jsonl, queries.jsonl, qrels/*.tsv) to `dest`, reordered and relaid as the module comment says. */
export async function reorderedCopy(src: string, dest: string, seed = 7): Promise<void> {
  const rng = new Prng(seed);
  await mkdir(join(dest, 'qrels'), { recursive: true });
  for (const file of ['corpus.jsonl', 'queries.jsonl']) {
    const lines = shuffled(await linesOf(join(src, file)), rng).map(relaid);
    await writeFile(join(dest, file), `${lines.join('\r\n')}\r\n`);
  }
  for (const name of (await readdir(join(src, 'qrels'))).filter((n) => n.endsWith('.tsv'))) {
    const [header, ...rows] = await linesOf(join(src, 'qrels', name));
    await writeFile(join(dest, 'qrels', name), `${[header, ...shuffled(rows, rng)].join('\r\n')}\r\n`);
  }
}
