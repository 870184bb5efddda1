/**
 * The API key of `beir-bench serve`: where it comes from (an environment variable or a file, never a flag's value,
 * which `ps` shows to every user of the machine), how a request's `Authorization: Bearer` is checked (in constant
 * time), and which addresses are loopback (the only ones served without a key unless `--open` says otherwise).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { UserError } from '../errors.js';

export const SERVE_API_KEY_ENV = 'BEIR_BENCH_SERVE_API_KEY';

/** The key from --api-key-file (its first line) or $BEIR_BENCH_SERVE_API_KEY; null when neither is given. */
export function readServeKey(file: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env[SERVE_API_KEY_ENV];
  if (file !== undefined && fromEnv) throw new UserError(`give the API key once: --api-key-file or $${SERVE_API_KEY_ENV}, not both`);
  if (file === undefined) return fromEnv || null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read --api-key-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const key = text.split(/\r?\n/)[0].trim();
  if (!key) throw new UserError(`--api-key-file ${file}: the first line is empty; write the key there`);
  return key;
}

/** A fresh key for a server only this process talks to (the loopback server the cluster calls). */
export function newApiKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Whether an `Authorization` header carries `Bearer <key>`. Both sides are hashed first so the comparison takes
 * the same time whatever the length or the first differing byte of what was sent.
 */
export function bearerMatches(header: string | undefined, key: string): boolean {
  const m = /^Bearer +(.+)$/i.exec(header ?? '');
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m ? m[1].trim() : ''), digest(key)) && m !== null;
}

/** localhost, 127.0.0.0/8, ::1 (and their IPv4-mapped forms): reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}
