/** The OpenSearch flags of `bench` (and scripts), and their translation into OpenSearchOptions. */
import type { Argv } from 'yargs';
import type { OpenSearchOptions } from '../backends/opensearch-client.js';
import { SIGV4_SERVICES, type OpenSearchAuth, type Sigv4Service } from '../backends/opensearch-sigv4.js';
import { UserError } from '../errors.js';
import { checkIntegers, checkPositiveIntegers } from '../option-checks.js';

export const DEFAULT_OPENSEARCH_URL = 'http://localhost:9200';

export function withOpenSearchOptions<T>(y: Argv<T>) {
  return y
    .option('opensearch-url', {
      type: 'string',
      default: process.env.OPENSEARCH_URL || DEFAULT_OPENSEARCH_URL,
      defaultDescription: `$OPENSEARCH_URL, else ${DEFAULT_OPENSEARCH_URL}`,
      describe: 'OpenSearch endpoint (--backend opensearch). Credentials come from $OPENSEARCH_USERNAME / $OPENSEARCH_PASSWORD only',
    })
    .option('opensearch-ca', { type: 'string', describe: 'PEM file of the CA that signed the OpenSearch TLS certificate' })
    .option('opensearch-insecure', {
      type: 'boolean',
      default: false,
      describe: 'Do not verify the OpenSearch TLS certificate (warns; for self-signed test clusters only)',
    })
    .option('opensearch-auth', {
      choices: ['basic', 'sigv4'] as const,
      default: 'basic' as const,
      describe:
        'basic: $OPENSEARCH_USERNAME / $OPENSEARCH_PASSWORD when set (else none); sigv4: sign every request for Amazon OpenSearch Service ' +
        'or Serverless with credentials from the AWS SDK default chain ($AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY, $AWS_PROFILE, a role)',
    })
    .option('opensearch-region', {
      type: 'string',
      default: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION,
      defaultDescription: '$AWS_REGION, else $AWS_DEFAULT_REGION',
      describe: 'AWS region of the domain or collection (--opensearch-auth sigv4), e.g. us-east-1',
    })
    .option('opensearch-service', {
      choices: SIGV4_SERVICES,
      default: 'es' as const,
      describe: 'Signing name (--opensearch-auth sigv4): es for an OpenSearch Service domain, aoss for a Serverless collection',
    })
    .option('engine', {
      choices: ['lucene', 'faiss'] as const,
      default: 'lucene' as const,
      describe: 'k-NN engine of the HNSW index (faiss needs native libraries the Maven-built local node lacks)',
    })
    .option('hnsw-m', { type: 'number', default: 16, describe: 'HNSW graph degree m (index time)' })
    .option('ef-construction', { type: 'number', default: 100, describe: 'HNSW ef_construction (index time)' })
    .option('ef-search', { type: 'number', default: 100, describe: 'HNSW ef_search: candidates examined per query (query time)' })
    .option('recreate', {
      type: 'boolean',
      default: false,
      describe: 'Rebuild OpenSearch indexes even when a matching one (same key, fingerprint, mapping, doc count) exists',
    })
    .option('bulk-concurrency', { type: 'number', default: 2, describe: 'OpenSearch bulk (and msearch) requests in flight' })
    .option('bulk-size', { type: 'number', default: 250, describe: 'Documents per OpenSearch bulk request' })
    .option('shards', { type: 'number', default: 1, describe: 'Primary shards of each index (more than one splits BM25 statistics per shard)' })
    .option('replicas', { type: 'number', default: 0, describe: 'Replicas of each index (a copy needs another data node: 0 on a single node)' })
    .option('index-prefix', {
      type: 'string',
      default: 'beir-bench',
      describe: 'Start of every index name (<prefix>-<dataset>-<system>-<hash>), e.g. to keep teams apart on a shared cluster',
    })
    .check((a) => {
      if (a['opensearch-auth'] === 'sigv4' && !a['opensearch-region']) throw new UserError('--opensearch-auth sigv4 needs --opensearch-region (or $AWS_REGION), e.g. us-east-1');
      checkIntegers(a, ['replicas'], 0);
      return checkPositiveIntegers(a, ['hnsw-m', 'ef-construction', 'ef-search', 'bulk-concurrency', 'bulk-size', 'shards']);
    });
}

export interface OpenSearchArgs {
  'opensearch-url': string;
  'opensearch-ca'?: string;
  'opensearch-insecure': boolean;
  'opensearch-auth': OpenSearchAuth['kind'];
  'opensearch-region'?: string;
  'opensearch-service': Sigv4Service;
  engine: 'lucene' | 'faiss';
  'hnsw-m': number;
  'ef-construction': number;
  'ef-search': number;
  recreate: boolean;
  'bulk-concurrency': number;
  'bulk-size': number;
  'index-prefix': string;
  shards: number;
  replicas: number;
  quiet?: boolean;
}

/** Connection, HNSW and ingestion settings (each index's vector field takes its system's dimension and similarity). */
export function openSearchOptionsFrom(a: OpenSearchArgs): OpenSearchOptions {
  return {
    url: a['opensearch-url'],
    caFile: a['opensearch-ca'],
    insecure: a['opensearch-insecure'],
    auth: a['opensearch-auth'] === 'sigv4' ? { kind: 'sigv4', region: a['opensearch-region']!, service: a['opensearch-service'] } : { kind: 'basic' },
    engine: a.engine,
    m: a['hnsw-m'],
    efConstruction: a['ef-construction'],
    efSearch: a['ef-search'],
    recreate: a.recreate,
    concurrency: a['bulk-concurrency'],
    bulkBatchSize: a['bulk-size'],
    indexPrefix: a['index-prefix'],
    shards: a.shards,
    replicas: a.replicas,
    quiet: a.quiet,
  };
}
