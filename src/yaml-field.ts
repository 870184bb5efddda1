/**
 * Reading a hand-written YAML file (systems, regression matrix) with checks whose errors name the place:
 * `file:line: path.to.field: what is wrong`. Built on the `yaml` library's document nodes and LineCounter.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { UserError } from './errors.js';

/** A YAML node with its place in the file, read with type checks that name that place. */
export class Field {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    readonly node: Node | null | undefined,
    readonly path: string,
  ) {}

  /** `file:line` of this node (just the file when the node is absent). */
  get where(): string {
    const offset = this.node?.range?.[0];
    return offset === undefined ? this.file : `${this.file}:${this.lines.linePos(offset).line}`;
  }

  error(message: string): UserError {
    return new UserError(`${this.where}: ${this.path || '(top level)'}: ${message}`);
  }

  get present(): boolean {
    return this.node !== null && this.node !== undefined && !(isScalar(this.node) && this.node.value === null);
  }

  get isMap(): boolean {
    return isMap(this.node);
  }

  get isList(): boolean {
    return isSeq(this.node);
  }

  private child(node: Node | null | undefined, path: string): Field {
    return new Field(this.file, this.lines, node, path);
  }

  /** Map entries; keys outside `allowed` are an error (typos must not be ignored silently). */
  entries(allowed?: readonly string[]): [string, Field][] {
    if (!isMap(this.node)) throw this.error('expected a mapping (key: value lines)');
    return (this.node.items as Pair<Node, Node>[]).map((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const path = this.path ? `${this.path}.${key}` : key;
      if (allowed && !allowed.includes(key)) {
        throw this.child(pair.key, path).error(`unknown field; expected one of ${allowed.join(', ')}`);
      }
      return [key, this.child(pair.value, path)];
    });
  }

  /** The key nodes of a mapping, as fields (for errors about a key itself, e.g. an unknown metric name). */
  keyField(key: string): Field {
    if (!isMap(this.node)) return this;
    const pair = (this.node.items as Pair<Node, Node>[]).find((p) => isScalar(p.key) && String(p.key.value) === key);
    return this.child(pair?.key, this.path ? `${this.path}.${key}` : key);
  }

  get(key: string, allowed: readonly string[]): Field {
    const found = this.entries(allowed).find(([k]) => k === key);
    return found ? found[1] : this.child(undefined, this.path ? `${this.path}.${key}` : key);
  }

  /** A present field of a mapping read with `allowed` keys, or undefined. */
  optional(key: string, allowed: readonly string[]): Field | undefined {
    const f = this.get(key, allowed);
    return f.present ? f : undefined;
  }

  /** A field that must be there. */
  required(key: string, allowed: readonly string[], what = `"${key}" is required`): Field {
    const f = this.get(key, allowed);
    if (!f.present) throw this.error(what);
    return f;
  }

  items(): Field[] {
    if (!isSeq(this.node)) throw this.error('expected a list (lines starting with "- ")');
    return this.node.items.map((n, i) => this.child(n as Node, `${this.path}[${i}]`));
  }

  private scalar(): unknown {
    if (!isScalar(this.node)) throw this.error('expected a single value');
    return this.node.value;
  }

  /** A plain scalar: string, number, boolean or null (recorded fingerprints). */
  plain(): string | number | boolean | null {
    const v = this.scalar();
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    throw this.error(`expected a string, number or boolean, got ${JSON.stringify(v)}`);
  }

  string(): string {
    const v = this.scalar();
    if (typeof v !== 'string') throw this.error(`expected a string (quote it), got ${JSON.stringify(v)}`);
    return v;
  }

  oneOf<T extends string>(choices: readonly T[]): T {
    const v = this.scalar();
    if (typeof v !== 'string' || !choices.includes(v as T)) throw this.error(`expected one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }

  boolean(): boolean {
    const v = this.scalar();
    if (typeof v !== 'boolean') throw this.error(`expected true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  positiveInteger(): number {
    const v = this.scalar();
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw this.error(`expected a positive integer, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A finite number in [min, max] (`what` describes the range in the error). */
  number(min: number, max: number, what: string): number {
    const v = this.scalar();
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw this.error(`expected ${what}, got ${JSON.stringify(v)}`);
    return v;
  }
}

/** A parsed YAML file: its document (for rewriting in place, comments kept) and its root as a Field. */
export interface YamlFile {
  doc: Document.Parsed;
  root: Field;
}

/** Parse YAML text; a syntax error is a UserError naming file and line. */
export function parseYamlFile(text: string, file: string): YamlFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new UserError(`${file}:${lines.linePos(e.pos[0]).line}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  return { doc, root: new Field(file, lines, doc.contents as Node | null, '') };
}

/** Read a YAML file from disk (`what` names it in the error when it cannot be read). */
export async function readYamlFile(file: string, what: string): Promise<YamlFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseYamlFile(text, file);
}
