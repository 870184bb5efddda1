/**
 * A local stand-in for Amazon OpenSearch Service's front door: every request's AWS Signature Version 4 is checked by
 * re-signing it with the known secret through the AWS SDK's own signer (@smithy/signature-v4, an implementation
 * independent of the aws4 package the OpenSearch client signs with) and comparing; a request AWS would refuse gets
 * AWS's 403 and error body (`{"message": ...}`, x-amzn-ErrorType), an accepted one is forwarded to a real node.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Sigv4EndpointOptions {
  /** The node accepted requests are forwarded to, e.g. http://127.0.0.1:9200. */
  target: string;
  /** The only key pair the endpoint knows. */
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: 'es' | 'aoss';
}

export interface Refusal {
  status: number;
  type: string;
  message: string;
}

export interface Sigv4Endpoint {
  url: string;
  /** Requests whose signature matched (each was forwarded). */
  verified(): number;
  refused: Refusal[];
  /** The endpoint's clock ahead of the real one (ms): what a client with a skewed clock looks like from AWS. */
  setClockSkew(ms: number): void;
  close(): Promise<void>;
}

/** AWS accepts a request signed up to 5 minutes before or after its own clock. */
const MAX_SKEW_MS = 5 * 60_000;

const amzDate = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
function parseAmzDate(s: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : null;
}

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. ' +
  'Consult the service documentation for details.';

export async function startSigv4Endpoint(o: Sigv4EndpointOptions): Promise<Sigv4Endpoint> {
  const target = new URL(o.target);
  let skewMs = 0;
  let verified = 0;
  const refused: Refusal[] = [];

  /** null when the request carries a valid signature, else AWS's refusal. */
  async function check(req: http.IncomingMessage, body: Buffer): Promise<Refusal | null> {
    const refuse = (type: string, message: string, status = 403): Refusal => ({ status, type, message });
    const auth = req.headers.authorization;
    if (!auth) return refuse('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return refuse('IncompleteSignatureException', `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.`);
    const [, keyId, , region, service, signedList, signature] = m;
    if (keyId !== o.accessKeyId) return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (region !== o.region) return refuse('InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'.`);
    if (service !== o.service) return refuse('InvalidSignatureException', `Credential should be scoped to correct service: '${o.service}'.`);
    const dateHeader = String(req.headers['x-amz-date'] ?? '');
    const signedAt = parseAmzDate(dateHeader);
    if (!signedAt) return refuse('IncompleteSignatureException', 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.');
    const now = new Date(Date.now() + skewMs);
    if (signedAt.getTime() < now.getTime() - MAX_SKEW_MS) {
      return refuse('InvalidSignatureException', `Signature expired: ${dateHeader} is now earlier than ${amzDate(new Date(now.getTime() - MAX_SKEW_MS))} (${amzDate(now)} - 5 min.)`);
    }
    if (signedAt.getTime() > now.getTime() + MAX_SKEW_MS) {
      return refuse('InvalidSignatureException', `Signature not yet current: ${dateHeader} is still later than ${amzDate(new Date(now.getTime() + MAX_SKEW_MS))} (${amzDate(now)} + 5 min.)`);
    }
    // The signer takes the payload hash from this header when present: it must be the body's (Serverless requires it).
    const payloadHash = req.headers['x-amz-content-sha256'];
    if (payloadHash !== undefined && payloadHash !== createHash('sha256').update(body).digest('hex')) {
      return refuse('InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400);
    }
    // Re-sign exactly the headers the client says it signed, with the secret this endpoint knows.
    const signed = signedList.split(';');
    const headers: Record<string, string> = {};
    for (const h of signed) {
      const v = req.headers[h];
      if (v === undefined) return refuse('InvalidSignatureException', MISMATCH);
      headers[h] = Array.isArray(v) ? v.join(',') : v;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query: Record<string, string | string[]> = {};
    for (const k of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(k);
      query[k] = all.length === 1 ? all[0] : all;
    }
    const signer = new SignatureV4({
      credentials: { accessKeyId: keyId, secretAccessKey: o.secretAccessKey, sessionToken: headers['x-amz-security-token'] },
      region,
      service,
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: true,
    });
    const expected = await signer.sign(
      new HttpRequest({ method: req.method, protocol: 'http:', hostname: headers.host ?? '', path: url.pathname, query, headers, body }),
      { signingDate: signedAt, signableHeaders: new Set(signed) },
    );
    const want = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1] ?? '';
    if (want.length !== signature.length || !timingSafeEqual(Buffer.from(want), Buffer.from(signature))) return refuse('InvalidSignatureException', MISMATCH);
    return null;
  }

  function forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (k === 'host' || k === 'authorization' || k === 'connection' || k.startsWith('x-amz-')) continue;
      headers[k] = v;
    }
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, Object.fromEntries(Object.entries(answer.headers).filter(([k]) => k !== 'connection' && k !== 'transfer-encoding')));
      answer.pipe(res);
    });
    up.on('error', (err) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `upstream: ${err.message}` }));
    });
    up.end(body);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      void check(req, body).then((refusal) => {
        if (!refusal) {
          verified++;
          return forward(req, body, res);
        }
        refused.push(refusal);
        res.writeHead(refusal.status, { 'content-type': 'application/json', 'x-amzn-errortype': `${refusal.type}:` });
        res.end(JSON.stringify({ message: refusal.message }));
      });
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    verified: () => verified,
    refused,
    setClockSkew: (ms) => {
      skewMs = ms;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
