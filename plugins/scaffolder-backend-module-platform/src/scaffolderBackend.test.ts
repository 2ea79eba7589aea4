/*
 * The platform's templates run by the real scaffolder, in the package's dev backend (catalog +
 * scaffolder + this module, dev/index.ts) started as a child process on a SQLite database of
 * its own, against the sandbox's Kafka and Kubernetes API server (`scripts/sandbox up kafka
 * k8s`). Tasks are started through the scaffolder's API, as an automation would, with a static
 * token:
 * - a Kafka pipeline whose backend is killed (SIGKILL) in the middle of the task resumes on the
 *   next start (scaffolder.taskRecovery) and completes, creating nothing twice;
 * - a task without `description` or without `kafkaCluster` fails at platform:validate, naming
 *   the value, and creates nothing;
 * - an entity the catalog rejects fails the publish with the catalog's reason;
 * - a dry run renders the manifests the portal would apply (no replicas under KEDA, the
 *   cluster's bootstrap address);
 * - every action the templates use is registered.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sandboxCluster, sandboxEnv } from '@internal/sandbox';
import {
  AppsV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import { Kafka, logLevel } from 'kafkajs';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { DevBackend, freePort } from './__testUtils__/DevBackend';

jest.setTimeout(600_000);

const env = sandboxEnv();
const repo = path.resolve(__dirname, '../../..');
const run = Date.now().toString(36);
const token = `resume-test-${run}-static-token`;

const adminConfig = (() => {
  const config = new KubeConfig();
  config.loadFromFile(env.k8s.kubeconfigs.admin);
  return config;
})();
const apps = adminConfig.makeApiClient(AppsV1Api);
const custom = adminConfig.makeApiClient(CustomObjectsApi);
const kafka = new Kafka({
  clientId: 'scaffolder-backend-test',
  brokers: env.kafkaBrokers,
  logLevel: logLevel.NOTHING,
}).admin();

let dir: string;
let backend: DevBackend;
let configFile: string;
let logFile: string;
let baseUrl: string;

function newBackend(extraEnv?: Record<string, string>) {
  return new DevBackend({
    configFile,
    logFile,
    baseUrl,
    token,
    env: extraEnv,
  });
}

interface TaskEvent {
  id: number;
  type: string;
  body: { message?: string; stepId?: string; status?: string; error?: any };
}

/** An action's log line as the task events carry it, without the logger's colour and level. */
function plain(message: string | undefined) {
  return (message ?? '')
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
    .replace(/^info: /, '');
}

async function events(taskId: string): Promise<TaskEvent[]> {
  const res = await backend.request(
    `/api/scaffolder/v2/tasks/${taskId}/events`,
  );
  return res.body;
}

async function startTask(template: string, values: Record<string, unknown>) {
  const res = await backend.request('/api/scaffolder/v2/tasks', {
    method: 'POST',
    body: { templateRef: `template:default/${template}`, values },
  });
  expect(res).toMatchObject({ status: 201 });
  return res.body.id as string;
}

/** Waits for the end of a task; its status and the message of its failure, if any. */
async function finished(taskId: string, seconds = 180) {
  for (let i = 0; i < seconds * 2; i++) {
    const task = (await backend.request(`/api/scaffolder/v2/tasks/${taskId}`))
      .body;
    if (['completed', 'failed', 'cancelled'].includes(task.status)) {
      const failure = (await events(taskId)).filter(e => e.body?.error).pop();
      return {
        status: task.status as string,
        message: failure?.body.error.message as string | undefined,
      };
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`task ${taskId} did not finish within ${seconds} s`);
}

async function topicExists(topic: string) {
  return (await kafka.listTopics()).includes(topic);
}

async function deploymentExists(name: string, namespace = 'data') {
  return apps
    .readNamespacedDeployment({ name, namespace })
    .then(() => true)
    .catch(error => {
      if (error.code === 404) return false;
      throw error;
    });
}

const pipelineValues = (name: string) => ({
  name,
  description: 'made by the scaffolder backend test',
  owner: 'group:default/data-engineering',
  namespace: 'data',
  topic: `${name}-events`,
  partitions: 6,
  replicationFactor: 3,
  retentionHours: 24,
  image: 'ghcr.io/ml-platform/kafka-consumer:1.0.0',
  lagThreshold: 100,
  maxReplicas: 6,
  kafkaCluster: 'platform-kafka',
  kubernetesCluster: 'eks-data-platform',
});

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scaffolder-backend-test-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  configFile = path.join(dir, 'app-config.yaml');
  logFile = path.join(dir, 'backend.log');
  await fs.mkdir(path.join(dir, 'work'));
  await fs.writeFile(
    configFile,
    stringify({
      app: { baseUrl: 'http://127.0.0.1:3000' },
      backend: {
        baseUrl,
        listen: { host: '127.0.0.1', port },
        database: {
          client: 'better-sqlite3',
          connection: { directory: path.join(dir, 'db') },
        },
        workingDirectory: path.join(dir, 'work'),
        auth: {
          externalAccess: [
            { type: 'static', options: { token, subject: 'automation' } },
          ],
        },
      },
      catalog: {
        rules: [{ allow: ['Component', 'Resource', 'Template', 'Location'] }],
        locations: [
          {
            type: 'file',
            target: path.join(repo, 'templates/kafka-pipeline/template.yaml'),
          },
          {
            type: 'file',
            target: path.join(
              __dirname,
              '__fixtures__/publish-only/template.yaml',
            ),
          },
        ],
      },
      scaffolder: {
        // Resume a task whose backend died: from its last completed step, its checkpoints kept.
        // The rendered workspace stays in backend.workingDirectory across the restart.
        taskRecovery: { enabled: true, staleTimeout: { seconds: 3 } },
      },
      kafka: {
        clientId: 'scaffolder-backend-test',
        clusters: [{ name: 'platform-kafka', brokers: env.kafkaBrokers }],
      },
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              sandboxCluster('eks-data-platform', env.k8s.kubeconfigs.portal),
            ],
          },
        ],
      },
      platformScaffolder: {
        localPublishDirectory: path.join(dir, 'published'),
        rolloutTimeoutSeconds: 90,
      },
    }),
  );
  await kafka.connect();
  backend = newBackend();
  await backend.start();
  // The catalog has read the templates.
  for (const name of ['kafka-pipeline', 'publish-only']) {
    for (let i = 0; ; i++) {
      const res = await backend.request(
        `/api/catalog/entities/by-name/template/default/${name}`,
      );
      if (res.status === 200) break;
      if (i > 120) {
        throw new Error(
          `the catalog did not read template ${name} (${
            res.status
          }):\n${backend.logTail()}`,
        );
      }
      await new Promise(r => setTimeout(r, 1000));
    }
  }
});

// A test that failed while its backend was down leaves the next one a running backend.
beforeEach(async () => {
  if (!backend.running) {
    backend = newBackend();
    await backend.start();
  }
});

afterAll(async () => {
  await backend?.stop();
  const name = `resume-${run}`;
  await apps
    .deleteNamespacedDeployment({ name, namespace: 'data' })
    .catch(() => undefined);
  await custom
    .deleteNamespacedCustomObject({
      group: 'keda.sh',
      version: 'v1alpha1',
      namespace: 'data',
      plural: 'scaledobjects',
      name,
    })
    .catch(() => undefined);
  await kafka
    .deleteTopics({ topics: [`${name}-events`] })
    .catch(() => undefined);
  await kafka.disconnect();
});

describe('the scaffolder runs the platform templates', () => {
  it('resumes a Kafka pipeline whose backend was killed mid-task, creating nothing twice', async () => {
    // A backend whose catalog does not read the local publish directory: the task waits in its
    // publish step, after its files were published, until the backend is killed.
    await backend.stop();
    backend = newBackend({
      DEV_BACKEND_WITHOUT_LOCAL_PUBLISH_PROVIDER: 'true',
    });
    await backend.start();
    const name = `resume-${run}`;
    const taskId = await startTask('kafka-pipeline', pipelineValues(name));
    const publishing = `published to ${path.join(
      dir,
      'published',
      name,
    )}; waiting for`;
    for (let i = 0; ; i++) {
      const waiting = (await events(taskId)).some(e =>
        plain(e.body.message).startsWith(publishing),
      );
      if (waiting) break;
      if (i > 900) {
        throw new Error(
          `the task did not reach its publish step:\n${backend.logTail()}`,
        );
      }
      await new Promise(r => setTimeout(r, 200));
    }
    const deployed = await apps.readNamespacedDeployment({
      name,
      namespace: 'data',
    });
    await backend.crash();

    // The same database, the whole catalog: the task is recovered and resumed.
    backend = newBackend();
    await backend.start();
    const result = await finished(taskId);
    expect(result).toEqual({ status: 'completed', message: undefined });

    const all = await events(taskId);
    const recovered = all.findIndex(e => e.type === 'recovered');
    expect(recovered).toBeGreaterThan(-1);
    expect(all.slice(0, recovered).some(e => e.type === 'completion')).toBe(
      false,
    );
    const after = all.slice(recovered).map(e => plain(e.body.message));
    for (const step of ['render', 'validate', 'topic', 'deploy']) {
      expect(after).toContain(
        `Skipping step ${step} because it was already completed in a previous run`,
      );
    }
    // The step it died in runs again; its checkpoint answers for the copy made before.
    expect(after).toContain(
      `${path.join(
        dir,
        'published',
        name,
      )} was published before the task resumed (checkpoint); ` +
        `not copied again; waiting for component:default/${name} in the catalog`,
    );
    const messages = all.map(e => plain(e.body.message));
    const count = (text: string) => messages.filter(m => m === text).length;
    expect(count(`created ${name}-events on platform-kafka`)).toBe(1);
    expect(count(`applied Deployment/data/${name}`)).toBe(1);
    expect(count(`applied ScaledObject/data/${name}`)).toBe(1);

    // What exists is what the first run made.
    const { topics } = await kafka.fetchTopicMetadata({
      topics: [`${name}-events`],
    });
    expect(topics[0].partitions).toHaveLength(6);
    const deployment = await apps.readNamespacedDeployment({
      name,
      namespace: 'data',
    });
    expect(deployment.metadata!.uid).toBe(deployed.metadata!.uid);
    expect(deployment.metadata!.generation).toBe(1);
    expect(
      (
        await backend.request(
          `/api/catalog/entities/by-name/component/default/${name}`,
        )
      ).status,
    ).toBe(200);
  });

  it.each([['description'], ['kafkaCluster']])(
    'fails a task sent without %s at platform:validate, naming it, and creates nothing',
    async missing => {
      const name = `no-${missing.toLocaleLowerCase('en-US')}-${run}`;
      const values: Record<string, unknown> = pipelineValues(name);
      delete values[missing];
      const taskId = await startTask('kafka-pipeline', values);
      const result = await finished(taskId);
      expect(result.status).toBe('failed');
      expect(result.message).toContain(
        `${missing}: missing. A task started through the scaffolder's API gets none of the form's defaults`,
      );
      const failedAt = (await events(taskId)).find(
        e => e.body.status === 'failed',
      );
      expect(failedAt?.body.stepId).toBe('validate');
      expect(await topicExists(`${name}-events`)).toBe(false);
      expect(await deploymentExists(name)).toBe(false);
    },
  );

  it("fails a publish the catalog rejects with the catalog's reason", async () => {
    const name = `rejected-${run}`;
    const started = Date.now();
    const taskId = await startTask('publish-only', { name });
    const result = await finished(taskId, 90);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      new RegExp(
        `^the catalog rejected component:default/${name}: .*/metadata/description must be string`,
      ),
    );
    // Told by the catalog, not found out by waiting the full minute for the entity.
    expect(Date.now() - started).toBeLessThan(55_000);
  });

  it('dry-runs the Kafka pipeline: no replicas under KEDA, the bootstrap address of its Kafka cluster', async () => {
    const templateDir = path.join(repo, 'templates/kafka-pipeline');
    const files = ['skeleton/catalog-info.yaml'].concat(
      (await fs.readdir(path.join(templateDir, 'skeleton/k8s'))).map(
        f => `skeleton/k8s/${f}`,
      ),
    );
    const directoryContents = await Promise.all(
      files.map(async file => ({
        path: file,
        base64Content: (
          await fs.readFile(path.join(templateDir, file))
        ).toString('base64'),
      })),
    );
    const name = `dry-${run}`;
    const res = await backend.request('/api/scaffolder/v2/dry-run', {
      method: 'POST',
      body: {
        template: parse(
          await fs.readFile(path.join(templateDir, 'template.yaml'), 'utf8'),
        ),
        values: pipelineValues(name),
        directoryContents,
      },
    });
    expect(res.status).toBe(200);
    const rendered = (file: string) =>
      parseAllDocuments(
        Buffer.from(
          res.body.directoryContents.find((f: any) => f.path === file)
            .base64Content,
          'base64',
        ).toString('utf8'),
      ).map(d => d.toJS());
    const [deployment] = rendered('k8s/deployment.yaml');
    expect(deployment.kind).toBe('Deployment');
    expect(deployment.spec).not.toHaveProperty('replicas');
    const [scaledObject] = rendered('k8s/scaledobject.yaml');
    expect(scaledObject.spec.triggers[0].metadata).toMatchObject({
      bootstrapServers: 'platform-kafka-kafka-bootstrap.kafka.svc:9092',
      topic: `${name}-events`,
    });
    // The API server's dry run of both, and nothing created.
    const log = res.body.log.map((l: any) => plain(l.body.message));
    expect(log).toContain(`dry run: would apply Deployment/data/${name}`);
    expect(log).toContain(`dry run: would apply ScaledObject/data/${name}`);
    expect(await topicExists(`${name}-events`)).toBe(false);
    expect(await deploymentExists(name)).toBe(false);
  });

  it('has every action the templates use', async () => {
    const { body } = await backend.request('/api/scaffolder/v2/actions');
    const registered = new Set(body.map((a: { id: string }) => a.id));
    const used: string[] = [];
    const templatesDir = path.join(repo, 'templates');
    for (const entry of await fs.readdir(templatesDir)) {
      const file = path.join(templatesDir, entry, 'template.yaml');
      const text = await fs.readFile(file, 'utf8').catch(() => undefined);
      if (!text) continue;
      for (const step of parse(text).spec.steps) used.push(step.action);
    }
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter(action => !registered.has(action))).toEqual([]);
  });
});
