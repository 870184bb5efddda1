/**
 * Amazon OpenSearch Service (`es`) and Serverless (`aoss`): every request signed with AWS Signature Version 4 by the
 * OpenSearch client's own signer, with credentials from the AWS SDK's default chain (environment, profile files,
 * SSO, web identity, container and instance roles). And AWS's refusals in one line that names what to fix.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { errors, type ClientOptions } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';

export const SIGV4_SERVICES = ['es', 'aoss'] as const;
export type Sigv4Service = (typeof SIGV4_SERVICES)[number];

/** How requests authenticate: `basic` (OPENSEARCH_USERNAME / OPENSEARCH_PASSWORD, or nothing), or signed for AWS. */
export type OpenSearchAuth = { kind: 'basic' } | { kind: 'sigv4'; region: string; service: Sigv4Service };

/** The client's Connection and Transport that sign each request (credentials fetched, and refreshed, by the chain). */
export function sigv4ClientOptions(auth: Extract<OpenSearchAuth, { kind: 'sigv4' }>): Pick<ClientOptions, 'Connection' | 'Transport'> {
  const { Connection, Transport } = AwsSigv4Signer({ region: auth.region, service: auth.service, getCredentials: defaultProvider() });
  return { Connection, Transport } as Pick<ClientOptions, 'Connection' | 'Transport'>;
}

/** What AWS's 403 bodies (`{"message": ...}`) and the credential chain's failure mean, and what fixes it; null: not an AWS refusal. */
export function sigv4Refusal(err: unknown, where: string): string | null {
  if (err instanceof Error && err.name === 'CredentialsProviderError') {
    return (
      `no AWS credentials for --opensearch-auth sigv4 (${where}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, ` +
      'or run where a role provides them (the AWS SDK default credential chain found none)'
    );
  }
  if (!(err instanceof errors.ResponseError) || (err.statusCode !== 403 && err.statusCode !== 400)) return null;
  const message = typeof err.body?.message === 'string' ? (err.body.message as string) : typeof err.body?.Message === 'string' ? (err.body.Message as string) : '';
  const refused = `AWS refused the request to ${where} (HTTP ${err.statusCode}: ${message.split('\n')[0]})`;
  if (/^Signature (expired|not yet current)/.test(message)) return `${refused}: this machine's clock is more than 5 minutes off; synchronise it (NTP)`;
  if (/signature we calculated does not match/i.test(message)) {
    return `${refused}: check AWS_SECRET_ACCESS_KEY (the secret of that access key id), --opensearch-region and --opensearch-service`;
  }
  if (/security token included in the request is invalid|expired/i.test(message)) {
    return `${refused}: the access key id (or session token) is unknown or expired; renew the AWS credentials`;
  }
  if (/is not authorized to perform/i.test(message)) return `${refused}: grant that action to this IAM principal (the domain's access policy, or its fine-grained access control role mapping)`;
  if (/Credential should be scoped/i.test(message)) return `${refused}: set --opensearch-region and --opensearch-service to the domain's`;
  if (/Missing Authentication Token/i.test(message)) return `${refused}: the request was not signed; use --opensearch-auth sigv4`;
  if (/x-amz-content-sha256/i.test(message)) return `${refused}: the payload hash header does not match the body`;
  return null;
}
