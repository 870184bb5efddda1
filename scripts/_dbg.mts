import { createClient } from '../src/backends/opensearch-client.js';
process.env.OPENSEARCH_USERNAME='beir-bench';
const fs = await import('node:fs');
const S='/var/cache/beir-bench/opensearch/security-9250';
process.env.OPENSEARCH_PASSWORD=fs.readFileSync(S+'/beir-bench.password','utf8').trim();
const c = createClient({ url: 'https://127.0.0.1:9250', caFile: S+'/ca.pem' });
try { await c.indices.refresh({ index: 'beir-bench-sectest-scifact-opensearch-bm25-217df41d' }); } catch (e: any) { console.log(e.statusCode, typeof e.body, JSON.stringify(e.body), e.meta.meta.request.params.method); }
