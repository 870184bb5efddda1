/**
 * A forwarding HTTP proxy in front of the real node that can inject faults: answer some requests with
 * an error status (a node under load), or die abruptly mid-ingest (a node that stopped). The shared
 * node itself is never touched.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FaultPlan {
  /** Answer the first `count` requests whose path matches with `status`, then forward normally. */
  reject?: { count: number; status: number; path: RegExp };
  /** In the first `count` responses whose path matches, turn the first bulk item into a 429 rejection. */
  rejectFirstItem?: { count: number; path: RegExp };
  /** When the n-th (1-based) request whose path matches arrives, drop every connection and stop listening. */
  dieOn?: { n: number; path: RegExp };
}

export interface FaultProxy {
  url: string;
  /** Paths forwarded to the node, and faults injected. */
  stats: { forwarded: string[]; rejected: number; itemsRejected: number };
  close(): Promise<void>;
}

export async function startProxy(target: string, plan: FaultPlan): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const stats = { forwarded: [] as string[], rejected: 0, itemsRejected: 0 };
  let matchedForDeath = 0;
  let dead = false;

  const kill = () => {
    dead = true;
    server.close();
    for (const s of sockets) s.destroy();
  };

  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (plan.dieOn && plan.dieOn.path.test(path) && ++matchedForDeath === plan.dieOn.n) {
      kill(); // the request body is still streaming in: the client sees its connection reset
      return;
    }
    if (plan.reject && plan.reject.path.test(path) && stats.rejected < plan.reject.count) {
      stats.rejected++;
      req.resume();
      res.writeHead(plan.reject.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'es_rejected_execution_exception', reason: 'injected by the test proxy' }, status: plan.reject.status }));
      return;
    }
    stats.forwarded.push(path);
    const rewrite = plan.rejectFirstItem && plan.rejectFirstItem.path.test(path) && stats.itemsRejected < plan.rejectFirstItem.count;
    if (rewrite) stats.itemsRejected++; // counted now: concurrent requests must not all qualify
    const upstream = http.request(new URL(path, target), { method: req.method, headers: req.headers }, (up) => {
      if (!rewrite) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        body.errors = true;
        body.items[0].index = { ...body.items[0].index, status: 429, error: { type: 'es_rejected_execution_exception', reason: 'injected by the test proxy' } };
        res.writeHead(up.statusCode ?? 502, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: async () => {
      if (!dead) kill();
    },
  };
}
