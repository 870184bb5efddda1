import { env } from '@huggingface/transformers';
import { describeHttpStatus, describeNetworkError, DownloadError, isNetworkError, type DownloadTarget } from '../net-errors.js';

/**
 * Run transformers.js loads from the hub and turn a failure into a DownloadError naming the request that failed.
 * transformers.js reports an unreachable hub as a bare "fetch failed" without the URL, and a 404 on
 * tokenizer_config.json as an unrelated TypeError, so the requests are watched through its `env.fetch` hook.
 * A load that succeeds is untouched, whatever optional files answered 404 on the way.
 */
export async function explainHubFailures<T>(target: Omit<DownloadTarget, 'url'>, load: () => Promise<T>): Promise<T> {
  const failures: { url: string; reason: string; cause?: unknown }[] = [];
  let lastUrl: string | undefined;
  const fetchBefore = env.fetch;
  env.fetch = async (input, init) => {
    const url = String(input);
    lastUrl = url;
    try {
      const res = (await fetchBefore(input, init)) as Response;
      if (!res.ok) failures.push({ url, reason: describeHttpStatus(res) });
      return res;
    } catch (err) {
      failures.push({ url, reason: describeNetworkError(err), cause: err });
      throw err;
    }
  };
  try {
    return await load();
  } catch (err) {
    // A body cut off mid-transfer fails after fetch returned: blame the latest request.
    const failed = failures[0] ?? (lastUrl !== undefined && isNetworkError(err) ? { url: lastUrl, reason: describeNetworkError(err) } : undefined);
    if (failed === undefined) throw err;
    throw new DownloadError({ ...target, url: failed.url }, failed.reason, failed.cause ?? err);
  } finally {
    env.fetch = fetchBefore;
  }
}
