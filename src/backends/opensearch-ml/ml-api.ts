/**
 * The ml-commons REST calls the opensearch-ml engine makes (connectors, models, tasks, predict), each failure
 * turned into one line naming the object and the node.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errors, type Client } from '@opensearch-project/opensearch';
import { UserError } from '../../errors.js';
import { errorReason, redactUrl } from '../opensearch-client.js';

type Json = Record<string, any>;

export interface MlApiOptions {
  /** For messages only. */
  url: string;
  /** How long to wait for a register/deploy task. */
  taskTimeoutMs: number;
  pollMs?: number;
}

export interface ModelInfo {
  id: string;
  name: string;
  /** REMOTE, TEXT_EMBEDDING, ... */
  algorithm: string;
  /** DEPLOYED, REGISTERED, DEPLOYING, DEPLOY_FAILED, PARTIALLY_DEPLOYED, UNDEPLOYED, ... */
  state: string;
  connectorId?: string;
  description?: string;
  /** Local models: their configured embedding dimension and prefixes. */
  modelConfig?: Json;
}

export class MlApi {
  constructor(
    private readonly client: Client,
    private readonly opts: MlApiOptions,
  ) {}

  private get where(): string {
    return redactUrl(this.opts.url);
  }

  private async call(method: string, path: string, body?: unknown, querystring?: Record<string, unknown>): Promise<Json> {
    const res = await this.client.transport.request({ method, path, body: body as Json, querystring });
    return res.body as Json;
  }

  /** Documents of an ml-commons system index matching `query` (an absent index means none). */
  private async search(kind: 'connectors' | 'models', query: Json): Promise<Json[]> {
    try {
      const body = await this.call('POST', `/_plugins/_ml/${kind}/_search`, { query, size: 100 });
      return (body.hits?.hits ?? []) as Json[];
    } catch (err) {
      if (err instanceof errors.ResponseError && (err.statusCode === 404 || /index_not_found|no such index/i.test(errorReason(err)))) return [];
      throw new UserError(`Cannot search ml-commons ${kind} at ${this.where}: ${errorReason(err)}`);
    }
  }

  /** Connectors named `name`, or whose name starts with `name` when `prefix` is set. */
  async findConnectors(name: string, prefix = false): Promise<{ id: string; description?: string; url?: string }[]> {
    const hits = await this.search('connectors', prefix ? { prefix: { 'name.keyword': name } } : { term: { 'name.keyword': name } });
    return hits.map((h) => ({ id: h._id as string, description: h._source?.description, url: h._source?.actions?.[0]?.url }));
  }

  async createConnector(body: Json): Promise<string> {
    try {
      return (await this.call('POST', '/_plugins/_ml/connectors/_create', body)).connector_id as string;
    } catch (err) {
      throw new UserError(
        `Cannot create the ml-commons connector "${body.name}" at ${this.where}: ${errorReason(err)} ` +
          '(a loopback endpoint needs plugins.ml_commons.connector.private_ip_enabled and a trusted_connector_endpoints_regex matching it; scripts/opensearch-local.sh sets both)',
      );
    }
  }

  async deleteConnector(id: string): Promise<void> {
    await this.call('DELETE', `/_plugins/_ml/connectors/${encodeURIComponent(id)}`).catch(this.ignoreNotFound(`delete ml-commons connector "${id}"`));
  }

  async modelsOfConnector(connectorId: string): Promise<ModelInfo[]> {
    // connector_id is mapped dynamically in 2.19 (text + keyword): match either form.
    const hits = await this.search('models', { bool: { should: [{ term: { connector_id: connectorId } }, { term: { 'connector_id.keyword': connectorId } }] } });
    return hits.map((h) => modelInfo(h._id as string, h._source ?? {}));
  }

  /** The model, or a UserError saying it does not exist. */
  async getModel(id: string): Promise<ModelInfo> {
    try {
      return modelInfo(id, await this.call('GET', `/_plugins/_ml/models/${encodeURIComponent(id)}`));
    } catch (err) {
      if (err instanceof errors.ResponseError && err.statusCode === 404) {
        throw new UserError(`OpenSearch at ${this.where} has no ml-commons model "${id}" (GET /_plugins/_ml/models/${id}: 404); check --opensearch-model-id`);
      }
      throw new UserError(`Cannot read ml-commons model "${id}" at ${this.where}: ${errorReason(err)}`);
    }
  }

  /** Register a remote model and deploy it; resolves with its id once deployed. */
  async registerAndDeploy(body: Json): Promise<string> {
    let res: Json;
    try {
      res = await this.call('POST', '/_plugins/_ml/models/_register', body, { deploy: true });
    } catch (err) {
      throw new UserError(`Cannot register the remote model "${body.name}" at ${this.where}: ${errorReason(err)}`);
    }
    const task = await this.waitForTask(res.task_id as string, `registering model "${body.name}"`);
    const id = (task.model_id ?? res.model_id) as string;
    await this.waitDeployed(id);
    return id;
  }

  async deploy(id: string): Promise<void> {
    try {
      const res = await this.call('POST', `/_plugins/_ml/models/${encodeURIComponent(id)}/_deploy`);
      if (res.task_id) await this.waitForTask(res.task_id as string, `deploying model "${id}"`);
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`Cannot deploy ml-commons model "${id}" at ${this.where}: ${errorReason(err)}`);
    }
    await this.waitDeployed(id);
  }

  /** Undeploy (if deployed) and delete a model; absent models are fine. */
  async deleteModel(id: string): Promise<void> {
    // A model that is already gone must not reach DELETE: for an unknown id ml-commons 2.19 deletes "model chunks"
    // by query, which fails on nodes without the reindex module (the integ-test distribution) instead of a 404.
    const model = await this.call('GET', `/_plugins/_ml/models/${encodeURIComponent(id)}`).catch(this.ignoreNotFound(`read ml-commons model "${id}"`));
    if (!model) return;
    const group = model.model_group_id as string | undefined;
    await this.call('POST', `/_plugins/_ml/models/${encodeURIComponent(id)}/_undeploy`).catch(this.ignoreNotFound(`undeploy ml-commons model "${id}"`));
    await this.call('DELETE', `/_plugins/_ml/models/${encodeURIComponent(id)}`).catch(this.ignoreNotFound(`delete ml-commons model "${id}"`));
    // Registering without a group creates one named after the model, which outlives its last model; ml-commons
    // refuses to delete a group that still has versions, so this removes only an emptied one.
    if (group) await this.call('DELETE', `/_plugins/_ml/model_groups/${encodeURIComponent(group)}`).catch(() => undefined);
  }

  /** POST /_plugins/_ml/models/<id>/_predict; the response's inference_results. */
  async predict(id: string, body: Json): Promise<Json> {
    try {
      return await this.call('POST', `/_plugins/_ml/models/${encodeURIComponent(id)}/_predict`, body);
    } catch (err) {
      throw new UserError(`Prediction by ml-commons model "${id}" at ${this.where} failed: ${errorReason(err)}`);
    }
  }

  /** A catch handler: an absent object (404) is fine, anything else fails as one line saying what was done. */
  private ignoreNotFound(what: string): (err: unknown) => null {
    return (err) => {
      if (err instanceof errors.ResponseError && err.statusCode === 404) return null;
      throw new UserError(`Cannot ${what} at ${this.where}: ${errorReason(err)}`, { cause: err });
    };
  }

  private async waitForTask(taskId: string, what: string): Promise<Json> {
    const deadline = Date.now() + this.opts.taskTimeoutMs;
    for (;;) {
      const task = await this.call('GET', `/_plugins/_ml/tasks/${encodeURIComponent(taskId)}`).catch((err) => {
        throw new UserError(`Cannot follow ml-commons task ${taskId} (${what}) at ${this.where}: ${errorReason(err)}`, { cause: err });
      });
      if (task.state === 'COMPLETED') return task;
      if (task.state === 'FAILED' || task.state === 'COMPLETED_WITH_ERROR') {
        throw new UserError(`ml-commons task ${taskId} (${what}) at ${this.where} failed: ${task.error ?? task.state}`);
      }
      if (Date.now() > deadline) {
        throw new UserError(`ml-commons task ${taskId} (${what}) at ${this.where} did not finish within ${this.opts.taskTimeoutMs / 1000} s (state ${task.state})`);
      }
      await sleep(this.opts.pollMs ?? 500);
    }
  }

  /** Deployment is asynchronous even after the task completes on some versions: poll the model's state. */
  private async waitDeployed(id: string): Promise<void> {
    const deadline = Date.now() + this.opts.taskTimeoutMs;
    for (;;) {
      const m = await this.getModel(id);
      if (m.state === 'DEPLOYED') return;
      if (m.state === 'DEPLOY_FAILED') throw new UserError(`ml-commons model "${id}" at ${this.where} failed to deploy`);
      if (Date.now() > deadline) throw new UserError(`ml-commons model "${id}" at ${this.where} is still ${m.state} after ${this.opts.taskTimeoutMs / 1000} s`);
      await sleep(this.opts.pollMs ?? 500);
    }
  }
}

function modelInfo(id: string, src: Json): ModelInfo {
  return {
    id,
    name: src.name,
    algorithm: String(src.algorithm ?? ''),
    state: String(src.model_state ?? ''),
    connectorId: src.connector_id,
    description: src.description,
    modelConfig: src.model_config,
  };
}

