/**
 * Headless Chromium for tests and scripts: Debian's `chromium` package (installed by .ci/run when missing),
 * driven by playwright-core, which never downloads a browser of its own. CHROMIUM_PATH overrides the binary.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const MISSING = `Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`;

let warned = false;

/** Whether Chromium is there; the first call that finds it missing says so on stderr (a skip is never silent). */
export function hasChromium(): boolean {
  const present = existsSync(CHROMIUM_PATH);
  if (!present && !warned) {
    console.warn(`[skipped] browser tests: ${MISSING}`);
    warned = true;
  }
  return present;
}

/** For scripts: stop with a clear message when Chromium is absent. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(MISSING);
}

/** A headless, sandbox-free, network-quiet Chromium (it runs as root in CI containers). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-extensions', '--no-first-run'],
  });
}
