/**
 * The evidence as a section of report.html: per comparison its summary tables, then each query as a collapsible
 * block (<details>, no script: the page's Content-Security-Policy forbids them) with both systems' hits side by side.
 * Relevant hits carry a text mark and a solid rule, judged-not-relevant ones a dashed rule, so the marks read in
 * light and dark themes and on paper; long passages show a snippet that opens to the full text.
 */
import type { ComparisonEvidence, Hit, InspectDataset, InspectModel, Passage, QueryEvidence } from './evidence.js';
import {
  changeLine,
  comparisonIntro,
  comparisonTitle,
  hitRows,
  MARKS_LEGEND,
  measuresLine,
  missedByBoth,
  reasonTitle,
  relevanceMark,
  relevanceWords,
  relevantLine,
  scoreText,
  snippet,
  summaryTables,
  type PlainTable,
} from './words.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Styles of the section, added to the page's (they use its --fg, --muted, --rule, --band). */
export const INSPECT_STYLE = `
:root { --rel: #1a7f37; }
@media (prefers-color-scheme: dark) { :root { --rel: #3fb950; } }
@media print { :root { --rel: #000; } }
details.inspect-query { border: 1px solid var(--rule); border-radius: 4px; margin: 0.5rem 0; padding: 0.25rem 0.75rem; }
details.inspect-query > summary { cursor: pointer; font-weight: 600; }
details.inspect-query > summary .qsnip { font-weight: 400; color: var(--muted); }
details.inspect-query blockquote { margin: 0.5rem 0; padding-left: 0.75rem; border-left: 3px solid var(--rule); }
table.hits { width: 100%; table-layout: fixed; border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
table.hits col.rank { width: 2.5rem; }
table.hits th, table.hits td { border: 1px solid var(--rule); padding: 0.25rem 0.4rem; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
table.hits thead th { background: var(--band); }
table.hits td.hit.relevant { border-left: 0.3rem solid var(--rel); }
table.hits td.hit.judged { border-left: 0.3rem dashed var(--muted); }
table.hits .mark { font-weight: 700; font-variant-numeric: tabular-nums; }
table.hits td.hit.relevant .mark { color: var(--rel); }
table.hits .score { color: var(--muted); font-variant-numeric: tabular-nums; }
table.hits details.passage > summary { cursor: pointer; list-style-position: outside; }
table.hits details.passage[open] > summary { display: none; }
`;

function summaryTable(t: PlainTable): string {
  const head = t.head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const rows = t.rows.map((r) => `<tr>${r.map((c, i) => `<td${t.numeric[i] ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`);
  return `<table class="results">\n<caption class="muted">${esc(t.title)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

/** A passage: its title, and its text as a snippet that opens to the whole text when it is longer. */
function passageHtml(p: Passage | undefined, chars: number): string {
  if (!p) return '<span class="muted">(not in corpus.jsonl)</span>';
  const title = p.title ? `<strong>${esc(p.title)}</strong> ` : '';
  const short = snippet(p.text, chars);
  if (short === p.text.replace(/\s+/g, ' ').trim()) return `${title}${esc(p.text)}`;
  return `${title}<details class="passage"><summary>${esc(short)}</summary>${esc(p.text)}</details>`;
}

function hitCell(h: Hit | undefined, ds: InspectDataset, chars: number): string {
  if (!h) return '<td class="hit"></td>';
  return (
    `<td class="hit ${h.relevance.kind}" title="${esc(relevanceWords(h.relevance))}">` +
    `<span class="mark">${esc(relevanceMark(h.relevance))}</span> <code>${esc(h.docId)}</code> <span class="score">${esc(scoreText(h))}</span><br>` +
    `${passageHtml(ds.passages[h.docId], chars)}</td>`
  );
}

function queryHtml(q: QueryEvidence, c: ComparisonEvidence, ds: InspectDataset, chars: number): string {
  const rows = hitRows(q).map((r) => `<tr><td class="num">${r.rank}</td>${hitCell(r.a, ds, chars)}${hitCell(r.b, ds, chars)}</tr>`);
  const missed = missedByBoth(q, c.k);
  const relevant = q.relevant.map((r) => {
    const text = missed.includes(r) ? `<br>${passageHtml(ds.passages[r.docId], chars)}` : '';
    return `<li>${esc(relevantLine(r, c))}${text}</li>`;
  });
  return [
    `<details class="inspect-query" data-query="${esc(q.id)}">`,
    `<summary>${esc(reasonTitle(q))}: <code>${esc(q.id)}</code> · ${esc(changeLine(q))} <span class="qsnip">${esc(snippet(q.text, 90))}</span></summary>`,
    `<blockquote>${esc(q.text)}</blockquote>`,
    `<p class="muted">${q.words} words · ${esc(measuresLine(q))}</p>`,
    `<table class="hits">\n<colgroup><col class="rank"><col><col></colgroup>`,
    `<thead><tr><th scope="col">#</th><th scope="col">A = ${esc(c.a.label)}</th><th scope="col">B = ${esc(c.b.label)}</th></tr></thead>`,
    `<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`,
    relevant.length ? `<p>Relevant passages:</p>\n<ul>\n${relevant.join('\n')}\n</ul>` : '<p class="muted">No relevant passage judged.</p>',
    `</details>`,
  ].join('\n');
}

/** The section's body (its <h2> included). */
export function renderHtmlSection(model: InspectModel, chars: number): string {
  const parts = [`<h2 id="per-query-evidence">Per-query evidence</h2>`, `<p class="legend">Marks: ${esc(MARKS_LEGEND)}. Click a query to open it, a passage to read it whole.</p>`];
  for (const ds of model.datasets) {
    for (const c of ds.comparisons) {
      parts.push(
        `<section class="inspect-comparison">`,
        `<h3>${esc(comparisonTitle(c))}</h3>`,
        `<p class="muted">${esc(comparisonIntro(c))}.</p>`,
        ...summaryTables(c).map(summaryTable),
        ...c.shown.map((q) => queryHtml(q, c, ds, chars)),
        `</section>`,
      );
    }
  }
  return parts.join('\n');
}
