import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { explainWriteFailure, withTempPath } from '../atomic-file.js';
import { describeHttpStatus, describeNetworkError, DownloadError } from '../net-errors.js';
import { startProgress } from '../progress.js';
import { tap } from './stream-tap.js';

export interface DownloadOptions {
  /** Expected md5 (hex) of the whole file; a mismatch is an error and nothing is kept. */
  md5: string;
  /** Size to show progress against when the server sends no Content-Length. */
  expectedBytes?: number;
  label: string;
  quiet?: boolean;
  /** Named in errors: what the file is, and how to do without this server. */
  what: string;
  offline: string;
}

/**
 * Download `url` to `dest`: streamed to a temp file beside it with a progress bar, checked (length, md5),
 * then renamed into place. On any failure or Ctrl-C nothing is left at `dest` or beside it; a failure is a
 * DownloadError naming the URL, the cause and `opts.offline`.
 */
export async function downloadVerified(url: string, dest: string, opts: DownloadOptions): Promise<void> {
  const failed = (reason: string, cause?: unknown) => new DownloadError({ what: opts.what, url, offline: opts.offline }, reason, cause);
  await mkdir(dirname(dest), { recursive: true });
  await withTempPath(dest, async (tmp) => {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (err) {
      throw failed(describeNetworkError(err), err);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw failed(describeHttpStatus(res));
    }
    // With a Content-Encoding, Content-Length counts the encoded bytes, not the file's.
    const header = res.headers.get('content-length');
    const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
    const declared = header === null || encoded ? undefined : Number(header);
    const total = declared ?? opts.expectedBytes ?? 0;

    const md5 = createHash('md5');
    let received = 0;
    const progress = startProgress({ label: opts.label, total, unit: 'MB', scale: 1e-6, quiet: opts.quiet });
    const meter = tap((chunk) => {
      md5.update(chunk);
      progress.update((received += chunk.length));
    });
    try {
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), meter, createWriteStream(tmp));
    } catch (err) {
      const local = explainWriteFailure(err, dest); // a full disk is not a network failure
      throw local !== err ? local : failed(`${describeNetworkError(err)} after ${received} bytes`, err);
    } finally {
      progress.stop();
    }
    if (declared !== undefined && received !== declared) {
      throw failed(`truncated: got ${received} of ${declared} bytes`);
    }
    const actual = md5.digest('hex');
    if (actual !== opts.md5.toLowerCase()) {
      throw failed(`corrupt: md5 ${actual}, expected ${opts.md5} (${received} bytes received); nothing was kept`);
    }
    await rename(tmp, dest);
  });
}
