/**
 * Length of a text in whitespace-separated words (`text.trim().split(/\s+/)`), empty text = 0 words:
 * the definition behind the dataset stats table and the gain-by-query-length analysis (docs/DATASETS.md).
 */
export function wordCount(text: string): number {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}
