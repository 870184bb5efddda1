/** Plain-text descriptions of a report's columns and runs; markdown and HTML add their own markup around them. */
import { displayName } from '../eval/metrics.js';
import { engineOf } from '../engines/registry.js';
import { describeFusion } from '../fusion/fuse.js';
import { encoderWord, policyWord, type SystemSpec } from '../systems/system.js';
import type { ReportColumn, ReportModel, ReportRun } from './combine.js';

/** What a column measures, e.g. `intfloat/e5-small-v2 fp32, prefix policy asymmetric, engine exact`. */
export function columnDescription(c: ReportColumn): string {
  return systemDescription(c.system);
}

function systemDescription(s: SystemSpec): string {
  if (s.kind === 'hybrid') {
    const how = engineOf(s.engine).description;
    const parts = s.components.map((x, i) => `${systemDescription(x)} (top ${s.depths[i]})`);
    return `${how}, ${describeFusion(s.fusion)}, of: ${parts.join('; ')}`;
  }
  if (s.kind === 'lexical') return engineOf(s.engine).description;
  const prefix = typeof s.prefix === 'object' ? `custom prefixes ${JSON.stringify(s.prefix)}` : `prefix policy ${policyWord(s.prefix)}`;
  return `${s.model.id} ${encoderWord(s.encoder)}, ${prefix}, engine ${s.engine}`;
}

/** A run's settings in one line; for an imported table, where it comes from and what it leaves unsaid. */
export function runSettings(run: ReportRun): string {
  const r = run.results;
  if (r.imported) {
    const i = r.imported;
    return (
      `${r.datasets.map((d) => d.displayName).join(', ')}; imported from ${i.title}${i.published ? ` (${i.published})` : ''}, ${i.url}, ` +
      `transcribed in ${i.transcription}; means as printed (${i.decimals} decimals), no per-query scores, so no intervals or tests; ` +
      `inputs checked by passage and query counts only` +
      (i.unstated.length ? `; not stated by the source: ${i.unstated.join('; ')}` : '')
    );
  }
  const c = r.config;
  const engines = [...new Set(r.systems.map((s) => s.engine))].join(', ');
  const datasets = r.datasets.map((d) => d.displayName).join(', ');
  return (
    `${datasets}; engines ${engines}; split ${c.split}, k = ${c.k}, metrics ${c.metrics.map(displayName).join(', ')}, ` +
    `ignore identical ids ${c.ignoreIdenticalIds ? 'on' : 'off'}; ${c.permutations} permutations and bootstrap samples (seed ${c.seed}); ` +
    `started ${r.startedAt}, ${r.environment.platform}/${r.environment.arch}, ${r.environment.cpus} CPUs, Node ${r.environment.node}`
  );
}

/** The report's title: the run id for one run, else how many were combined. */
export function reportTitle(model: ReportModel): string {
  return model.runs.length === 1 ? `beir-bench ${model.runs[0].runId}` : `beir-bench: ${model.runs.length} runs combined`;
}
