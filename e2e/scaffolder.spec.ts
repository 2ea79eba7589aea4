import { execFileSync } from 'node:child_process';
import { APIRequestContext, expect, test } from '@playwright/test';
import { Kafka, logLevel } from 'kafkajs';
import { entityExists, guestToken } from './portalApi';

/*
 * The platform's templates run end to end by the real scaffolder backend against the
 * sandbox's Kafka and Kubernetes API server (the backend reads the sandbox's
 * app-config.local.yaml): the topic exists, the workload runs on the right node group, the
 * ScaledObject targets it, the new entity is in the catalog. Bad parameters create nothing.
 */

const run = Date.now().toString(36);

function kubectl(...args: string[]): string {
  const kubectlPath = process.env.SANDBOX_KUBECTL;
  const kubeconfig = process.env.SANDBOX_K8S_KUBECONFIG;
  if (!kubectlPath || !kubeconfig) {
    throw new Error(
      'the sandbox is not up: scripts/sandbox up k8s; eval "$(scripts/sandbox env)"',
    );
  }
  return execFileSync(kubectlPath, ['--kubeconfig', kubeconfig, ...args], {
    encoding: 'utf8',
  });
}

/** What the form sends besides the user's answers: each parameter's default. */
const FORM_DEFAULTS = {
  kafkaCluster: 'platform-kafka',
  kubernetesCluster: 'eks-data-platform',
};

/** Starts a task and waits for its end; returns its status and the last error message. */
async function runTemplate(
  request: APIRequestContext,
  template: string,
  values: Record<string, unknown>,
) {
  const headers = { authorization: `Bearer ${await guestToken(request)}` };
  const started = await request.post('/api/scaffolder/v2/tasks', {
    headers,
    data: {
      templateRef: `template:default/${template}`,
      values: { ...FORM_DEFAULTS, ...values },
    },
  });
  if (!started.ok()) {
    return {
      status: `rejected ${started.status()}`,
      message: await started.text(),
    };
  }
  const { id } = await started.json();
  for (let i = 0; i < 240; i++) {
    const task = await (
      await request.get(`/api/scaffolder/v2/tasks/${id}`, { headers })
    ).json();
    if (['completed', 'failed', 'cancelled'].includes(task.status)) {
      const events = await (
        await request.get(`/api/scaffolder/v2/tasks/${id}/events`, { headers })
      ).json();
      const failed = events.filter((e: any) => e.body?.error).pop();
      return {
        status: task.status as string,
        message: failed?.body?.error?.message as string,
      };
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`task ${id} of ${template} did not finish`);
}

test('the Kafka pipeline template creates the topic, a consumer scaled by KEDA, and its component', async ({
  request,
}) => {
  const name = `pipeline-${run}`;
  const topic = `${name}-events`;
  const result = await runTemplate(request, 'kafka-pipeline', {
    name,
    owner: 'group:default/data-engineering',
    namespace: 'data',
    topic,
    partitions: 6,
    replicationFactor: 3,
    maxReplicas: 6,
    lagThreshold: 100,
    retentionHours: 24,
    image: 'ghcr.io/ml-platform/kafka-consumer:1.0.0',
    description: 'made by the end-to-end test',
  });
  expect(result).toEqual({ status: 'completed', message: undefined });

  const admin = new Kafka({
    clientId: 'e2e',
    brokers: (process.env.SANDBOX_KAFKA_BROKERS ?? '').split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0].partitions).toHaveLength(6);
  } finally {
    await admin.disconnect();
  }

  const nodes = kubectl(
    'get',
    'pods',
    '-n',
    'data',
    '-l',
    `app.kubernetes.io/name=${name}`,
    '-o',
    'jsonpath={.items[*].spec.nodeName}',
  ).split(' ');
  for (const node of nodes) {
    expect(
      kubectl(
        'get',
        'node',
        node,
        '-o',
        "jsonpath={.metadata.labels['eks\\.amazonaws\\.com/nodegroup']}",
      ),
    ).toBe('general');
  }
  expect(
    kubectl(
      'get',
      'scaledobject',
      name,
      '-n',
      'data',
      '-o',
      'jsonpath={.spec.scaleTargetRef.name} {.spec.maxReplicaCount} {.spec.triggers[0].metadata.topic}',
    ),
  ).toBe(`${name} 6 ${topic}`);
  await expect
    .poll(() => entityExists(request, `component:default/${name}`))
    .toBe(true);
});

test('the GPU service and GitHub release templates land on the GPU node group and in the operator namespace', async ({
  request,
}) => {
  // Every GPU of the sandbox is taken; free the A10G for the test, give it back after.
  kubectl(
    'scale',
    'deployment',
    'embedding-server',
    '-n',
    'ml',
    '--replicas=0',
  );
  try {
    const name = `gpu-${run}`;
    const result = await runTemplate(request, 'gpu-service', {
      name,
      owner: 'group:default/ml-engineering',
      model: 'qwen2.5-1.5b-instruct',
      gpus: 1,
      replicas: 1,
      image: 'vllm/vllm-openai:v0.11.0',
      description: 'made by the end-to-end test',
    });
    expect(result).toEqual({ status: 'completed', message: undefined });
    const node = kubectl(
      'get',
      'pods',
      '-n',
      'ml',
      '-l',
      `app.kubernetes.io/name=${name}`,
      '-o',
      'jsonpath={.items[0].spec.nodeName}',
    );
    expect(
      kubectl(
        'get',
        'node',
        node,
        '-o',
        "jsonpath={.metadata.labels['eks\\.amazonaws\\.com/nodegroup']}",
      ),
    ).toBe('gpu');
    await expect
      .poll(() => entityExists(request, `component:default/${name}`))
      .toBe(true);
    kubectl('delete', 'deployment', name, '-n', 'ml', '--wait=false');
  } finally {
    kubectl(
      'scale',
      'deployment',
      'embedding-server',
      '-n',
      'ml',
      '--replicas=1',
    );
  }

  const release = `kafka-v4-1-${run}`;
  const created = await runTemplate(request, 'github-release', {
    name: release,
    repository: 'apache/kafka',
    tag: '4.1.0',
    owner: 'group:default/platform-team',
    topic: 'github-releases',
  });
  expect(created).toEqual({ status: 'completed', message: undefined });
  expect(
    kubectl(
      'get',
      'githubrelease',
      release,
      '-n',
      'operators',
      '-o',
      'jsonpath={.spec.repository}',
    ),
  ).toBe('apache/kafka');
  await expect
    .poll(() => entityExists(request, `resource:default/${release}`))
    .toBe(true);
});

test('bad parameters say which field and why, and create nothing', async ({
  request,
}) => {
  // The form's own schema: not a Kubernetes name.
  const badName = await runTemplate(request, 'service', {
    name: 'Bad_Name',
    owner: 'group:default/platform-team',
  });
  expect(badName.status).toBe('rejected 400');
  expect(badName.message).toContain('name');

  // Checked against the platform before any side effect: more consumers than partitions.
  const name = `toomany-${run}`;
  const tooMany = await runTemplate(request, 'kafka-pipeline', {
    name,
    owner: 'group:default/data-engineering',
    topic: `${name}-events`,
    partitions: 3,
    replicationFactor: 3,
    maxReplicas: 12,
  });
  expect(tooMany.status).toBe('failed');
  expect(tooMany.message).toContain(
    "maxReplicas: 12 is more than the topic's 3 partitions",
  );
  expect(
    kubectl('get', 'deployments', '-n', 'data', '-o', 'name'),
  ).not.toContain(name);

  // An automation that leaves out a value the form would have filled in: named, nothing made.
  const bare = `bare-${run}`;
  const noDescription = await runTemplate(request, 'kafka-pipeline', {
    name: bare,
    owner: 'group:default/data-engineering',
    namespace: 'data',
    topic: `${bare}-events`,
    partitions: 6,
    replicationFactor: 3,
    maxReplicas: 6,
    lagThreshold: 100,
    retentionHours: 24,
    image: 'ghcr.io/ml-platform/kafka-consumer:1.0.0',
  });
  expect(noDescription.status).toBe('failed');
  expect(noDescription.message).toContain('description: missing');
  expect(
    kubectl('get', 'deployments', '-n', 'data', '-o', 'name'),
  ).not.toContain(bare);
});

test('an engineer creates a service from the Create page', async ({
  page,
}, testInfo) => {
  const name = `hello-${run}`;
  // Signing in on /create keeps the page (a reload after sign-in would ask again).
  await page.goto('/create');
  await page.getByRole('button', { name: 'Enter' }).click();
  const card = page.locator('article, div').filter({
    has: page.getByText('Service on the general node group', { exact: true }),
  });
  await card.getByRole('button', { name: 'Choose' }).last().click();

  await page.getByLabel('Name').first().fill(name);
  const owner = page.getByLabel('Owner').first();
  await owner.click();
  await owner.fill('platform');
  await page
    .getByRole('option', { name: /Platform team/ })
    .first()
    .click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();

  await expect(
    page.getByRole('link', { name: 'Open in the catalog' }),
  ).toBeVisible({
    timeout: 90_000,
  });
  await page.screenshot({
    path: testInfo.outputPath('scaffolder-service-created.png'),
    fullPage: true,
  });
  expect(
    kubectl(
      'get',
      'deployment',
      name,
      '-n',
      'apps',
      '-o',
      'jsonpath={.status.availableReplicas}',
    ),
  ).toBe('2');
  kubectl('delete', 'deployment,service', name, '-n', 'apps', '--wait=false');
});
