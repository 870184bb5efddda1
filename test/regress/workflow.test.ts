/**
 * The nightly workflow cannot run here: check that its YAML parses and holds what the README promises (schedule
 * and manual dispatch, caches, the OpenSearch service, artifacts, JUnit, step summary), and that every regress
 * flag it passes exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readMatrix } from '../../src/regress/matrix.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/shared.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

const workflow = parse(readFileSync(join(REPO_ROOT, '.github', 'workflows', 'nightly.yml'), 'utf8'));
const job = workflow.jobs.regress;
const steps: Step[] = job.steps;
const env: Record<string, string> = workflow.env;
const expand = (s: string) => s.replace(/\$(\w+)/g, (whole, name: string) => env[name] ?? whole);
const uses = (action: string) => steps.filter((s) => s.uses?.split('@')[0] === action);
const regressRuns = steps.filter((s) => s.run?.includes('npm run -s regress --')).map((s) => expand(s.run!));

describe('.github/workflows/nightly.yml', () => {
  it('runs nightly on a valid schedule and on manual dispatch', () => {
    const [{ cron }] = workflow.on.schedule;
    const fields = cron.split(' ');
    expect(fields).toHaveLength(5);
    expect(Number(fields[0])).toBeLessThan(60);
    expect(Number(fields[1])).toBeLessThan(24);
    expect(fields.slice(2)).toEqual(['*', '*', '*']);
    expect(workflow.on).toHaveProperty('workflow_dispatch');
  });

  it('runs the project matrix against an OpenSearch service of the version the local node uses', () => {
    const service = job.services.opensearch;
    const localVersion = /VERSION="\$\{BEIR_BENCH_OPENSEARCH_VERSION:-([\d.]+)\}"/.exec(readFileSync(join(REPO_ROOT, 'scripts', 'opensearch-local.sh'), 'utf8'))![1];
    expect(service.image).toBe(`opensearchproject/opensearch:${localVersion}`);
    expect(service.env.DISABLE_SECURITY_PLUGIN).toBe('true');
    expect(service.ports).toContain('9200:9200');
    expect(service.options).toMatch(/--health-cmd/);
    expect(env.OPENSEARCH_URL).toBe('http://localhost:9200');
    expect(existsSync(join(REPO_ROOT, env.MATRIX))).toBe(true);
    expect(regressRuns[0]).toContain(`--matrix "${env.MATRIX}"`);
  });

  it('caches datasets, models, embeddings and the history, and saves the last two after a failing night too', () => {
    const cached = uses('actions/cache').map((s) => String(s.with!.path));
    expect(cached).toContain('datasets');
    expect(cached).toContain('node_modules/@huggingface/transformers/.cache');
    const [restore] = uses('actions/cache/restore');
    const [save] = uses('actions/cache/save');
    expect(String(restore.with!.path).trim().split('\n')).toEqual(['.cache/embeddings', 'regress-history']);
    expect(save.with!.path).toBe(restore.with!.path);
    expect(save.with!.key).toBe(restore.with!.key);
    expect(save.if).toBe('always()');
    expect(env.BEIR_BENCH_CACHE).toBe('${{ github.workspace }}/.cache/embeddings');
    expect(env.HISTORY.startsWith('regress-history/')).toBe(true);
    // npm ci before restoring into node_modules, or it would wipe the restored models.
    expect(steps.findIndex((s) => s.run === 'npm ci')).toBeLessThan(steps.findIndex((s) => s.with?.path === 'node_modules/@huggingface/transformers/.cache'));
  });

  it('writes JUnit, the step summary and the history, uploads results and history, and reports JUnit even on failure', () => {
    const run = regressRuns[0];
    const junit = /--junit (\S+)/.exec(run)![1];
    const out = /--out (\S+)/.exec(run)![1];
    expect(run).toContain('--summary "$GITHUB_STEP_SUMMARY"');
    expect(run).toContain(`--history "${env.HISTORY}"`);
    const [upload] = uses('actions/upload-artifact');
    expect(upload.if).toBe('always()');
    const uploaded = String(upload.with!.path).trim().split('\n');
    expect(uploaded).toEqual(expect.arrayContaining([`${out}/`, junit, 'regress-history/']));
    const [report] = uses('mikepenz/action-junit-report');
    expect(report.with!.report_paths).toBe(junit);
    expect(report.if).toMatch(/^always\(\)/);
    expect(workflow.permissions.checks).toBe('write');
    expect(regressRuns[1]).toMatch(new RegExp(`history "${env.HISTORY}" --chart regress-history/\\S+\\.svg`));
  });

  it('pins every action to a major version', () => {
    for (const s of steps.filter((x) => x.uses)) expect(s.uses).toMatch(/^[\w-]+\/[\w/-]+@v\d+$/);
  });

  it('passes only flags that regress (and regress history) accept', async () => {
    const [run, history] = await Promise.all([runCli(['regress', '--help']), runCli(['regress', 'history', '--help'])]);
    const flags = (text: string) => [...text.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]);
    for (const flag of flags(regressRuns[0])) expect(run.stdout).toContain(`${flag} `);
    for (const flag of flags(regressRuns[1])) expect(history.stdout).toContain(`${flag} `);
  });

  it('the project matrix parses and tags a CI slice', async () => {
    const matrix = await readMatrix(join(REPO_ROOT, 'regressions', 'beir-e5-small-v2.yaml'));
    const ci = matrix.datasets.filter((d) => d.tags.includes('ci'));
    expect(ci.map((d) => d.name).sort()).toEqual(['nfcorpus.lexical', 'nfcorpus.q5.d200', 'scifact.lexical', 'scifact.q20.d300']);
    // Every dense system of the CI slice runs on a slice; BM25 runs on the full corpus.
    for (const d of ci) {
      const dense = d.systems.some((s) => s.kind === 'dense');
      expect(d.maxQueries !== undefined).toBe(dense);
    }
  });
});
