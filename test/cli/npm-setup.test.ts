import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/shared.js';

/**
 * npm commands print no warning, and installing never runs onnxruntime-node's install script, whose only job is to
 * download the optional CUDA provider (hundreds of MB from NuGet; an offline install fails on it). package.json's
 * `allowScripts` denies it (npm >= 11.19 honours denials; README "Requirements"); the old `.npmrc` switch is an
 * unknown npm config that npm 11 warns about on every command.
 */
const run = promisify(execFile);

async function npm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // The install script also reads ONNXRUNTIME_NODE_INSTALL: unset, so only the project's own setting decides.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_config_|ONNXRUNTIME_NODE_INSTALL)/i.test(k)));
  try {
    const { stdout, stderr } = await run('npm', args, { cwd: REPO_ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const npmVersion = (await npm(['--version'])).stdout.trim();
const [major, minor] = npmVersion.split('.').map(Number);
const honoursDenials = major > 11 || (major === 11 && minor >= 19);
if (!honoursDenials) console.warn(`[skipped] install-script checks: npm ${npmVersion} predates allowScripts denials (11.19); see README "Requirements"`);

describe('npm in this project', () => {
  it('prints no warning on a plain command (no unknown project config)', async () => {
    const r = await npm(['pkg', 'get', 'name']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('"beir-bench"');
    expect(r.stderr).toBe('');
  });

  it.skipIf(!honoursDenials)('every dependency install script is reviewed: none is left for npm to warn about', async () => {
    const r = await npm(['install-scripts', 'ls']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('No packages with unreviewed install scripts.');
    expect(r.stderr).toBe('');
  });

  it.skipIf(!honoursDenials)('rebuilding onnxruntime-node runs no install script: no CUDA download', async () => {
    const r = await npm(['rebuild', 'onnxruntime-node', '--foreground-scripts']);
    // Had its script run, it would print what it fetches (or, offline, fail on api.nuget.org).
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('rebuilt dependencies successfully');
    expect(r.stderr).toBe('');
    const bin = join(REPO_ROOT, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux', 'x64');
    if (process.platform === 'linux' && process.arch === 'x64') expect(existsSync(join(bin, 'libonnxruntime_providers_cuda.so'))).toBe(false);
  });
});
