/**
 * The README's example picture: renders `beir-bench report RESULTS... --format html` (the real CLI) and
 * screenshots the page in headless Chromium (Debian's chromium, see test/helpers/browser.ts).
 * Usage: npm run report:screenshot -- results/<scifact-run> results/<nfcorpus-run>
 *          [--png docs/report-example.png] [--color-scheme light|dark] [--width auto|PX] [--height 0 (whole page)]
 * --width auto (the default) widens the page until no table needs its horizontal scrollbar, so the picture shows
 * every column: the report's tables scroll inside a page of limited width, and a fixed width cut off the right ones.
 * --inspect N renders the report with `--inspect N` and pictures its per-query evidence section (the first comparison,
 * its first query opened) at the page's own width instead (docs/inspect-example.png).
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
    width: { type: 'string', default: 'auto' },
    height: { type: 'string', default: '0' },
    inspect: { type: 'string' },
  },
});
if (positionals.length === 0) {
  console.error('usage: npm run report:screenshot -- RESULTS... [--png FILE] [--color-scheme light|dark] [--width auto|PX] [--height PX]');
  process.exit(2);
}
const scheme = values['color-scheme'];
/** The narrowest page --width auto starts from (the report's own layout width). */
const MIN_WIDTH = 1280;
/** Where --width auto gives up (a box that overflows at any width). */
const MAX_WIDTH = 16384;
if (scheme !== 'light' && scheme !== 'dark') throw new Error(`--color-scheme must be light or dark, got ${scheme}`);
const inspect = values.inspect;
const auto = values.width === 'auto' && inspect === undefined;
const height = Number(values.height);
let width = values.width === 'auto' ? MIN_WIDTH : Number(values.width);
if (!Number.isInteger(width) || width <= 0) throw new Error(`--width must be auto or a positive number of pixels, got ${values.width}`);
if (!Number.isInteger(height) || height < 0) throw new Error(`--height must be 0 (the whole page) or a number of pixels, got ${values.height}`);
requireChromium();

const dir = mkdtempSync(join(tmpdir(), 'beir-bench-screenshot-'));
try {
  const out = join(dir, 'report');
  execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'report', ...positionals, '--format', 'html', '--out', out, ...(inspect ? ['--inspect', inspect] : [])], { stdio: 'inherit' });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width, height: height || 900 }, colorScheme: scheme });
    await page.goto(`file://${join(out, 'report.html')}`);
    /** The most any box on the page hides behind its horizontal scrollbar, in pixels. */
    const hiddenWidth = () =>
      page.$$eval('*', (boxes) =>
        Math.max(0, ...boxes.filter((b) => ['auto', 'scroll'].includes(getComputedStyle(b).overflowX)).map((b) => b.scrollWidth - b.clientWidth)),
      );
    if (auto) {
      // Lift the page's max-width, then grow the viewport by what the widest scrolling box still hides.
      await page.addStyleTag({ content: 'body { max-width: none !important; }' });
      for (let hidden = await hiddenWidth(); hidden > 0; hidden = await hiddenWidth()) {
        width += hidden;
        if (width > MAX_WIDTH) throw new Error(`--width auto: the report still hides ${hidden}px at ${width - hidden}px wide; give --width`);
        await page.setViewportSize({ width, height: height || 900 });
      }
    }
    if (inspect) {
      await page.locator('details.inspect-query').first().evaluate((d) => ((d as HTMLDetailsElement).open = true));
      await page.locator('section.inspect-comparison').first().screenshot({ path: resolve(values.png) });
    } else {
      await page.screenshot({ path: resolve(values.png), fullPage: height === 0 });
    }
    console.log(`wrote ${values.png} (${scheme}, ${width}px wide${auto ? ', the widest table\'s width' : ''})`);
  } finally {
    await browser.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
