/**
 * One writer process for the concurrency tests of src/atomic-file.ts and src/file-lock.ts, started several times
 * at once (`node --import tsx test/helpers/concurrent-writer.ts <op> ...`):
 *   publish <base> <tag>          publishFolder(base, unique): a folder holding tag.txt; prints the folder written
 *   append <file> <count> <tag>   appendWhole, `count` times, one ~1 kB JSON line each
 *   hold <target> <ms>            hold target's lock for ms, printing "locked" once it holds it
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appendWhole, publishFolder } from '../../src/atomic-file.js';
import { withLock } from '../../src/file-lock.js';

const [op, target, a, b] = process.argv.slice(2);
if (op === 'publish') {
  const dir = await publishFolder(target, (tmp) => writeFile(join(tmp, 'tag.txt'), a), { unique: true });
  process.stdout.write(`${dir}\n`);
} else if (op === 'append') {
  for (let i = 0; i < Number(a); i++) await appendWhole(target, `${JSON.stringify({ tag: b, i, pad: 'x'.repeat(1000) })}\n`);
} else if (op === 'hold') {
  await withLock(target, async () => {
    process.stdout.write('locked\n');
    await new Promise((ok) => setTimeout(ok, Number(a)));
  });
} else {
  throw new Error(`unknown op ${op}`);
}
