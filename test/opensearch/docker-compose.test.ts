import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/shared.js';

/**
 * docker-compose.yml must start what scripts/opensearch-local.sh starts (README, docs/OPENSEARCH.md). No Docker engine
 * runs here, so the file is checked two ways: `docker compose config` (the real loader, which needs no engine; skipped
 * with a warning when the compose plugin is missing) validates and resolves it, and each node's settings are compared
 * with the nodes the script started (OPENSEARCH_URL, OPENSEARCH_CLUSTER2_URL), which CI and the tests use.
 */
const run = promisify(execFile);
const FILE = join(REPO_ROOT, 'docker-compose.yml');

type Env = Record<string, string>;
interface Service {
  image: string;
  network_mode?: string;
  profiles?: string[];
  environment: Env;
}

/** compose writes each literal `$` (`$$` in the file) as `$$` in its output; the container gets `$`. */
const unescape = (env: Env): Env => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replaceAll('$$', '$')]));

/** The services as `docker compose config` resolves them (every profile), or null without the compose plugin. */
async function composeConfig(): Promise<Record<string, Service> | null> {
  try {
    await run('docker', ['compose', 'version']);
  } catch {
    console.warn('[docker-compose.yml] `docker compose config` skipped: no docker compose plugin here (the settings are still compared)');
    return null;
  }
  const { stdout } = await run('docker', ['compose', '-f', FILE, '--profile', 'cluster2', '--profile', 'os3', 'config', '--format', 'json'], { env: { ...process.env, BEIR_BENCH_OPENSEARCH_HEAP: '' } });
  const services = (JSON.parse(stdout) as { services: Record<string, Service> }).services;
  return Object.fromEntries(Object.entries(services).map(([name, s]) => [name, { ...s, environment: unescape(s.environment) }]));
}

/** The services read as YAML (anchors and merge keys resolved), for the settings comparison on any machine. */
function yamlServices(): Record<string, Service> {
  const doc = parse(readFileSync(FILE, 'utf8'), { merge: true }) as { services: Record<string, Service> };
  return Object.fromEntries(Object.entries(doc.services).map(([name, s]) => [name, { ...s, environment: unescape(s.environment) }]));
}

/**
 * Which of the script's clusters each service stands for, and whether that node has ml-commons (the script's 3.x
 * node has none: Maven Central has no 3.x zip; the 3.x image has it, so its ml-commons settings are not compared).
 */
const CLUSTERS: Record<string, { url: string | undefined; variable: string; ml: boolean }> = {
  opensearch: { url: process.env.OPENSEARCH_URL, variable: 'OPENSEARCH_URL', ml: true },
  'cluster2-data': { url: process.env.OPENSEARCH_CLUSTER2_URL, variable: 'OPENSEARCH_CLUSTER2_URL', ml: true },
  'cluster2-ml': { url: process.env.OPENSEARCH_CLUSTER2_URL, variable: 'OPENSEARCH_CLUSTER2_URL', ml: true },
  opensearch3: { url: process.env.OPENSEARCH3_URL, variable: 'OPENSEARCH3_URL', ml: false },
};

/** The script's versions: its default (2.19.1) and the 3.x release it tests (BEIR_BENCH_OPENSEARCH_VERSION=3). */
function scriptVersions(): { line2: string; line3: string } {
  const script = readFileSync(join(REPO_ROOT, 'scripts/opensearch-local.sh'), 'utf8');
  return {
    line2: /^VERSION="\$\{BEIR_BENCH_OPENSEARCH_VERSION:-([0-9.]+)\}"$/m.exec(script)![1],
    line3: /^OPENSEARCH3_VERSION=([0-9.]+)$/m.exec(script)![1],
  };
}

/** The node settings that make a node's shape (the script writes them to opensearch.yml). */
const SHAPE = /^(cluster\.|discovery\.|network\.host$|node\.name$|node\.roles$|http\.port$|transport\.port$)/;
const ML = 'plugins.ml_commons.';

const flat = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));
const pick = (o: Record<string, unknown>, keep: (k: string) => boolean): Env =>
  Object.fromEntries(Object.entries(o).filter(([k]) => keep(k)).map(([k, v]) => [k, flat(v)]));

async function getJson(url: string): Promise<Record<string, unknown>> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return (await r.json()) as Record<string, unknown>;
}

describe('docker-compose.yml', () => {
  it('the images are the script\'s versions: 2.19.1, and its 3.x release for opensearch3', () => {
    const { line2, line3 } = scriptVersions();
    for (const [name, s] of Object.entries(yamlServices())) {
      expect(s.image, name).toBe(`opensearchproject/opensearch:${name === 'opensearch3' ? line3 : line2}`);
    }
  });

  it('docker compose config accepts it: the script\'s four nodes, host networking, the same OpenSearch versions', async () => {
    const services = await composeConfig();
    if (!services) return;
    expect(Object.keys(services).sort()).toEqual(['cluster2-data', 'cluster2-ml', 'opensearch', 'opensearch3']);
    const { line2, line3 } = scriptVersions();
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, name).toBe(`opensearchproject/opensearch:${name === 'opensearch3' ? line3 : line2}`);
      // The connector must reach the harness's server on the machine's 127.0.0.1.
      expect(s.network_mode, name).toBe('host');
      expect(s.environment['network.host'], name).toBe('127.0.0.1');
      expect(s.environment.OPENSEARCH_JAVA_OPTS, name).toBe('-Xms1g -Xmx1g');
    }
    expect(services.opensearch.profiles).toBeUndefined();
    expect(services['cluster2-ml'].profiles).toEqual(['cluster2']);
    expect(services.opensearch3.profiles).toEqual(['os3']);
    // What compose resolves is what the YAML says (the comparison below reads the YAML).
    for (const [name, s] of Object.entries(yamlServices())) {
      const { OPENSEARCH_JAVA_OPTS: _resolved, ...rest } = s.environment;
      expect(services[name].environment, name).toMatchObject(rest);
    }
  });

  for (const [name, cluster] of Object.entries(CLUSTERS)) {
    if (!cluster.url) console.warn(`[docker-compose.yml] ${name} vs the script's node skipped: ${cluster.variable} is not set (scripts/opensearch-local.sh start)`);
    it.skipIf(!cluster.url)(`${name}: the node settings${cluster.ml ? ' and ml-commons settings' : ''} of the script's node at ${cluster.variable}`, async () => {
      const env = yamlServices()[name].environment;
      const nodes = (await getJson(`${cluster.url}/_nodes/settings?flat_settings=true`)).nodes as Record<string, { name: string; settings: Record<string, unknown> }>;
      const live = Object.values(nodes).find((n) => n.name === env['node.name']);
      expect(live, `a node named ${env['node.name']} at ${cluster.url}`).toBeDefined();
      expect(pick(env, (k) => SHAPE.test(k))).toEqual(pick(live!.settings, (k) => SHAPE.test(k)));
      // The script applies these as persistent cluster settings; compose sets them on each node.
      if (!cluster.ml) return;
      const persistent = (await getJson(`${cluster.url}/_cluster/settings?flat_settings=true`)).persistent as Record<string, unknown>;
      expect(pick(env, (k) => k.startsWith(ML))).toEqual(pick(persistent, (k) => k.startsWith(ML)));
    });
  }
});
