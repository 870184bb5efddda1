/**
 * Read a results.json as the contract says: the schema version checked first (a clear error for another
 * version or a file that is not results at all), then the whole file validated against
 * schema/results.schema.json, errors naming the offending field.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';
import { SCHEMA_VERSION, type ResultsFile } from './schema.js';

const SCHEMA_FILE = new URL('../../schema/results.schema.json', import.meta.url);

let validator: ValidateFunction | undefined;

async function validate(): Promise<ValidateFunction> {
  if (!validator) {
    const schema = JSON.parse(await readFile(SCHEMA_FILE, 'utf8')) as object;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator;
}

/** Throws a UserError naming `source` unless `data` is a valid results.json of this schema version. */
export async function checkResults(data: unknown, source: string): Promise<ResultsFile> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UserError(`${source} is not a beir-bench results.json (not a JSON object)`);
  const version = (data as { schemaVersion?: unknown }).schemaVersion;
  if (version === undefined) {
    const looksOld = 'runId' in data && 'datasets' in data;
    throw new UserError(
      looksOld
        ? `${source} has no schemaVersion: it was written by beir-bench 0.1, before the results schema; re-run bench to get a version ${SCHEMA_VERSION} file`
        : `${source} is not a beir-bench results.json (no schemaVersion field)`,
    );
  }
  if (version !== SCHEMA_VERSION) {
    throw new UserError(`${source} is results.json schema version ${JSON.stringify(version)}; this beir-bench reads version ${SCHEMA_VERSION}`);
  }
  const check = await validate();
  if (!check(data)) {
    const shown = (check.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '(top level)'} ${e.message}`).join('; ');
    throw new UserError(`${source} does not match the results.json schema (schema/results.schema.json): ${shown}`);
  }
  return data as unknown as ResultsFile;
}

export async function readResults(file: string): Promise<ResultsFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file} is not JSON: ${(err as Error).message}`);
  }
  return checkResults(data, file);
}

/** A results/<run-id>/ folder stands for its results.json (report, inspect). */
export async function resultsPath(arg: string): Promise<string> {
  const s = await stat(arg).catch(() => null);
  return s?.isDirectory() ? join(arg, 'results.json') : arg;
}
