/**
 * The deployment audit in the bench loop, for systems embedded by OpenSearch (engine opensearch-ml): the same
 * system embedded by the client (local encoder, opensearch-knn on the same index settings) is run and scored as
 * the reference run, and the vectors OpenSearch produced (`_source` of the ml index, `_predict` as the search
 * pipeline calls the model) are compared with the local encoder's.
 */
import type { Client } from '@opensearch-project/opensearch';
import type { RankedRun } from '../ranking.js';
import { createClient } from '../backends/opensearch-client.js';
import type { MlObjects } from '../backends/opensearch-ml/backend.js';
import { serverPassageVectors, serverQueryVectors } from '../backends/opensearch-ml/vectors.js';
import type { OpenSearchOptions } from '../backends/opensearch-client.js';
import type { LoadedDataset } from '../datasets/loaders.js';
import type { Encoder, LocalEncoder } from '../embed/encoder.js';
import { UserError } from '../errors.js';
import { resolvePrefixes, type DenseSystem } from '../systems/system.js';
import type { Matrix } from '../types.js';
import type { DeploymentAudit } from './audit-result.js';
import { auditDeployment, type AuditOptions, type ServerVectors } from './audit.js';

/** The system whose run and vectors the server's are compared with: client-embedded by the local encoder, same index settings. */
export function clientTwin(system: DenseSystem): DenseSystem {
  const dtype = system.encoder.kind === 'local' ? system.encoder.dtype : 'fp32';
  return { ...system, id: `${system.id}.client`, label: `${system.label} (client-embedded)`, engine: 'opensearch-knn', encoder: { kind: 'local', dtype } };
}

const matrixOf = (rows: readonly Float32Array[], dim: number): Matrix => {
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new UserError(`deployment audit: the server returned a vector of dimension ${r.length}; the model's is ${dim}`);
    data.set(r, i * dim);
  });
  return { data, rows: rows.length, dim };
};

/** The vectors an opensearch-ml index holds and its model produces for queries, as the audit reads them. */
export function openSearchVectors(client: Client, url: string, ml: MlObjects, dim: number): ServerVectors {
  return {
    async passages(docs) {
      const found = await serverPassageVectors(client, ml.index, docs.map((d) => d.id));
      const missing = docs.filter((d) => !found.has(d.id)).map((d) => d.id);
      if (missing.length) throw new UserError(`deployment audit: index "${ml.index}" holds no vector for ${missing.length} sampled docs (e.g. ${missing.slice(0, 3).join(', ')})`);
      return matrixOf(docs.map((d) => found.get(d.id)!), dim);
    },
    async queries(queries) {
      return matrixOf(await serverQueryVectors(client, ml.model, ml.sides.query, queries.map((q) => q.text), url), dim);
    },
  };
}

export interface ServerSideAuditInput {
  system: DenseSystem;
  ds: LoadedDataset;
  /** What retrieve recorded for the server-side run (`engine.ml`). */
  ml: MlObjects;
  server: { run: RankedRun; mean: Record<string, number> };
  /** Runs and scores a system as the bench loop does (retrieve, cut, evaluate). */
  score: (system: DenseSystem) => Promise<{ run: RankedRun; mean: Record<string, number> }>;
  /** The run's encoder for a system (the local model, loaded once per run). */
  encoderFor: (system: DenseSystem) => Promise<Encoder>;
  /** Where the audit reads the server's vectors. */
  opensearch: OpenSearchOptions;
  metric: string;
  k: number;
  options?: AuditOptions;
  log?: (line: string) => void;
}

export async function auditServerSide(input: ServerSideAuditInput): Promise<DeploymentAudit> {
  const { system, ds } = input;
  const twin = clientTwin(system);
  input.log?.(`  audit: running ${twin.label} as the reference`);
  const client = await input.score(twin).catch((err: unknown) => {
    if (!(err instanceof UserError)) throw err;
    throw new UserError(`deployment audit of ${system.id}: the client-embedded reference run failed: ${err.message} (--audit-passages 0 skips the audit)`);
  });
  const reference = await input.encoderFor(twin).catch((err: unknown) => {
    if (!(err instanceof UserError)) throw err;
    throw new UserError(`deployment audit of ${system.id} needs the local model as its reference: ${err.message} (--audit-passages 0 skips the audit)`);
  });
  if (!('variant' in reference)) throw new Error(`auditServerSide: ${twin.id} did not get a local encoder`);
  const { url, caFile, insecure, auth } = input.opensearch;
  const os = createClient({ url, caFile, insecure, auth });
  try {
    return await auditDeployment({
      model: system.model,
      prefixes: resolvePrefixes(system.model, system.prefix),
      corpus: ds.corpus,
      queries: ds.queries,
      server: openSearchVectors(os, url, input.ml, system.model.dimension),
      reference: reference as LocalEncoder,
      runs: { reference: twin.id, metric: input.metric, k: input.k, server: input.server, client },
      options: input.options,
      log: input.log,
    });
  } finally {
    await os.close();
  }
}
