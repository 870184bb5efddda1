/**
 * Find the columns of a line split on ASCII whitespace only (space, tab, CR, VT, FF), as C tools do:
 * doc ids may contain other Unicode spaces (U+00A0, U+3000) that /\s/ would split on. Writes the start
 * and end of column i to bounds[2i], bounds[2i + 1] for as many columns as fit; returns the column count,
 * counting at most one column beyond what fits (enough to report "too many columns").
 * Index-based so the hot loop of reading a 10M-line run slices only the columns it keeps.
 */
export function columnBounds(line: string, bounds: Int32Array): number {
  const capacity = bounds.length >> 1;
  const n = line.length;
  let count = 0;
  let i = 0;
  while (count <= capacity) {
    while (i < n && isAsciiSpace(line.charCodeAt(i))) i++;
    if (i === n) break;
    const start = i;
    while (i < n && !isAsciiSpace(line.charCodeAt(i))) i++;
    if (count < capacity) {
      bounds[2 * count] = start;
      bounds[2 * count + 1] = i;
    }
    count++;
  }
  return count;
}

/** The columns of a line (split as columnBounds does); at most `max + 1` of them, so callers see "too many". */
export function splitColumns(line: string, max: number): string[] {
  const bounds = new Int32Array(2 * (max + 1));
  const count = Math.min(columnBounds(line, bounds), max + 1);
  return Array.from({ length: count }, (_, i) => line.slice(bounds[2 * i], bounds[2 * i + 1]));
}

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** True for an empty line or one of ASCII whitespace only. */
export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (!isAsciiSpace(line.charCodeAt(i))) return false;
  return true;
}
