/** The per-query evidence as the sections `report --inspect` adds to report.md and report.html. */
import type { ReportModel } from '../report/combine.js';
import type { RenderOptions } from '../report/report-files.js';
import { gatherEvidence, type InspectOptions } from './gather.js';
import { INSPECT_STYLE, renderHtmlSection } from './html.js';
import { renderMarkdown } from './markdown.js';
import { DEFAULT_SNIPPET } from './words.js';

export async function evidenceAppendix(model: ReportModel, opts: InspectOptions, snippet?: number): Promise<NonNullable<RenderOptions['appendix']>> {
  const evidence = await gatherEvidence(model, opts);
  return {
    md: `## Per-query evidence\n\n${renderMarkdown(evidence, snippet ?? DEFAULT_SNIPPET.md, 3)}`,
    html: { style: INSPECT_STYLE, html: renderHtmlSection(evidence, snippet ?? DEFAULT_SNIPPET.html) },
  };
}
