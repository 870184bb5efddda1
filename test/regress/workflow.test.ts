/**
 * The nightly job is scripts/nightly.sh (CI runs it on the ci slice: .ci/run); the workflow only provides the machine,
 * the caches and the reports. GitHub cannot run here: check that the workflow's YAML parses and does what the docs
 * promise (schedule and dispatch, the current Node LTS, caches whose keys keep a re-run's history, artifacts, JUnit),
 * that it passes the script only options the script accepts, and that every regress flag the script passes exists.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
const uses = (action: string) => steps.filter((s) => s.uses?.split('@')[0] === action);
const runs = steps.filter((s) => s.run).map((s) => s.run!);
const script = readFileSync(join(REPO_ROOT, 'scripts', 'nightly.sh'), 'utf8');
const ciRun = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8');
const lines = (v: unknown) => String(v).trim().split('\n');
const nightly = promisify(execFile);

describe('.github/workflows/nightly.yml and scripts/nightly.sh', () => {
  it('runs nightly on a valid schedule and on manual dispatch', () => {
    const [{ cron }] = workflow.on.schedule;
    const fields = cron.split(' ');
    expect(fields).toHaveLength(5);
    expect(Number(fields[0])).toBeLessThan(60);
    expect(Number(fields[1])).toBeLessThan(24);
    expect(fields.slice(2)).toEqual(['*', '*', '*']);
    expect(workflow.on).toHaveProperty('workflow_dispatch');
  });

  it('is a thin caller: its only command is scripts/nightly.sh, with options the script accepts', async () => {
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run).toMatch(/^bash scripts\/nightly\.sh /);
    const help = (await nightly('bash', [join(REPO_ROOT, 'scripts', 'nightly.sh'), '--help'])).stdout;
    for (const flag of run.match(/--[a-z][a-z-]*/g) ?? []) expect(help).toContain(`${flag} `);
    // The script refuses what it does not know, before doing anything.
    const wrong = await nightly('bash', [join(REPO_ROOT, 'scripts', 'nightly.sh'), '--tags', 'ci']).catch((e: { code: number; stderr: string }) => e);
    expect(wrong).toMatchObject({ code: 2, stderr: 'nightly: unknown option --tags (see --help)\n' });
  });

  it('runs on the current Node LTS, which package.json "engines" admits, as CI does', () => {
    const [setup] = uses('actions/setup-node');
    expect(setup.with!['node-version']).toBe('lts/*');
    const engines = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).engines.node as string;
    const minimum = Number(/^>=(\d+)$/.exec(engines)![1]);
    const ciLts = Number(/^NODE_LTS=(\d+)$/m.exec(ciRun)![1]);
    expect(minimum).toBeGreaterThanOrEqual(24); // Node 20 reached end of life in April 2026, 22 is in maintenance
    expect(ciLts).toBeGreaterThanOrEqual(minimum);
    expect(ciLts % 2).toBe(0); // even majors are the LTS lines
  });

  it('keeps embeddings and history under keys unique per attempt, restored by prefix, saved after a failing night too', () => {
    const [restore] = uses('actions/cache/restore');
    const [save] = uses('actions/cache/save');
    expect(lines(restore.with!.path)).toEqual(['.cache/embeddings', 'regress-history']);
    expect(save.with!.path).toBe(restore.with!.path);
    expect(save.with!.key).toBe(restore.with!.key);
    // A re-run of a night keeps its run id: without the attempt in the key its save would collide with the first
    // attempt's and be dropped, losing that night's history.
    expect(restore.with!.key).toBe('regress-state-${{ github.run_id }}-${{ github.run_attempt }}');
    expect(String(restore.with!.key).startsWith(String(restore.with!['restore-keys']))).toBe(true);
    expect(save.if).toBe('always()');
    expect(env.BEIR_BENCH_CACHE).toBe('${{ github.workspace }}/.cache/embeddings');
    expect(env.HISTORY.startsWith('regress-history/')).toBe(true);
    expect(runs[0]).toContain('--history "$HISTORY"');
    // The pinned inputs: zips, models (provisioned by the script into BEIR_BENCH_MODELS_DIR), the OpenSearch build.
    const [inputs] = uses('actions/cache');
    expect(lines(inputs.with!.path)).toEqual(['datasets', '.cache/models', '.cache/opensearch/downloads']);
    expect(env.BEIR_BENCH_MODELS_DIR).toBe('${{ github.workspace }}/.cache/models');
    expect(env.BEIR_BENCH_OPENSEARCH_HOME).toBe('${{ github.workspace }}/.cache/opensearch');
  });

  it('uploads the results and history, and reports the JUnit file the script writes, even on failure', () => {
    const out = /--out (\S+)/.exec(runs[0])![1];
    expect(script).toContain('--junit "$out/junit.xml"');
    const [upload] = uses('actions/upload-artifact');
    expect(upload.if).toBe('always()');
    expect(lines(upload.with!.path)).toEqual([`${out}/`, 'regress-history/']);
    const [report] = uses('mikepenz/action-junit-report');
    expect(report.with!.report_paths).toBe(`${out}/junit.xml`);
    expect(report.if).toMatch(/^always\(\)/);
    expect(workflow.permissions.checks).toBe('write');
  });

  it('pins every action to a major version', () => {
    for (const s of steps.filter((x) => x.uses)) expect(s.uses).toMatch(/^[\w-]+\/[\w/-]+@v\d+$/);
  });

  it('the script passes regress (and regress history) only flags they accept, and provisions models as CI does', async () => {
    const [run, history] = await Promise.all([runCli(['regress', '--help']), runCli(['regress', 'history', '--help'])]);
    const calls = script.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => l.includes('npm run -s regress --'));
    const flags = (text: string) => [...text.matchAll(/(?<![\w$])--[a-z][a-z-]*/g)].map((m) => m[0]);
    const main = calls.filter((l) => !l.includes('regress -- history')).join('\n');
    const chart = calls.filter((l) => l.includes('regress -- history')).join('\n');
    expect(main).toContain('--junit');
    expect(chart).toContain('--chart');
    for (const flag of flags(main)) expect(run.stdout).toContain(`${flag} `);
    for (const flag of flags(chart.replace(/^.*regress -- history/, ''))) expect(history.stdout).toContain(`${flag} `);
    expect(script).toMatch(/^bash scripts\/provision-models\.sh "\$BEIR_BENCH_MODELS_DIR"$/m);
    expect(existsSync(join(REPO_ROOT, 'regressions', 'beir-e5-small-v2.yaml'))).toBe(true);
    expect(script).toMatch(/^matrix=regressions\/beir-e5-small-v2\.yaml$/m);
  });

  it('CI runs the nightly script on the ci slice, not a regress command of its own', () => {
    expect(ciRun).toMatch(/^bash scripts\/nightly\.sh --tag ci --data-dir \.\.\/shared\/beir /m);
    expect(ciRun).not.toMatch(/npm run -s regress/);
  });

  it('the project matrix parses and tags a CI slice', async () => {
    const matrix = await readMatrix(join(REPO_ROOT, 'regressions', 'beir-e5-small-v2.yaml'));
    const ci = matrix.datasets.filter((d) => d.tags.includes('ci'));
    expect(ci.map((d) => d.name).sort()).toEqual(['arguana.lexical', 'arguana.q20.d200', 'nfcorpus.lexical', 'nfcorpus.q5.d200', 'scifact.lexical', 'scifact.q20.d300']);
    // Every dense system of the CI slice runs on a slice; BM25 runs on the full corpus.
    for (const d of ci) {
      const dense = d.systems.some((s) => s.kind === 'dense');
      expect(d.maxQueries !== undefined).toBe(dense);
    }
  });
});
