/**
 * The README's example picture: renders `beir-bench report RESULTS... --format html` (the real CLI) and
 * screenshots the page in headless Chromium (Debian's chromium, see test/helpers/browser.ts).
 * Usage: npm run report:screenshot -- results/<scifact-run> results/<nfcorpus-run>
 *          [--png docs/report-example.png] [--color-scheme light|dark] [--width 1280] [--height 0 (whole page)]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium, requireChromium } from '../test/helpers/browser.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    png: { type: 'string', default: 'docs/report-example.png' },
    'color-scheme': { type: 'string', default: 'light' },
    width: { type: 'string', default: '1280' },
    height: { type: 'string', default: '0' },
  },
});
if (positionals.length === 0) {
  console.error('usage: npm run report:screenshot -- RESULTS... [--png FILE] [--color-scheme light|dark] [--width PX] [--height PX]');
  process.exit(2);
}
const scheme = values['color-scheme'];
if (scheme !== 'light' && scheme !== 'dark') throw new Error(`--color-scheme must be light or dark, got ${scheme}`);
requireChromium();

const dir = mkdtempSync(join(tmpdir(), 'beir-bench-screenshot-'));
try {
  const out = join(dir, 'report');
  execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'report', ...positionals, '--format', 'html', '--out', out], { stdio: 'inherit' });
  const browser = await launchChromium();
  try {
    const width = Number(values.width);
    const height = Number(values.height);
    const page = await browser.newPage({ viewport: { width, height: height || 900 }, colorScheme: scheme });
    await page.goto(`file://${join(out, 'report.html')}`);
    await page.screenshot({ path: resolve(values.png), fullPage: height === 0 });
    console.log(`wrote ${values.png} (${scheme}, ${width}px wide)`);
  } finally {
    await browser.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
