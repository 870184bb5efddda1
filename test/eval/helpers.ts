import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Write `content` to a fresh temp file and return its path. */
export function tempFile(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'beir-bench-eval-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Build a Map-of-Maps (Qrels or Run) from a plain object, keeping key order. */
export function nested(o: Record<string, Record<string, number>>): Map<string, Map<string, number>> {
  return new Map(Object.entries(o).map(([q, d]) => [q, new Map(Object.entries(d))]));
}
