/** Identifies one index: a corpus as one system indexes it. */
export interface IndexKey {
  dataset: string;
  /** Model id, or 'none' for lexical systems. */
  model: string;
  /** System id (src/systems/system.ts). */
  system: string;
  /**
   * Short hash of the doc ids indexed, in order: a slice (--max-docs) and the full corpus get indexes of their
   * own instead of evicting each other.
   */
  docSet: string;
  /** Content hash of what was indexed (doc ids, vector source), so a stale index is never reused. */
  fingerprint: string;
}
