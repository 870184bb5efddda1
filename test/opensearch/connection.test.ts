import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenSearchBackend } from '../../src/backends/opensearch.js';
import { UserError } from '../../src/errors.js';
import { describeEachLine, options, testPrefix } from './helpers.js';

const savedEnv = { user: process.env.OPENSEARCH_USERNAME, password: process.env.OPENSEARCH_PASSWORD };
function restoreEnv(): void {
  for (const [name, value] of [['OPENSEARCH_USERNAME', savedEnv.user], ['OPENSEARCH_PASSWORD', savedEnv.password]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}
afterEach(restoreEnv);

/** A port nothing listens on: bind an ephemeral one, then release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('OpenSearch connection errors (no node needed)', () => {
  it('connection refused names the URL and how to start a node', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const err = await OpenSearchBackend.connect(options('p', { url })).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain(`Cannot reach OpenSearch at ${url}`);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(err.message).toContain('scripts/opensearch-local.sh start');
  });

  it('never echoes credentials embedded in the URL', async () => {
    const port = await closedPort();
    const err = await OpenSearchBackend.connect(options('p', { url: `http://alice:s3cret-pw@127.0.0.1:${port}` })).catch((e) => e);
    expect(err.message).toContain(`http://127.0.0.1:${port}`);
    expect(err.message).not.toContain('s3cret-pw');
    expect(err.message).not.toContain('alice');
  });

  it('rejects a malformed URL and bad numeric options before connecting', async () => {
    await expect(OpenSearchBackend.connect(options('p', { url: 'localhost:9200' }))).rejects.toThrow(/protocol must be http or https/);
    await expect(OpenSearchBackend.connect(options('p', { m: 0 }))).rejects.toThrow(/--hnsw-m must be a positive integer/);
  });

  it('requires both credential variables or neither', async () => {
    process.env.OPENSEARCH_USERNAME = 'someone';
    delete process.env.OPENSEARCH_PASSWORD;
    await expect(OpenSearchBackend.connect(options('p'))).rejects.toThrow(/OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD/);
  });
});

describeEachLine('OpenSearch node probe', ({ url }) => {
  it('records version and plugins, and never the credentials', async () => {
    // The local node has no security plugin and ignores basic auth; a secured node keeps its real credentials.
    if (!savedEnv.user) {
      process.env.OPENSEARCH_USERNAME = 'bench-user';
      process.env.OPENSEARCH_PASSWORD = 'very-secret-password';
    }
    const backend = await OpenSearchBackend.connect(options(testPrefix(), {}, url));
    try {
      const d = backend.describe();
      expect(d.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(d.plugins).toContain('opensearch-knn');
      expect(d.url).toBe(url);
      const text = JSON.stringify(d);
      expect(text).not.toContain(process.env.OPENSEARCH_PASSWORD);
      expect(text).not.toContain(process.env.OPENSEARCH_USERNAME);
    } finally {
      await backend.close();
    }
  });
});
