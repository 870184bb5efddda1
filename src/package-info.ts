/**
 * beir-bench's own package and the versions of the packages it runs with, found from this file's location, never
 * from the working directory: run from the repo, installed globally or as another project's dependency, `--version`
 * and results.json name beir-bench's version, not the host project's.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** src/package-info.ts and dist/package-info.js both sit one level below the package root. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));

function versionIn(packageJson: string): string | null {
  try {
    return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown }).version as string;
  } catch {
    return null;
  }
}

/** beir-bench's version, from its own package.json. */
export function ownVersion(): string {
  const v = versionIn(join(PACKAGE_ROOT, 'package.json'));
  if (v === null) throw new Error(`cannot read beir-bench's package.json in ${PACKAGE_ROOT}`);
  return v;
}

/**
 * The version of dependency `name` as Node resolves it from beir-bench: `node_modules/<name>` in the package root or
 * any folder above it (an npm install hoists dependencies next to beir-bench). Reads package.json directly, because
 * packages whose `exports` hide it cannot be `require.resolve`d. null when it is not installed.
 */
export function installedVersion(name: string): string | null {
  for (let dir = PACKAGE_ROOT; ; dir = dirname(dir)) {
    const v = versionIn(join(dir, 'node_modules', name, 'package.json'));
    if (v !== null || dirname(dir) === dir) return v;
  }
}
