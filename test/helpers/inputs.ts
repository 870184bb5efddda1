import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

let dir: string | undefined;
let count = 0;

// One temp folder per test file, removed when the file's tests are done.
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Write `content` to a fresh temp file (its name ends with `name`) and return its path. */
export function tempFile(name: string, content: string | Buffer): string {
  dir ??= mkdtempSync(join(tmpdir(), 'beir-bench-test-'));
  const path = join(dir, `${++count}-${name}`);
  writeFileSync(path, content);
  return path;
}

/** Build a Map-of-Maps (Qrels or Run) from a plain object, keeping key order. */
export function nested(o: Record<string, Record<string, number>>): Map<string, Map<string, number>> {
  return new Map(Object.entries(o).map(([q, d]) => [q, new Map(Object.entries(d))]));
}
