/**
 * The "Published" column: beside a system that follows a model's published protocol, the score its source
 * published for that dataset, the measured minus the published, and whether that difference is within the
 * registry's tolerance (references/published-scores.yaml; docs/REPORTS.md#published-scores).
 */
import type { MetricName } from '../eval/metrics.js';
import { protocolClaim, roundingAllowance, type PublishedRegistry, type PublishedSource } from '../references/published-scores.js';
import type { SystemSpec } from '../systems/system.js';

export interface PublishedCheck {
  metric: MetricName;
  measured: number;
  published: number;
  /** measured - published. */
  diff: number;
  /** The registry's tolerance for the metric. */
  tolerance: number;
  /** tolerance plus half a unit of the last digit each side was printed with (exact for measured runs). */
  allowed: number;
  within: boolean;
  /** Declared settings that differ from the published protocol (prefixes, pooling, max length, normalisation). */
  protocolDifferences: string[];
  source: PublishedSource;
  /** The run was a slice (`--max-queries` / `--max-docs`), e.g. `30 queries, 500 passages`: not the published task. */
  slice?: string;
}

/**
 * Checks of a system's means on one dataset against the scores published for it. `measuredDecimals`: digits the
 * means were printed with (an imported table), absent for full-precision means of a run.
 */
export function publishedChecks(
  registry: PublishedRegistry,
  system: SystemSpec,
  dataset: string,
  mean: Record<MetricName, number>,
  measuredDecimals?: number,
  slice?: string,
): PublishedCheck[] {
  const claim = protocolClaim(registry, system);
  if (!claim) return [];
  return Object.keys(mean).flatMap((metric): PublishedCheck[] => {
    const p = claim.entry.scores.find((x) => x.dataset === dataset && x.metric === metric);
    if (!p) return [];
    const tolerance = registry.tolerance[metric];
    const allowed = tolerance + roundingAllowance(p.decimals) + (measuredDecimals === undefined ? 0 : roundingAllowance(measuredDecimals));
    const diff = mean[metric] - p.value;
    // A hair of slack for the float error of the subtraction itself (0.3 - 0.295 is 0.0050000000000000044).
    const within = Math.abs(diff) <= allowed + 1e-12;
    return [{ metric, measured: mean[metric], published: p.value, diff, tolerance, allowed, within, protocolDifferences: claim.differences, source: p.source, ...(slice ? { slice } : {}) }];
  });
}

/** Whether the report flags the check: too far from the published score, or declared settings not the protocol's. */
export const isDrift = (c: PublishedCheck): boolean => !c.within || c.protocolDifferences.length > 0;
