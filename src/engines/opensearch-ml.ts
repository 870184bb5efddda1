/**
 * OpenSearch embedding on the server (ml-commons ingest and search pipelines calling the system's model), with
 * the deployment audit that checks the cluster's vectors against the local encoder's (src/audit/).
 */
import type { OpenSearchOptions } from '../backends/opensearch-client.js';
import type { MlObjects } from '../backends/opensearch-ml/backend.js';
import type { DenseEngineDefinition, EngineFamily } from './engine.js';
import { OPENSEARCH_OPTIONS, openSearchSettings } from './opensearch.js';

export const OPENSEARCH_ML_FAMILY: EngineFamily<OpenSearchOptions> = {
  id: 'opensearch-ml',
  options: OPENSEARCH_OPTIONS,
  open: async (ctx) => (await import('../backends/opensearch-ml/backend.js')).OpenSearchMlBackend.connect(openSearchSettings(ctx, 'the opensearch-ml engine')),
};

export const OPENSEARCH_ML: DenseEngineDefinition<'opensearch-ml'> = {
  id: 'opensearch-ml',
  kind: 'dense',
  family: OPENSEARCH_ML_FAMILY,
  embeds: 'server',
  approximate: true,
  // HNSW, over vectors the cluster computes.
  deterministic: false,
  words: 'OpenSearch HNSW, embedded by the cluster (ml-commons)',
  backend: {
    name: 'opensearch-ml',
    lexical: 'opensearch-bm25',
    hybrid: 'fusion',
    help:
      'the cluster embeds documents and queries itself through ml-commons ingest and search pipelines, calling a model ' +
      'over a connector (a beir-bench serve started here on loopback, the --encoder-url endpoint, or --opensearch-model-id)',
  },
  audit: async ({ engineRecord, engineOptions, log, ...input }) => {
    const [{ auditServerSide }, { auditVerdict }] = await Promise.all([import('../audit/server-side.js'), import('../audit/audit-result.js')]);
    const audit = await auditServerSide({
      ...input,
      // What this engine's retrieval recorded (src/retrieval/retrieve-server.ts).
      ml: engineRecord.ml as MlObjects,
      opensearch: engineOptions[OPENSEARCH_OPTIONS.key] as OpenSearchOptions,
      log,
    });
    log(`  audit of ${input.system.label}: ${auditVerdict(audit)}`);
    return audit;
  },
};
