/** The JSON Schema of results.json, generated from the ResultsFile type (dev tooling: kept out of src/, so the
 * published package never needs ts-json-schema-generator). */
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const ROOT = new URL('../', import.meta.url);
export const RESULTS_SCHEMA_PATH = fileURLToPath(new URL('schema/results.schema.json', ROOT));

export function generateResultsSchema(): string {
  const schema = createGenerator({
    path: fileURLToPath(new URL('src/results/schema.ts', ROOT)),
    tsconfig: fileURLToPath(new URL('tsconfig.json', ROOT)),
    type: 'ResultsFile',
    additionalProperties: false,
    skipTypeCheck: true,
  }).createSchema('ResultsFile');
  return `${JSON.stringify({ title: 'beir-bench results.json', ...schema }, null, 2)}\n`;
}
