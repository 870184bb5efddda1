/**
 * Layers flow one way (docs/ARCHITECTURE.md, "Layers"): no module of src/ reaches itself through its imports at run
 * time, and at the type level only through the engine ids, which the registry derives from its list of definitions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/shared.js';

const SRC = join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Each file's relative imports (static, re-exports and dynamic); `typesToo` = false drops imports of types only. */
function importGraph(typesToo: boolean): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pattern = /^(import|export)(\s+type)?\s[^;]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gms;
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(pattern)) {
      const spec = m[3] ?? m[4];
      const typeOnly = m[2] !== undefined || (m[3] !== undefined && /^import\s*\{([^}]*)\}/.test(m[0]) && m[0].match(/\{([^}]*)\}/)![1].split(',').every((x) => !x.trim() || x.trim().startsWith('type ')));
      if (typeOnly && !typesToo) continue;
      targets.push(relative(REPO_ROOT, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
    }
    graph.set(relative(REPO_ROOT, file), targets);
  }
  return graph;
}

/** The strongly connected components with more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('import cycles in src/', () => {
  it('has none at run time', () => {
    expect(cycles(importGraph(false))).toEqual([]);
  });

  it('has, at the type level, only the engine ids: system types name them, engine definitions take systems', () => {
    // Allowed: src/engines/ (registry <-> definitions), src/systems/system.ts and the audit hook's input type.
    const allowed = (f: string) => f.startsWith('src/engines/') || f === 'src/systems/system.ts' || f === 'src/audit/server-side.ts';
    const found = cycles(importGraph(true));
    expect(found.flat().filter((f) => !allowed(f))).toEqual([]);
    expect(found.length).toBeLessThanOrEqual(1);
  });

  it('finds a cycle when there is one (the check is not vacuous)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
