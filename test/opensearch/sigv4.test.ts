/**
 * `--opensearch-auth sigv4` (Amazon OpenSearch Service / Serverless) through a local endpoint that verifies every
 * request's signature with the AWS SDK's signer and forwards accepted ones to the real node: the same scores as
 * the unsigned run, and each refusal AWS gives (wrong secret, skewed clock, no credentials, unsigned) in one line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResults } from '../../src/results/read-results.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, REPO_ROOT, SHARED_BEIR } from '../helpers/shared.js';
import { startSigv4Endpoint, type Sigv4Endpoint } from '../helpers/sigv4-endpoint.js';
import { deleteIndexes, NODE_URL, rawClient, testPrefix, warnIfNoNode } from './helpers.js';

warnIfNoNode('--opensearch-auth sigv4');
const modelsDir = warnIfNoModels('--opensearch-auth sigv4 with e5-small-v2');

const KEY_ID = 'AKIDBEIRBENCHTEST';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYbeirbenchKEY';
const REGION = 'eu-west-1';

/** The AWS SDK's default chain sees only what a test gives it: no profile files, no instance metadata. */
function awsEnv(over: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_REGION: '',
    AWS_DEFAULT_REGION: '',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/beir-bench-test/credentials',
    AWS_CONFIG_FILE: '/nonexistent/beir-bench-test/config',
    AWS_EC2_METADATA_DISABLED: 'true',
    OPENSEARCH_USERNAME: '',
    OPENSEARCH_PASSWORD: '',
    ...over,
  };
}

describe('--opensearch-auth sigv4: what AWS refuses, in one line', () => {
  let endpoint: Sigv4Endpoint;
  const fixture = join(REPO_ROOT, 'test', 'fixtures', 'beir-tiny');
  // Refused before anything is forwarded: the target node need not exist.
  beforeAll(async () => {
    endpoint = await startSigv4Endpoint({ target: 'http://127.0.0.1:9', accessKeyId: KEY_ID, secretAccessKey: SECRET, region: REGION, service: 'es' });
  });
  afterAll(() => endpoint?.close());

  const bench = (auth: string[], env: NodeJS.ProcessEnv) =>
    runCli(['bench', '--dataset', 'scifact', '--data-dir', fixture, '--arms', 'bm25', '--backend', 'opensearch', '--opensearch-url', endpoint.url, ...auth, '--quiet', '--format', 'json'], env);
  const sigv4 = ['--opensearch-auth', 'sigv4', '--opensearch-region', REGION];

  /** Exit 2 with one line naming the fix, and no secret anywhere. */
  async function refusedWith(run: Promise<{ code: number; stdout: string; stderr: string }>, fix: RegExp): Promise<void> {
    const r = await run;
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(fix);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(r.stdout + r.stderr).not.toContain('wrong-secret');
  }

  it('a wrong secret: the signature does not match', async () => {
    await refusedWith(bench(sigv4, awsEnv({ AWS_SECRET_ACCESS_KEY: 'wrong-secret' })), /signature we calculated does not match.*check AWS_SECRET_ACCESS_KEY/);
    expect(endpoint.refused.at(-1)?.type).toBe('InvalidSignatureException');
  });

  it('a clock more than 5 minutes off: the signature has expired', async () => {
    endpoint.setClockSkew(10 * 60_000);
    try {
      await refusedWith(bench(sigv4, awsEnv()), /Signature expired.*clock is more than 5 minutes off/);
    } finally {
      endpoint.setClockSkew(0);
    }
  });

  it('the wrong region or service in the signature', async () => {
    await refusedWith(bench(['--opensearch-auth', 'sigv4', '--opensearch-region', 'us-east-1'], awsEnv()), /scoped to a valid region.*--opensearch-region/);
    await refusedWith(bench([...sigv4, '--opensearch-service', 'aoss'], awsEnv()), /scoped to correct service.*--opensearch-service/);
  });

  it('no credentials in the default chain', async () => {
    await refusedWith(bench(sigv4, awsEnv({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' })), /no AWS credentials for --opensearch-auth sigv4.*AWS_ACCESS_KEY_ID/);
  });

  it('an unsigned request, and a region missing, name the flag', async () => {
    await refusedWith(bench([], awsEnv()), /Missing Authentication Token.*--opensearch-auth sigv4/);
    await refusedWith(bench(['--opensearch-auth', 'sigv4'], awsEnv()), /--opensearch-auth sigv4 needs --opensearch-region/);
  });
});

describe.skipIf(!NODE_URL || !modelsDir || !hasSharedBeir())('--opensearch-auth sigv4 through a verifying endpoint to the real node', () => {
  const plain = testPrefix();
  const signed = testPrefix();
  let client: Client;
  let endpoint: Sigv4Endpoint;
  let out: string;
  beforeAll(async () => {
    client = rawClient();
    out = await mkdtemp(join(tmpdir(), 'beir-bench-sigv4-'));
    endpoint = await startSigv4Endpoint({ target: NODE_URL!, accessKeyId: KEY_ID, secretAccessKey: SECRET, region: REGION, service: 'es' });
  });
  afterAll(async () => {
    for (const p of [plain, signed]) await deleteIndexes(client, p);
    await client?.close();
    await endpoint?.close();
    await rm(out, { recursive: true, force: true });
  });

  it('gives the same scores as the unsigned run on a SciFact slice (k-NN, its exact twin, BM25)', async () => {
    const common = ['bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--models-dir', modelsDir!, '--max-queries', '10', '--max-docs', '80',
      '--arms', 'asymmetric,bm25', '--backend', 'opensearch', '--format', 'json', '--quiet', '--permutations', '200', '--out', out, '--embed-cache-dir', join(out, 'cache')];
    const unsigned = await runCli([...common, '--opensearch-url', NODE_URL!, '--index-prefix', plain], awsEnv());
    expect(unsigned.code, unsigned.stderr).toBe(0);
    const viaAws = await runCli([...common, '--opensearch-url', endpoint.url, '--index-prefix', signed, '--opensearch-auth', 'sigv4', '--opensearch-region', REGION], awsEnv());
    expect(viaAws.code, viaAws.stderr).toBe(0);
    expect(endpoint.refused).toEqual([]);
    // The probe, index creation, bulk, refresh, count and searches: every one signed and verified.
    expect(endpoint.verified()).toBeGreaterThan(8);

    const [a, b] = [await checkResults(JSON.parse(unsigned.stdout), 'unsigned'), await checkResults(JSON.parse(viaAws.stdout), 'signed')];
    const scores = (r: typeof a) => r.datasets[0].systems.map((s) => [s.system, s.perQuery]);
    expect(scores(b)).toEqual(scores(a));
    expect(scores(a).map(([id]) => id)).toEqual(['e5-small-v2.asymmetric', 'opensearch-bm25']);
    // The k-NN system against its exact twin, on the signed side too.
    expect(b.datasets[0].systems[0].approximation?.exactMean).toEqual(a.datasets[0].systems[0].approximation?.exactMean);
    expect(b.config.opensearch).toMatchObject({ auth: { kind: 'sigv4', region: REGION, service: 'es' } });
    expect(viaAws.stdout + viaAws.stderr).not.toContain(SECRET);
  }, 600_000);
});
