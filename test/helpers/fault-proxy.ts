/**
 * A real HTTP server in front of a real service (an embedding endpoint, an OpenSearch node) that misbehaves on
 * cue: scripted rules pick requests (method, path, body) and give them a fault instead of, or around, the
 * service's answer. Requests no rule picks are forwarded untouched.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  body: Buffer;
}

export type Fault =
  /** Answer with this status (and Retry-After) instead of forwarding. */
  | { status: number; retryAfter?: string }
  /** Close the connection without an answer. */
  | { reset: true }
  /** Forward, but answer only after this long. */
  | { delayMs: number }
  /** Forward, then change the JSON answer. */
  | { rewrite: (answer: any) => unknown }
  /** Run this first (e.g. kill the service), then forward. */
  | { before: () => void | Promise<void> }
  /** The proxy itself dies: every connection dropped (this one too), nothing listens any more. */
  | { die: true };

export interface Rule {
  /** Which requests the rule may take; each rule takes one request. */
  match: (r: ProxiedRequest) => boolean;
  fault: Fault;
}

export interface FaultProxy {
  url: string;
  /** Rules for the coming requests, each used once, in order among those that match. */
  script(...rules: Rule[]): void;
  /** Faults given so far, in order. */
  injected: { path: string; fault: Fault }[];
  /** Every request received, in order. */
  requests: { method: string; path: string }[];
  /** Rules not used yet. */
  pending(): number;
  close(): Promise<void>;
}

async function body(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** `count` rules giving `fault` to requests whose path matches. */
export function times(count: number, path: RegExp, fault: Fault): Rule[] {
  return Array.from({ length: count }, () => ({ match: (r: ProxiedRequest) => path.test(r.path), fault }));
}

/** One rule giving `fault` to the nth (1-based) request whose path matches; the ones before it pass. */
export function nth(n: number, path: RegExp, fault: Fault): Rule {
  let seen = 0;
  return { match: (r) => path.test(r.path) && ++seen === n, fault };
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: Rule[] = [];
  const injected: FaultProxy['injected'] = [];
  const requests: FaultProxy['requests'] = [];
  const sockets = new Set<Socket>();

  const forward = (r: ProxiedRequest, headers: http.IncomingHttpHeaders, res: http.ServerResponse, fault?: Fault) => {
    const upstream = http.request(new URL(r.path, target), { method: r.method, headers: { ...headers, host: new URL(target).host } }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        let answer = Buffer.concat(chunks);
        const responseHeaders = { ...up.headers };
        if (fault && 'rewrite' in fault) {
          answer = Buffer.from(JSON.stringify(fault.rewrite(JSON.parse(answer.toString('utf8')))));
          delete responseHeaders['content-encoding'];
        }
        responseHeaders['content-length'] = String(answer.length);
        delete responseHeaders['transfer-encoding'];
        const send = () => res.writeHead(up.statusCode ?? 502, responseHeaders).end(answer);
        if (fault && 'delayMs' in fault) setTimeout(send, fault.delayMs);
        else send();
      });
    });
    upstream.on('error', () => res.destroy());
    upstream.end(r.body);
  };

  const server = http.createServer(async (req, res) => {
    const r: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', body: await body(req) };
    requests.push({ method: r.method, path: r.path });
    const at = rules.findIndex((rule) => rule.match(r));
    const fault = at >= 0 ? rules.splice(at, 1)[0].fault : undefined;
    if (fault) injected.push({ path: r.path, fault });
    if (fault && 'status' in fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
      res.end(JSON.stringify({ error: { message: `injected ${fault.status}` } }));
    } else if (fault && 'reset' in fault) {
      req.socket.destroy();
    } else if (fault && 'die' in fault) {
      void close();
    } else {
      if (fault && 'before' in fault) await fault.before();
      forward(r, req.headers, res, fault);
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  let closed: Promise<void> | null = null;
  const close = () =>
    (closed ??= new Promise((ok) => {
      for (const s of sockets) s.destroy();
      server.close(() => ok());
    }));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    script: (...more) => void rules.push(...more),
    injected,
    requests,
    pending: () => rules.length,
    close,
  };
}
