/** AWS refusals that the verifying endpoint (test/opensearch/sigv4.test.ts) does not produce: their one line. */
import { errors } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import { sigv4Refusal } from '../../src/backends/opensearch-sigv4.js';

const refusal = (statusCode: number, body: unknown) => new errors.ResponseError({ body, statusCode, headers: {}, warnings: null, meta: {} as never });

describe('sigv4Refusal', () => {
  it('an IAM principal without the action (AWS capitalises Message here) names the policy to change', () => {
    const body = { Message: 'User: arn:aws:iam::123456789012:user/bench is not authorized to perform: es:ESHttpPut because no identity-based policy allows the es:ESHttpPut action' };
    expect(sigv4Refusal(refusal(403, body), 'https://d.eu-west-1.es.amazonaws.com')).toMatch(
      /^AWS refused the request to https:\/\/d\.eu-west-1\.es\.amazonaws\.com \(HTTP 403: User: .* es:ESHttpPut .*\): grant that action to this IAM principal/,
    );
  });

  it('an expired session token says to renew the credentials', () => {
    expect(sigv4Refusal(refusal(403, { message: 'The security token included in the request is expired' }), 'x')).toMatch(/renew the AWS credentials$/);
  });

  it('is not an AWS refusal: an OpenSearch 403 body, a 404, a connection error', () => {
    expect(sigv4Refusal(refusal(403, { error: { type: 'security_exception', reason: 'no permissions' }, status: 403 }), 'x')).toBeNull();
    expect(sigv4Refusal(refusal(404, { message: 'Signature expired: x' }), 'x')).toBeNull();
    expect(sigv4Refusal(new Error('connect ECONNREFUSED'), 'x')).toBeNull();
  });
});
