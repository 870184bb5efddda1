/**
 * The harness against a secured node (scripts/opensearch-local.sh start --secure: security plugin, HTTPS from its
 * own CA, basic auth), as the least-privilege user of scripts/opensearch-roles.json: `bench --backend opensearch`
 * and `--backend opensearch-ml` on a SciFact slice, each access error as one line naming its fix, and no password
 * anywhere the harness writes.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES_DOC } from '../../src/backends/opensearch-access-errors.js';
import { errorReason } from '../../src/backends/opensearch-client.js';
import { serverPassageVectors } from '../../src/backends/opensearch-ml/vectors.js';
import { checkResults } from '../../src/results/read-results.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, REPO_ROOT, SHARED_BEIR } from '../helpers/shared.js';
import { NODE_URL, testPrefix } from './helpers.js';
import { cleanUp } from './ml-helpers.js';

/** What `scripts/opensearch-local.sh secure-env` prints: the node's URL and the folder of its CA and passwords. */
const SECURE_URL = process.env.OPENSEARCH_SECURE_URL;
const SECURE_DIR = process.env.OPENSEARCH_SECURE_DIR;
if (!SECURE_URL || !SECURE_DIR) {
  console.warn('[secured node] skipped: OPENSEARCH_SECURE_URL / OPENSEARCH_SECURE_DIR are not set (BEIR_BENCH_OPENSEARCH_PORT=9250 scripts/opensearch-local.sh start --secure, then export its secure-env)');
}
const modelsDir = warnIfNoModels('secured node');
const HARNESS_USER = 'beir-bench';
type Role = { cluster_permissions: string[]; index_permissions: { allowed_actions: string[] }[] } & Record<string, unknown>;
const ROLES = JSON.parse(await readFile(join(REPO_ROOT, 'scripts', 'opensearch-roles.json'), 'utf8')) as Record<string, Role>;

describe('the least-privilege roles', () => {
  it('docs/OPENSEARCH.md gives users exactly the roles the script grants the harness user', async () => {
    const doc = await readFile(join(REPO_ROOT, 'docs', 'OPENSEARCH.md'), 'utf8');
    expect(doc).toContain(`## ${'A secured node: least-privilege roles'}`);
    expect(ROLES_DOC).toBe('docs/OPENSEARCH.md#a-secured-node-least-privilege-roles');
    for (const [name, role] of Object.entries(ROLES)) {
      const block = new RegExp('PUT _plugins/_security/api/roles/' + name + '\\n(\\{[\\s\\S]*?\\n\\})\\n').exec(doc);
      expect(block, `the PUT of role ${name}`).not.toBeNull();
      expect(JSON.parse(block![1])).toEqual(role);
    }
  });
});

describe.skipIf(!SECURE_URL || !SECURE_DIR)('a secured node, as the least-privilege user', () => {
  const prefix = testPrefix();
  const ca = join(SECURE_DIR ?? '', 'ca.pem');
  /** A user (and role) made for the 403 case: the harness role without indices:admin/create. */
  const limited = `${prefix}-limited`;
  const limitedPassword = randomBytes(12).toString('hex');
  const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
  let harnessPassword: string;
  let adminPassword: string;
  let admin: Client;
  let out: string;
  /** Every output of every run, searched for passwords at the end. */
  const outputs: string[] = [];

  const bench = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => {
    const r = await runCli(['bench', '--index-prefix', prefix, '--format', 'json', '--quiet', '--permutations', '200', '--out', out, '--embed-cache-dir', join(out, 'cache'), ...args], {
      OPENSEARCH_USERNAME: HARNESS_USER,
      OPENSEARCH_PASSWORD: harnessPassword,
      ...env,
    });
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const onSecureNode = (extra: string[] = []) => ['--opensearch-url', SECURE_URL!, '--opensearch-ca', ca, ...extra];
  const sliceArgs = (docs: number) => ['--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--models-dir', modelsDir!, '--max-docs', String(docs), '--max-queries', '10'];
  const tinyBm25 = ['--dataset', 'scifact', '--data-dir', join(REPO_ROOT, 'test', 'fixtures', 'beir-tiny'), '--arms', 'bm25', '--backend', 'opensearch'];

  /** A failed run: exit code 2 and exactly one line on stderr, `error: ...`, which is returned. */
  const oneLineError = (r: CliResult): string => {
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
    return lines[0];
  };

  const security = (method: 'PUT' | 'DELETE', path: string, body?: Record<string, unknown>) =>
    admin.transport.request({ method, path: `/_plugins/_security/api/${path}`, body });

  beforeAll(async () => {
    harnessPassword = (await readFile(join(SECURE_DIR!, `${HARNESS_USER}.password`), 'utf8')).trim();
    adminPassword = (await readFile(join(SECURE_DIR!, 'admin.password'), 'utf8')).trim();
    admin = new Client({ node: SECURE_URL, auth: { username: 'admin', password: adminPassword }, ssl: { ca: await readFile(ca) } });
    out = await mkdtemp(join(tmpdir(), 'beir-bench-secured-'));
    const role = structuredClone(ROLES[HARNESS_USER]);
    role.index_permissions[0].allowed_actions = role.index_permissions[0].allowed_actions.filter((a) => a !== 'indices:admin/create');
    // mget itself but not its shard-level action: a read refused per document (the vectors test below).
    role.cluster_permissions.push('indices:data/read/mget');
    await security('PUT', `roles/${limited}`, role);
    await security('PUT', `internalusers/${limited}`, { password: limitedPassword });
    await security('PUT', `rolesmapping/${limited}`, { users: [limited] });
  }, 60_000);

  afterAll(async () => {
    if (admin) {
      await cleanUp(admin, prefix);
      for (const path of [`rolesmapping/${limited}`, `internalusers/${limited}`, `roles/${limited}`]) await security('DELETE', path).catch(() => undefined);
      await admin.close();
    }
    if (out) await rm(out, { recursive: true, force: true });
  }, 60_000);

  it.skipIf(!modelsDir || !hasSharedBeir())('bench --backend opensearch: client-vector HNSW equals its exact twin and the embedded engine; BM25 and hybrid run', async () => {
    const r = await bench([...sliceArgs(50), '--arms', 'asymmetric,bm25,hybrid(asymmetric+bm25)', '--backend', 'opensearch', ...onSecureNode()]);
    expect(r.code, r.stderr).toBe(0);
    const json = await checkResults(JSON.parse(r.stdout), 'stdout');
    const [dense, bm25, hybrid] = json.datasets[0].systems;
    expect(dense.engine).toMatchObject({ engine: 'opensearch-knn', url: SECURE_URL, plugins: expect.arrayContaining(['opensearch-security', 'opensearch-knn']) });
    // 50 passages: HNSW at ef_search 100 visits them all, so it is exact.
    expect(dense.approximation?.meanOverlap).toBe(1);
    expect(dense.approximation?.exactMean['ndcg_cut.10']).toBe(dense.mean['ndcg_cut.10']);
    expect(bm25.engine).toMatchObject({ engine: 'opensearch-bm25' });
    expect(bm25.queriesScored).toBe(10);
    // The hybrid query runs on the node, through a search pipeline the harness user creates.
    expect(hybrid.queriesScored).toBe(10);
    expect(json.systems[2]).toMatchObject({ kind: 'hybrid' });
    const embedded = await bench([...sliceArgs(50), '--arms', 'asymmetric']);
    expect(embedded.code, embedded.stderr).toBe(0);
    expect(dense.mean['ndcg_cut.10']).toBeCloseTo(JSON.parse(embedded.stdout).datasets[0].systems[0].mean['ndcg_cut.10'], 6);
  }, 300_000);

  it.skipIf(!modelsDir || !hasSharedBeir())('bench --backend opensearch-ml: the node calls a loopback serve through its connector; the audit matches', async () => {
    const connectorIds = async () => {
      const body = (await admin.transport.request({ method: 'POST', path: '/_plugins/_ml/connectors/_search', body: { query: { match_all: {} }, size: 1000 } })).body as { hits: { hits: { _id: string }[] } };
      return body.hits.hits.map((h) => h._id).sort();
    };
    const before = await connectorIds().catch(() => []);
    const r = await bench([...sliceArgs(50), '--arms', 'asymmetric', '--backend', 'opensearch-ml', ...onSecureNode()]);
    expect(r.code, r.stderr).toBe(0);
    const json = await checkResults(JSON.parse(r.stdout), 'stdout');
    const system = json.datasets[0].systems[0];
    expect(system.engine).toMatchObject({ engine: 'opensearch-ml', url: SECURE_URL });
    expect(system.audit?.verdict).toBe('match');
    expect(system.queriesScored).toBe(10);
    // The run's connector (and model) to its own serve are gone again: the harness user could delete them.
    expect(await connectorIds()).toEqual(before);
  }, 300_000);

  it('a wrong password (401): one line naming OPENSEARCH_USERNAME / OPENSEARCH_PASSWORD, without the password', async () => {
    const line = oneLineError(await bench([...tinyBm25, ...onSecureNode()], { OPENSEARCH_PASSWORD: wrongPassword }));
    expect(line).toBe(
      `error: OpenSearch at ${SECURE_URL}: HTTP 401: OpenSearch refused the credentials of user "${HARNESS_USER}"; set OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD to a user of the cluster and its password`,
    );
  }, 60_000);

  it('a user lacking a permission (403): one line naming the action and the roles to grant', async () => {
    const line = oneLineError(await bench([...tinyBm25, ...onSecureNode()], { OPENSEARCH_USERNAME: limited, OPENSEARCH_PASSWORD: limitedPassword }));
    expect(line).toMatch(new RegExp(`^error: Cannot prepare index "${prefix}-scifact-opensearch-bm25-[0-9a-f]+" at ${SECURE_URL}: HTTP 403: `));
    expect(line).toContain(`user "${limited}" lacks the permission indices:admin/create; grant it through one of the user's roles (the least-privilege roles: ${ROLES_DOC})`);
  }, 60_000);

  it('a document read refused per document (mget[shard]) is a one-line permission error, not a missing vector', async () => {
    const index = `${prefix}-vectors`;
    await admin.index({ index, id: 'd1', body: { vector: [1, 0] }, refresh: true });
    const client = new Client({ node: SECURE_URL, auth: { username: limited, password: limitedPassword }, ssl: { ca: await readFile(ca) } });
    try {
      await expect(serverPassageVectors(client, index, ['d1'])).rejects.toThrow(
        `Cannot read vectors from index "${index}": HTTP 403: user "${limited}" lacks the permission indices:data/read/mget[shard]; grant it through one of the user's roles (the least-privilege roles: ${ROLES_DOC})`,
      );
    } finally {
      await client.close();
    }
  });

  it('a 403 without a body (HEAD) names the request; a 403 that is no permission problem (an index block) is left as OpenSearch says it', async () => {
    const client = new Client({ node: SECURE_URL, auth: { username: limited, password: limitedPassword }, ssl: { ca: await readFile(ca) } });
    process.env.OPENSEARCH_USERNAME = limited;
    try {
      const head = await client.indices.exists({ index: 'not-a-harness-index' }).catch((e) => e);
      expect(errorReason(head)).toBe(
        `HTTP 403: OpenSearch refused HEAD /not-a-harness-index to user "${limited}" without naming the permission; grant the user the least-privilege roles (${ROLES_DOC})`,
      );
      const index = `${prefix}-blocked`;
      await admin.indices.create({ index, body: { settings: { 'index.blocks.write': true } } });
      const blocked = await client.index({ index, id: 'd1', body: { text: 'x' } }).catch((e) => e);
      expect(errorReason(blocked)).toMatch(/^HTTP 403: .*index \[.*\] blocked by: \[FORBIDDEN\/8\/index write \(api\)\]/);
    } finally {
      delete process.env.OPENSEARCH_USERNAME;
      await client.close();
    }
  });

  it('a certificate the harness does not trust: one line naming --opensearch-ca', async () => {
    const line = oneLineError(await bench([...tinyBm25, '--opensearch-url', SECURE_URL!]));
    expect(line).toMatch(/^error: OpenSearch at \S+: TLS: the node's certificate is not trusted \(.*certificate.*\); pass the PEM file of the CA that signed it with --opensearch-ca$/);
    expect(line).toContain(SECURE_URL);
  }, 60_000);

  it('http:// against the HTTPS port: one line giving the https:// URL', async () => {
    const http = SECURE_URL!.replace(/^https:/, 'http:');
    const host = new URL(SECURE_URL!).host;
    const line = oneLineError(await bench([...tinyBm25, '--opensearch-url', http, '--opensearch-ca', ca]));
    expect(line).toBe(`error: OpenSearch at ${http}: the port speaks HTTPS, not HTTP: use https://${host} in --opensearch-url (with --opensearch-ca for a private CA)`);
  }, 60_000);

  it.skipIf(!NODE_URL?.startsWith('http:'))('https:// against a plain HTTP node: one line giving the http:// URL', async () => {
    const https = NODE_URL!.replace(/^http:/, 'https:');
    const line = oneLineError(await bench([...tinyBm25, '--opensearch-url', https]));
    expect(line).toBe(`error: OpenSearch at ${https}: the node answered HTTPS with plain HTTP: use an http:// --opensearch-url (or enable TLS on the node)`);
  }, 60_000);

  it('no password appears in any output, log or results file of these runs', async () => {
    expect(outputs.length).toBeGreaterThan(0);
    const files = (await readdir(out, { recursive: true, withFileTypes: true })).filter((f) => f.isFile() && !f.parentPath.includes(join(out, 'cache')));
    const texts = [...outputs, ...(await Promise.all(files.map((f) => readFile(join(f.parentPath, f.name), 'utf8'))))];
    if (files.length > 0) expect(files.map((f) => f.name)).toContain('results.json');
    for (const secret of [harnessPassword, adminPassword, limitedPassword, wrongPassword]) {
      for (const text of texts) expect(text.includes(secret), 'a password was written').toBe(false);
    }
  });
});
