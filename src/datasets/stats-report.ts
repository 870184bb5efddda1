import Table from 'cli-table3';
import type { BiasRule, DatasetStats } from './stats.js';

type StatsFormat = 'table' | 'markdown' | 'json';
export const STATS_FORMATS: readonly StatsFormat[] = ['table', 'markdown', 'json'];

/** Marks passage-derived cells whose values come from the registry instead of the corpus. */
const REGISTRY_MARK = '†';

/** Render the article's table plus the rule's inputs (r, q) and every note a reader needs. */
export function renderStats(rows: DatasetStats[], rule: BiasRule, format: StatsFormat): string {
  if (format === 'json') return JSON.stringify({ rule, datasets: rows }, null, 2);
  const header = headerFor(rows);
  const body = rows.map(cells);
  const footer = footnotes(rows, rule);
  if (format === 'markdown') {
    const line = (c: string[]) => `| ${c.join(' | ')} |`;
    const align = `|:---|${header.slice(1).map(() => ':---:').join('|')}|`;
    return [line(header), align, ...body.map(line), '', ...footer.map((f) => `- ${f}`)].join('\n');
  }
  const table = new Table({ head: header, style: { head: [], border: [] }, chars: COMPACT });
  for (const row of body) table.push(row.map((c, j) => ({ content: c, hAlign: j === 0 ? 'left' : 'right' })));
  return [table.toString(), ...footer].join('\n');
}

function headerFor(rows: DatasetStats[]): string[] {
  const splits = new Set(rows.map((r) => r.split));
  const queries = splits.size === 1 && splits.has('test') ? 'Test Queries' : `Queries (${[...splits].join('/')})`;
  return [
    'Dataset', 'Avg Query Length', 'Median Query Length', 'Avg Passage Length', 'Median Passage Length',
    'Passages', queries, 'r', 'q', 'Expected Bias',
  ];
}

function cells(s: DatasetStats): string[] {
  const mark = s.passagesSource === 'registry' ? REGISTRY_MARK : '';
  const na = 'n/a';
  return [
    s.displayName,
    s.queries.avg.toFixed(2),
    median(s.queries.median),
    s.passages ? s.passages.avg.toFixed(2) + mark : na,
    s.passages ? median(s.passages.median) + mark : na,
    s.corpusDocs !== null ? count(s.corpusDocs) + mark : na,
    count(s.testQueries),
    s.lengthRatio !== null ? s.lengthRatio.toFixed(2) + mark : na,
    s.questionShare.toFixed(2),
    s.bias !== null ? s.bias + mark : na,
  ];
}

function footnotes(rows: DatasetStats[], rule: BiasRule): string[] {
  const lines = [
    'Lengths are whitespace-separated words: queries over the judged queries of the split, passages over each corpus document\'s text (no title).',
    'r = avg passage length / avg query length; q = share of queries ending in "?" or starting with an interrogative/auxiliary word.',
    `Expected Bias: POOR if r < ${rule.poorBelow}; FAIR if ${rule.poorBelow} <= r < ${rule.goodFrom}; GOOD if r >= ${rule.goodFrom}; ` +
      `EXCELLENT if r >= ${rule.goodFrom} and q >= ${rule.questionShareForExcellent}. A prior, to be checked against the measured gain.`,
  ];
  if (rows.some((r) => r.passagesSource === 'registry')) {
    lines.push(`${REGISTRY_MARK} corpus not available: taken from the registry (the article's figures for the official corpus); r and the label use them.`);
  }
  for (const r of rows) for (const note of r.notes) lines.push(`${r.displayName}: ${note}.`);
  return lines;
}

/** No rule between body rows. */
export const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

const median = (m: number) => (Number.isInteger(m) ? String(m) : m.toFixed(1));
const count = (n: number) => n.toLocaleString('en-US');
