/**
 * Connecting to OpenSearch: client construction (credentials from the environment, TLS), a fail-fast
 * probe, error messages that name the node, and retry with backoff for transient failures.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, errors, type ClientOptions } from '@opensearch-project/opensearch';
import { UserError } from '../errors.js';
import { accessFailure, connectFailure } from './opensearch-access-errors.js';
import { sigv4ClientOptions, sigv4Refusal, type OpenSearchAuth } from './opensearch-sigv4.js';

export interface ConnectionOptions {
  url: string;
  /** PEM file of the CA that signed the node's certificate. */
  caFile?: string;
  /** Skip TLS certificate verification (warns). */
  insecure?: boolean;
  /** Per-request timeout; bulk requests of large vectors can be slow on a busy node. */
  requestTimeoutMs?: number;
  /** Default basic (from the environment, or none). */
  auth?: OpenSearchAuth;
}

export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  /** First backoff; doubles each attempt (with jitter). */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 500 };

/** What the probe learnt about the node, recorded in results.json. */
export interface NodeInfo {
  version: string;
  distribution: string;
  plugins: string[];
}

export interface OpenSearchOptions {
  url: string;
  caFile?: string;
  insecure?: boolean;
  /** --opensearch-auth: basic (default) or AWS SigV4 with its region and service. */
  auth?: OpenSearchAuth;
  /** HNSW implementation. The Maven-assembled local node has no native libraries: faiss crashes it. */
  engine: 'lucene' | 'faiss';
  m: number;
  efConstruction: number;
  /** Candidate list size at query time (sent per query as method_parameters.ef_search). */
  efSearch: number;
  /** Rebuild indexes even when a matching one exists. */
  recreate: boolean;
  /** Bulk (and msearch) requests in flight. */
  concurrency: number;
  /** Documents per bulk request. */
  bulkBatchSize: number;
  /** Index name prefix (default beir-bench). */
  indexPrefix?: string;
  /** Primary shards and replicas of each index (default 1 and 0; --shards / --replicas, e.g. on a multi-node cluster). */
  shards?: number;
  replicas?: number;
  quiet?: boolean;
  /** Backoff for 429/5xx/unreachable; default 5 retries from 500 ms. */
  retry?: RetryPolicy;
}

/**
 * What results.json records of an OpenSearch engine (never credentials): the node, the HNSW settings, the index
 * layout and bulk sizes, then `own`: the engine's own entries (`knn` ones are merged into the HNSW settings).
 */
export function describeOpenSearch(name: string, o: OpenSearchOptions, node: NodeInfo, own: { knn?: Record<string, unknown> } & Record<string, unknown>): Record<string, unknown> {
  const { knn, ...rest } = own;
  return {
    backend: name,
    url: redactUrl(o.url),
    version: node.version,
    distribution: node.distribution,
    plugins: node.plugins,
    knn: { method: 'hnsw', engine: o.engine, ...knn, m: o.m, efConstruction: o.efConstruction, efSearch: o.efSearch },
    ...rest,
    index: { shards: o.shards ?? 1, replicas: o.replicas ?? 0 },
    bulk: { concurrency: o.concurrency, batchSize: o.bulkBatchSize },
  };
}

/** The URL without user:password, for messages and results (credentials belong in env vars only). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** Basic auth from OPENSEARCH_USERNAME / OPENSEARCH_PASSWORD; both or neither. */
function authFromEnv(): ClientOptions['auth'] {
  const username = process.env.OPENSEARCH_USERNAME;
  const password = process.env.OPENSEARCH_PASSWORD;
  if (!username && !password) return undefined;
  if (!username || !password) {
    throw new UserError('Set both OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD, or neither.');
  }
  return { username, password };
}

export function createClient(opts: ConnectionOptions): Client {
  let parsed: URL;
  try {
    parsed = new URL(opts.url);
  } catch {
    throw new UserError(`Invalid --opensearch-url "${redactUrl(opts.url)}": expected e.g. http://localhost:9200`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UserError(`Invalid --opensearch-url "${redactUrl(opts.url)}": protocol must be http or https`);
  }
  const ssl: ClientOptions['ssl'] = {};
  if (opts.caFile) {
    try {
      ssl.ca = readFileSync(opts.caFile);
    } catch (e) {
      throw new UserError(`Cannot read the OpenSearch CA file ${opts.caFile}: ${(e as Error).message}`);
    }
  }
  if (opts.insecure) {
    console.warn(`warning: TLS certificate verification is disabled for ${redactUrl(opts.url)} (--opensearch-insecure)`);
    ssl.rejectUnauthorized = false;
  }
  const sigv4 = opts.auth?.kind === 'sigv4' ? opts.auth : null;
  if (sigv4 && (process.env.OPENSEARCH_USERNAME || process.env.OPENSEARCH_PASSWORD)) {
    throw new UserError('--opensearch-auth sigv4 signs with AWS credentials: unset OPENSEARCH_USERNAME / OPENSEARCH_PASSWORD (or use --opensearch-auth basic)');
  }
  return new Client({
    node: opts.url,
    ...(sigv4 ? sigv4ClientOptions(sigv4) : { auth: authFromEnv() }),
    ssl,
    // Retries are ours (withRetry): the client's own are immediate, without backoff.
    maxRetries: 0,
    requestTimeout: opts.requestTimeoutMs ?? 120_000,
  });
}

/** Transient: the node is overloaded (429), failing (5xx) or unreachable for now. */
export function isTransient(err: unknown): boolean {
  if (accessFailure(err)) return false;
  if (err instanceof errors.ResponseError) return err.statusCode === 429 || err.statusCode >= 500;
  return err instanceof errors.ConnectionError || err instanceof errors.TimeoutError || err instanceof errors.NoLivingConnectionsError;
}

/** A one-line account of a client error, with the server's reason when there is one (an access failure's fix). */
export function errorReason(err: unknown): string {
  const access = accessFailure(err);
  if (access) return access;
  if (err instanceof errors.ResponseError) {
    const e = err.body?.error;
    // OpenSearch's { error }, or AWS's { message } (a refused signature, a missing permission).
    const reason = typeof e === 'string' ? e : (e?.root_cause?.[0]?.reason ?? e?.reason ?? e?.type ?? err.body?.message);
    return `HTTP ${err.statusCode}${reason ? `: ${reason}` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Run fn, retrying transient failures with exponential backoff and jitter. */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, isRetryable = isTransient): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= policy.retries || !isRetryable(err)) throw err;
      await sleep(backoffMs(policy, attempt));
    }
  }
}

export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const base = policy.baseDelayMs * 2 ** attempt;
  return base / 2 + Math.random() * (base / 2);
}

/** Fail fast with a message naming the URL when the node cannot be reached or refuses us. */
export async function probeNode(client: Client, url: string): Promise<NodeInfo> {
  const where = redactUrl(url);
  try {
    const info = (await client.info()).body;
    const plugins = (await client.cat.plugins({ format: 'json' })).body as { component?: string }[];
    return {
      version: info.version.number,
      distribution: info.version.distribution ?? 'opensearch',
      plugins: [...new Set(plugins.map((p) => p.component ?? ''))].filter(Boolean).sort(),
    };
  } catch (err) {
    const aws = sigv4Refusal(err, where);
    if (aws) throw new UserError(aws);
    const access = await connectFailure(err, url);
    if (access) throw new UserError(`OpenSearch at ${where}: ${access}`);
    if (err instanceof errors.ResponseError) {
      throw new UserError(`OpenSearch at ${where} answered the connection probe with ${errorReason(err)}`);
    }
    throw new UserError(
      `Cannot reach OpenSearch at ${where}: ${errorReason(err)}. Is the node running? ` +
        `(a local one: scripts/opensearch-local.sh start)`,
    );
  }
}

/**
 * A client whose node answered the probe, after `check` accepted what the probe learnt; the client is closed
 * again when either fails, so a refused connection leaves no socket open.
 */
export async function connectProbed(opts: ConnectionOptions, check: (node: NodeInfo) => void = () => {}): Promise<{ client: Client; node: NodeInfo }> {
  const client = createClient(opts);
  try {
    const node = await probeNode(client, opts.url);
    check(node);
    return { client, node };
  } catch (err) {
    await client.close();
    throw err;
  }
}

/** Make every indexed document searchable, then count them (a UserError naming the index and node on failure). */
export async function refreshAndCount(client: Client, index: string, url: string): Promise<number> {
  try {
    await client.indices.refresh({ index });
    return (await client.count({ index })).body.count;
  } catch (err) {
    throw new UserError(`Cannot refresh or count index "${index}" at ${redactUrl(url)}: ${errorReason(err)}`);
  }
}
