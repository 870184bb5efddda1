/**
 * Why a secured node refused us, in one line that names the fix: wrong or missing credentials (401), a permission
 * the user's roles lack (403, naming the action OpenSearch reports), a certificate we do not trust, or HTTP and
 * HTTPS crossed. The one place that reads these failures: errorReason and the connection probe both ask here.
 * No credential is ever part of a message (OpenSearch's 403 names the user, never the password).
 */
import { connect } from 'node:tls';
import { errors } from '@opensearch-project/opensearch';
import { socketReaches } from '../socket-probe.js';

/** Where the least-privilege roles are written down for users to paste. */
export const ROLES_DOC = 'docs/OPENSEARCH.md#a-secured-node-least-privilege-roles';

/** What Node's TLS layer says of a certificate it does not accept (the client keeps only the message, not the code). */
const UNTRUSTED_CERTIFICATE = /certificate|self[- ]signed|altnames/i;

/**
 * The one-line account of an access failure, or undefined when `err` is something else (the caller then says
 * what it says of any failure). Synchronous: it reads the error only.
 */
export function accessFailure(err: unknown): string | undefined {
  if (err instanceof errors.ResponseError) {
    if (err.statusCode === 401 && refusedCredentials(err)) {
      const set = process.env.OPENSEARCH_USERNAME ? `the credentials of user "${process.env.OPENSEARCH_USERNAME}"` : 'a request without credentials';
      return `HTTP 401: OpenSearch refused ${set}; set OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD to a user of the cluster and its password`;
    }
    if (err.statusCode !== 403) return undefined;
    if (!err.body) {
      // A HEAD request's 403 has no body: name the request (the same GET would name the permission).
      const request = (err.meta?.meta as { request?: { params?: { method?: string; path?: string } } } | undefined)?.request?.params;
      return `HTTP 403: OpenSearch refused ${request ? `${request.method} ${request.path}` : 'the request'} to user "${process.env.OPENSEARCH_USERNAME ?? ''}" without naming the permission; grant the user the least-privilege roles (${ROLES_DOC})`;
    }
    return permissionFailure(err.body);
  }
  if (!(err instanceof errors.ConnectionError)) return undefined;
  const message = err.message.split('\n')[0];
  if (/wrong version number/i.test(message)) {
    return 'the node answered HTTPS with plain HTTP: use an http:// --opensearch-url (or enable TLS on the node)';
  }
  if (UNTRUSTED_CERTIFICATE.test(message)) {
    return `TLS: the node's certificate is not trusted (${message.replace(/; if the root CA is installed locally.*$/, '')}); pass the PEM file of the CA that signed it with --opensearch-ca`;
  }
  return undefined;
}

/**
 * Whether a 401 is the node refusing our credentials (the security plugin answers with a WWW-Authenticate challenge
 * and a plain-text body), not a 401 the node passes on from elsewhere: ml-commons reports a connector endpoint's 401
 * (e.g. `beir-bench serve` refusing a missing API key) as its own JSON error, which errorReason words as it is.
 */
function refusedCredentials(err: InstanceType<typeof errors.ResponseError>): boolean {
  const headers = (err.meta?.headers ?? {}) as Record<string, unknown>;
  return headers['www-authenticate'] !== undefined || typeof err.body !== 'object' || err.body === null;
}

/**
 * A refusal by the security plugin (the body of a response, a shard failure, or a bulk or mget item that says "no
 * permissions for [action] and User [name=...]"), naming the action; undefined for anything else (e.g. an index block).
 */
export function permissionFailure(body: unknown): string | undefined {
  const m = /no permissions for \[(.*?)\] and User \[name=([^,\]]*)/.exec(JSON.stringify(body ?? ''));
  if (!m) return undefined;
  return `HTTP 403: user "${m[2]}" lacks the permission${m[1].includes(', ') ? 's' : ''} ${m[1]}; grant ${m[1].includes(', ') ? 'them' : 'it'} through one of the user's roles (the least-privilege roles: ${ROLES_DOC})`;
}

/**
 * accessFailure, plus what only a second look at the node can tell: a connection that an http:// URL saw cut off
 * without a reply is, when the port completes a TLS handshake, an HTTPS port. For the first request to a node.
 */
export async function connectFailure(err: unknown, url: string): Promise<string | undefined> {
  const known = accessFailure(err);
  if (known || !(err instanceof errors.ConnectionError)) return known;
  const u = new URL(url);
  if (u.protocol !== 'http:' || !(await speaksTls(u.hostname, Number(u.port || 80)))) return undefined;
  return `the port speaks HTTPS, not HTTP: use https://${u.host} in --opensearch-url (with --opensearch-ca for a private CA)`;
}

/** Whether host:port completes a TLS handshake (certificate not checked: this asks what the port speaks, nothing more). */
function speaksTls(host: string, port: number): Promise<boolean> {
  return socketReaches(connect({ host: host.replace(/^\[|\]$/g, ''), port, rejectUnauthorized: false, timeout: 5_000 }), 'secureConnect');
}
