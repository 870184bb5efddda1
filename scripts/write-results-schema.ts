/**
 * Generates schema/results.schema.json from src/results/schema.ts (the ResultsFile type).
 * Usage: npm run schema            (writes the file)
 *        npm run schema -- --check (exits 1 when the committed file is out of date)
 */
import { readFile, writeFile } from 'node:fs/promises';
import { generateResultsSchema, RESULTS_SCHEMA_PATH } from './results-schema.js';

const text = generateResultsSchema();
if (process.argv.includes('--check')) {
  const committed = await readFile(RESULTS_SCHEMA_PATH, 'utf8').catch(() => '');
  if (committed !== text) {
    console.error(`${RESULTS_SCHEMA_PATH} is out of date: run npm run schema`);
    process.exit(1);
  }
  console.log(`${RESULTS_SCHEMA_PATH} is up to date`);
} else {
  await writeFile(RESULTS_SCHEMA_PATH, text);
  console.log(`wrote ${RESULTS_SCHEMA_PATH}`);
}
