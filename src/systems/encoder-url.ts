/** What a remote encoder's address may be (systems files and --encoder-url are checked before anything runs). */
import { UserError } from '../errors.js';

/** The environment variable holding the endpoint's API key, sent as `Authorization: Bearer <key>`. */
export const API_KEY_ENV = 'BEIR_BENCH_ENCODER_API_KEY';

/** A URL users may give as --encoder-url: absolute http(s), no credentials in it. */
export function checkEncoderUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UserError(`encoder URL "${raw}" is not an absolute URL; expected e.g. http://127.0.0.1:8080/v1`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError(`encoder URL "${raw}" must start with http:// or https://, e.g. http://127.0.0.1:8080/v1`);
  if (u.username || u.password) {
    throw new UserError(`encoder URL ${u.host}: credentials do not go into the URL (it is recorded in results); set ${API_KEY_ENV} (sent as a Bearer token)`);
  }
  return u;
}
