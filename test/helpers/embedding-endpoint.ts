/**
 * A scriptable OpenAI-compatible embedding endpoint on a free loopback port, for fault tests of the remote
 * encoder: deterministic unit vectors derived from each input's text (and input_type), and a script of faults
 * that the next `POST .../embeddings` requests get, one each, in order.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | 'ok'
  /** Never answer (the client's timeout fires). */
  | 'hang'
  /** Close the connection without an answer. */
  | 'reset'
  | 'malformed'
  | 'wrong-count'
  | 'wrong-dimension'
  | 'nan'
  | 'unnormalised'
  | { status: number; retryAfter?: string; body?: string };

export interface SeenRequest {
  at: number;
  inputs: string[];
  body: Record<string, unknown>;
  authorization: string | undefined;
  /** What it got. */
  fault: Fault;
}

export interface EmbeddingEndpoint {
  /** Base URL as clients take it: http://127.0.0.1:<port>/v1 */
  url: string;
  requests: SeenRequest[];
  /** Faults for the next requests, in order; later requests are answered normally. */
  script(...faults: Fault[]): void;
  close(): Promise<void>;
}

export interface EndpointOptions {
  dimension?: number;
  /** The `model` answered. */
  model?: string;
  /** Mixed into every vector: another salt is another model's vectors. */
  salt?: string;
  /** Added to every component before normalising: tiny = the same model on other hardware. */
  jitter?: number;
  /** Listen on this port (default any free one): an endpoint restarted where it was. */
  port?: number;
}

/** The unit vector the endpoint gives `text` (with this input type and salt). */
export function fakeVector(text: string, dimension: number, inputType: string | null = null, salt = '', jitter = 0): Float32Array {
  const v = new Float32Array(dimension);
  let block = Buffer.alloc(0);
  for (let i = 0; i < dimension; i++) {
    if (i % 8 === 0) block = createHash('sha256').update(`${salt}|${inputType ?? ''}|${text}|${i}`).digest();
    v[i] = block.readInt32LE((i % 8) * 4) / 2 ** 31 + jitter;
  }
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const encode = (v: Float32Array, format: unknown) => (format === 'base64' ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v));

export async function startEmbeddingEndpoint(opts: EndpointOptions = {}): Promise<EmbeddingEndpoint> {
  const dimension = opts.dimension ?? 8;
  const model = opts.model ?? 'test/fake';
  const requests: SeenRequest[] = [];
  const pending: Fault[] = [];
  // A connection cut mid-request (close() during an ingest) rejects the body read: nobody is left to answer, and
  // the rejection must not escape as an unhandled error of whichever test is running.
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const text = await readBody(req);
    if (req.method !== 'POST' || !req.url?.endsWith('/embeddings')) {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.parse(text) as Record<string, unknown>;
    const inputs = (typeof body.input === 'string' ? [body.input] : body.input) as string[];
    const fault = pending.shift() ?? 'ok';
    requests.push({ at: Date.now(), inputs, body, authorization: req.headers.authorization, fault });
    if (fault === 'hang') return;
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (typeof fault === 'object') {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
      res.end(fault.body ?? JSON.stringify({ error: { message: `scripted ${fault.status}` } }));
      return;
    }
    if (fault === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"embedding":');
      return;
    }
    const inputType = (body.input_type as string | undefined) ?? null;
    const data = inputs.map((t, index) => {
      let v = fakeVector(t, dimension, inputType, opts.salt, opts.jitter);
      if (fault === 'wrong-dimension') v = Float32Array.from([...v, 0]);
      if (fault === 'unnormalised') v = v.map((x) => x * 3);
      if (fault === 'nan' && index === inputs.length - 1) v[2] = NaN;
      return { object: 'embedding', index, embedding: encode(v, body.encoding_format) };
    });
    if (fault === 'wrong-count') data.pop();
    // Out of order on purpose: clients must place vectors by data[i].index.
    data.reverse();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: 0, total_tokens: 0 } }));
  };
  await new Promise<void>((ok) => server.listen(opts.port ?? 0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...faults) => void pending.push(...faults),
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
