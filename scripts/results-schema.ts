/** The JSON Schema of results.json, generated from the ResultsFile type (dev tooling: kept out of src/, so the
 * published package never needs ts-json-schema-generator). */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import {
  createFormatter,
  createParser,
  createProgram,
  DEFAULT_CONFIG,
  LiteralType,
  SchemaGenerator,
  UnionType,
  type BaseType,
  type CompletedConfig,
  type SubNodeParser,
} from 'ts-json-schema-generator';

import { ENGINE_OPTION_KEYS } from '../src/engines/registry.js';

const ROOT = new URL('../', import.meta.url);
export const RESULTS_SCHEMA_PATH = fileURLToPath(new URL('schema/results.schema.json', ROOT));
const REGISTRY = fileURLToPath(new URL('src/engines/registry.ts', ROOT));

/**
 * The engine id unions (DenseEngine, ...) are derived from the registry's list of definitions, which the generator
 * cannot read; TypeScript's own checker resolves them to the string literals they are.
 */
class EngineIdUnionParser implements SubNodeParser {
  constructor(private readonly checker: ts.TypeChecker) {}
  supportsNode(node: ts.Node): boolean {
    return ts.isIndexedAccessTypeNode(node) && node.getSourceFile().fileName === REGISTRY;
  }
  createType(node: ts.Node): BaseType {
    const type = this.checker.getTypeFromTypeNode(node as ts.TypeNode);
    const members = type.isUnion() ? type.types : [type];
    return new UnionType(
      members.map((m) => {
        if (!m.isStringLiteral()) throw new Error(`${REGISTRY}: ${node.getText()} is not a union of engine ids`);
        return new LiteralType(m.value);
      }),
    );
  }
}

interface ObjectSchema {
  type: 'object';
  properties: Record<string, unknown>;
  additionalProperties?: boolean;
}

/** RunConfig types each engine family's settings as `unknown` beside its own fields: name those keys, allow no other. */
function recordEngineOptionKeys(runConfig: ObjectSchema): ObjectSchema {
  const { type, properties, additionalProperties: _open, ...rest } = runConfig;
  const engineKeys = Object.fromEntries(ENGINE_OPTION_KEYS.map((k) => [k, { type: 'object', additionalProperties: {} }]));
  return { type, additionalProperties: false, properties: { ...properties, ...engineKeys }, ...rest };
}

export function generateResultsSchema(): string {
  const config: CompletedConfig = {
    ...DEFAULT_CONFIG,
    path: fileURLToPath(new URL('src/results/schema.ts', ROOT)),
    tsconfig: fileURLToPath(new URL('tsconfig.json', ROOT)),
    type: 'ResultsFile',
    additionalProperties: false,
    skipTypeCheck: true,
  };
  const program = createProgram(config);
  const parser = createParser(program, config, (chain) => chain.addNodeParser(new EngineIdUnionParser(program.getTypeChecker())));
  const schema = new SchemaGenerator(program, parser, createFormatter(config), config).createSchema('ResultsFile');
  const definitions = { ...schema.definitions, RunConfig: recordEngineOptionKeys(schema.definitions?.RunConfig as ObjectSchema) };
  return `${JSON.stringify({ title: 'beir-bench results.json', ...schema, definitions }, null, 2)}\n`;
}
