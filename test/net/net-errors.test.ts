import { afterEach, describe, expect, it } from 'vitest';
import { describeHttpStatus, describeNetworkError, DownloadError, isNetworkError } from '../../src/net-errors.js';
import { UserError } from '../../src/errors.js';
import { startServer, type TestServer } from '../datasets/helpers/http-server.js';
import { closedPort } from '../helpers/net.js';

/** What a real fetch of `url` throws (a test failure if it does not). */
async function fetchFailure(url: string, init?: RequestInit): Promise<unknown> {
  return fetch(url, init).then(
    async (res) => {
      await res.arrayBuffer();
      throw new Error(`expected ${url} to fail, got HTTP ${res.status}`);
    },
    (err: unknown) => err,
  );
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('describeNetworkError on real fetch failures', () => {
  it('a closed port: connection refused, from the cause under "fetch failed"', async () => {
    const err = await fetchFailure(`http://127.0.0.1:${await closedPort()}/x.zip`);
    expect((err as Error).message).toBe('fetch failed');
    expect(describeNetworkError(err)).toBe('connection refused (ECONNREFUSED)');
    expect(isNetworkError(err)).toBe(true);
  });

  it('an unresolvable host name', async () => {
    const err = await fetchFailure('http://no-such-host.invalid/x.zip');
    expect(describeNetworkError(err)).toMatch(/^host name (not found \(ENOTFOUND\)|lookup failed .*\(EAI_AGAIN\))$/);
  });

  it('a server that never answers, with a timeout', async () => {
    server = await startServer(() => {});
    const err = await fetchFailure(server.baseUrl, { signal: AbortSignal.timeout(200) });
    expect(describeNetworkError(err)).toBe('timed out');
    expect(isNetworkError(err)).toBe(true);
  });

  it('a body cut off mid-transfer (fetch itself succeeded)', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write('x'.repeat(100), () => res.destroy());
    });
    const res = await fetch(server.baseUrl);
    const err = await res.arrayBuffer().then(() => new Error('expected a cut-off body'), (e: unknown) => e);
    expect(describeNetworkError(err)).toBe('connection closed by the server (UND_ERR_SOCKET)');
    expect(isNetworkError(err)).toBe(true);
  });

  it('anything else is described by its innermost message and not taken for a network failure', () => {
    const err = new Error('outer', { cause: Object.assign(new Error('unable to get local issuer certificate'), { code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }) });
    expect(describeNetworkError(err)).toBe('unable to get local issuer certificate (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)');
    expect(isNetworkError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false);
  });
});

describe('DownloadError', () => {
  it('is one line: what, from where, why, and the offline alternative; a UserError keeping its cause', () => {
    const cause = new Error('fetch failed');
    const err = new DownloadError({ what: 'BEIR dataset scifact', url: 'http://h/scifact.zip', offline: 'Use --data-dir DIR' }, 'HTTP 404 Not Found', cause);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe('download of BEIR dataset scifact from http://h/scifact.zip failed: HTTP 404 Not Found. Use --data-dir DIR');
    expect(err.cause).toBe(cause);
  });

  it('names HTTP statuses with their standard text when the response has none (HTTP/2)', () => {
    expect(describeHttpStatus({ status: 503, statusText: '' })).toBe('HTTP 503 Service Unavailable');
    expect(describeHttpStatus({ status: 404, statusText: 'Not Found' })).toBe('HTTP 404 Not Found');
    expect(describeHttpStatus({ status: 599, statusText: '' })).toBe('HTTP 599');
  });
});
