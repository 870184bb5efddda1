import { STATUS_CODES } from 'node:http';
import { UserError } from './errors.js';

/** What was fetched, from where, and how to do without that server: the parts every download failure names. */
export interface DownloadTarget {
  /** e.g. 'BEIR dataset scifact' or 'model intfloat/e5-small-v2 (hub repo Xenova/e5-small-v2)' */
  what: string;
  url: string;
  /** The offline alternative, a sentence naming the flags. */
  offline: string;
}

/** A failed download as one line: what, from which URL, why, and the offline alternative. */
export class DownloadError extends UserError {
  constructor(target: DownloadTarget, reason: string, cause?: unknown) {
    super(`download of ${target.what} from ${target.url} failed: ${reason}. ${target.offline}`);
    this.name = 'DownloadError';
    // Kept for --verbose, which prints the whole chain.
    if (cause !== undefined) this.cause = cause;
  }
}

/** Codes Node's fetch (undici) and the OS attach to a failed request, in words. */
const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'timed out connecting',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the response',
  UND_ERR_BODY_TIMEOUT: 'timed out receiving the body',
  UND_ERR_SOCKET: 'connection closed by the server',
};

/** The error and its `cause`s, outermost first (fetch hides the useful part as "fetch failed" / "terminated"). */
function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e: unknown = err; e !== undefined && e !== null && chain.length < 8 && !chain.includes(e); e = (e as Error).cause) chain.push(e);
  return chain;
}

const codeOf = (e: unknown): string | undefined => {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** Whether `err` is a failed network request (refused, unresolvable, timed out, cut off) rather than a bug. */
export function isNetworkError(err: unknown): boolean {
  return causeChain(err).some((e) => {
    const code = codeOf(e);
    return (code !== undefined && (code in NETWORK_CAUSES || code.startsWith('UND_ERR'))) || (e as Error)?.name === 'TimeoutError';
  });
}

/**
 * The underlying cause of a failed request in a few words, e.g. "connection refused (ECONNREFUSED)",
 * "host name not found (ENOTFOUND)", "timed out": the innermost error of the `cause` chain that says something.
 */
export function describeNetworkError(err: unknown): string {
  const chain = causeChain(err);
  for (const e of [...chain].reverse()) {
    const code = codeOf(e);
    if (code !== undefined && code in NETWORK_CAUSES) return `${NETWORK_CAUSES[code]} (${code})`;
    if ((e as Error)?.name === 'TimeoutError') return 'timed out';
    const message = e instanceof Error ? e.message.replace(/\s+/g, ' ').trim() : '';
    if (message !== '') return code !== undefined && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(err);
}

/** An HTTP error status as "HTTP 404 Not Found" (HTTP/2 responses carry no status text). */
export function describeHttpStatus(res: { status: number; statusText: string }): string {
  return `HTTP ${res.status} ${res.statusText || STATUS_CODES[res.status] || ''}`.trimEnd();
}
