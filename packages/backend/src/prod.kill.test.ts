/*
 * A replica killed under load (`scripts/sandbox up prod`: two replicas behind nginx). While a
 * steady stream of requests goes through nginx, replica 1 is killed with SIGKILL
 * (`scripts/sandbox prod kill 1`):
 * - the other keeps serving: at most the requests in flight at the kill fail;
 * - Kafka lag sampling (a global scheduled task) goes on on the survivor: new snapshot rows
 *   within the task's timeout;
 * - a scaffolder task started through the killed replica runs to completion once, each of
 *   its steps completed once (the scaffolder claims tasks in the database; a task whose
 *   replica died is recovered by the other, which skips the steps already done);
 * then `scripts/sandbox prod start 1` and both serve again.
 * Skipped when SANDBOX_PORTAL_URL is unset; needs eval "$(scripts/sandbox env)".
 *
 * @sandbox-stops prod: kills production replica 1 and starts it again
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { signInThroughPortal } from '@internal/sandbox';
import { Client } from 'pg';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

const portalUrl = process.env.SANDBOX_PORTAL_URL;
const describeWithProd = portalUrl ? describe : describe.skip;
if (!portalUrl) {
  // eslint-disable-next-line no-console
  console.warn(
    'prod.kill.test.ts skipped: SANDBOX_PORTAL_URL is not set. Run "scripts/sandbox up prod" ' +
      'and eval "$(scripts/sandbox env)".',
  );
}

jest.setTimeout(600_000);

function env(name: string) {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run "scripts/sandbox up prod" and eval "$(scripts/sandbox env)"`,
    );
  }
  return value;
}

async function sandbox(...args: string[]) {
  const { stdout } = await run(env('SANDBOX_CLI'), args, {
    timeout: 300_000,
  });
  return stdout;
}

async function poll<T>(
  what: () => string,
  limitMs: number,
  fn: () => Promise<T | undefined>,
  everyMs = 1000,
) {
  const end = Date.now() + limitMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end)
      throw new Error(`${what()} within ${limitMs / 1000}s`);
    await sleep(everyMs);
  }
}

/** Requests through nginx, `concurrency` at a time, until stopped; every outcome kept. */
function steadyLoad(token: string, concurrency: number) {
  const paths = [
    '/api/catalog/entities/by-query?limit=5&fields=metadata.name',
    '/api/kafka-lag/groups?refs=platform-kafka/webapp-consumer,platform-kafka/llm-ingestors',
    '/.backstage/health/v1/readiness',
  ];
  const outcomes: {
    at: number;
    path: string;
    ok: boolean;
    status: number | string;
  }[] = [];
  let inFlight = 0;
  let running = true;
  const worker = async (n: number) => {
    for (let i = n; running; i++) {
      inFlight++;
      const at = Date.now();
      const path = paths[i % paths.length];
      try {
        const res = await fetch(`${portalUrl}${path}`, {
          headers: { Authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(20_000),
        });
        await res.arrayBuffer();
        outcomes.push({ at, path, ok: res.ok, status: res.status });
      } catch (error) {
        outcomes.push({ at, path, ok: false, status: String(error) });
      } finally {
        inFlight--;
      }
      await sleep(100);
    }
  };
  const workers = Array.from({ length: concurrency }, (_, n) => worker(n));
  return {
    outcomes,
    inFlight: () => inFlight,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

describeWithProd('a replica killed under load', () => {
  const [replica1, replica2] = (
    process.env.SANDBOX_PROD_REPLICA_URLS ?? ''
  ).split(',');
  let token: string;
  let db: Client;

  beforeAll(async () => {
    if (!replica1 || !replica2) env('SANDBOX_PROD_REPLICA_URLS');
    // Replicas on the sandbox's current settings: a test that rebuilt the Kubernetes cluster
    // before this one (sandbox k8s restart) gave the portal a new token, which replicas
    // started earlier do not have; `up prod` restarts such a replica, one at a time.
    await sandbox('up', 'prod');
    for (const url of [replica1, replica2]) {
      const ready = await fetch(`${url}/.backstage/health/v1/readiness`).catch(
        () => undefined,
      );
      if (!ready?.ok) {
        throw new Error(
          `replica ${url} is not ready: run "scripts/sandbox up prod"`,
        );
      }
    }
    ({ token } = await signInThroughPortal({
      portalUrl: portalUrl!,
      issuer: env('SANDBOX_OIDC_ISSUER'),
      email: 'alice.nguyen@example.com',
      password: env('SANDBOX_OIDC_PASSWORD'),
    }));
    db = new Client({
      host: env('POSTGRES_HOST'),
      port: Number(env('POSTGRES_PORT')),
      user: env('POSTGRES_USER'),
      password: env('POSTGRES_PASSWORD'),
      database: `${env('SANDBOX_PROD_DB_PREFIX')}kafka-lag`,
    });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    // Leave the stack as it was found: both replicas up.
    const pids = await sandbox('prod', 'pids').catch(() => '');
    if (!/^1 /m.test(pids))
      await sandbox('prod', 'start', '1').catch(() => undefined);
  });

  it('keeps serving, sampling once, and runs a scaffolder task once', async () => {
    const latestSnapshot = async () =>
      Number(
        (await db.query('SELECT max(sampled_at) AS at FROM kafka_lag_samples'))
          .rows[0].at ?? 0,
      );
    // Sampling runs before the kill.
    const before = await poll(
      () => 'no Kafka lag snapshot in the prod database',
      120_000,
      async () =>
        (await latestSnapshot()) > Date.now() - 60_000 ? true : undefined,
    );
    expect(before).toBe(true);

    const load = steadyLoad(token, 4);
    await sleep(3_000);

    // A scaffolder task started through replica 1 itself, not through nginx, and replica 1
    // killed a moment later: while the task is running there, or before either claimed it.
    const name = `kill-${Date.now().toString(36)}`;
    const created = await fetch(`${replica1}/api/scaffolder/v2/tasks`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        templateRef: 'template:default/kafka-pipeline',
        // Every value: a task started through the API gets none of the form's defaults.
        values: {
          name,
          description: 'A pipeline of the replica kill test.',
          owner: 'group:default/platform-team',
          kubernetesCluster: 'eks-data-platform',
          retentionHours: 1,
          image: 'ghcr.io/ml-platform/kafka-consumer:1.0.0',
          lagThreshold: 500,
          namespace: 'data',
          topic: `${name}-events`,
          partitions: 3,
          replicationFactor: 3,
          maxReplicas: 2,
          kafkaCluster: 'platform-kafka',
        },
      }),
    });
    expect(created.status).toBe(201);
    const { id: taskId } = await created.json();

    await sleep(1_000);
    const inFlightAtKill = load.inFlight();
    const killedAt = Date.now();
    await sandbox('prod', 'kill', '1');
    // Requests keep coming for a while after the kill.
    await sleep(20_000);

    // Sampling resumes on the survivor within the task's timeout (sandbox-prod config:
    // kafkaLag.sampleTimeoutSeconds 20, sampleIntervalSeconds 5) and some slack.
    await poll(
      () => 'no new Kafka lag snapshot after the kill',
      90_000,
      async () => ((await latestSnapshot()) > killedAt ? true : undefined),
      2000,
    );

    // Replica 1 back; both serve again.
    await sandbox('prod', 'start', '1');
    await sleep(2_000);
    await load.stop();
    for (const url of [replica1, replica2]) {
      const res = await fetch(`${url}/api/catalog/entities/by-query?limit=1`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
    }

    const afterKill = load.outcomes.filter(o => o.at >= killedAt);
    const failed = load.outcomes.filter(o => !o.ok);
    expect(afterKill.filter(o => o.ok).length).toBeGreaterThan(20);
    // At most the requests in flight at the kill may fail (nginx retries idempotent ones).
    if (failed.length > inFlightAtKill) {
      const when = (at: number) =>
        `${((at - killedAt) / 1000).toFixed(1)} s after the kill`;
      throw new Error(
        `${failed.length} of ${load.outcomes.length} requests failed, more than the ${inFlightAtKill} ` +
          `in flight at the kill:\n${failed
            .slice(0, 20)
            .map(f => `${when(f.at)} ${f.path}: ${f.status}`)
            .join('\n')}`,
      );
    }

    // The task: done once, through whichever replica ran it (recovered by the survivor when
    // replica 1 had claimed it; the scaffolder's stale timeout is 30 s).
    const task = await poll(
      () => `task ${taskId} did not finish`,
      240_000,
      async () => {
        const res = await fetch(
          `${portalUrl}/api/scaffolder/v2/tasks/${taskId}`,
          {
            headers: { Authorization: `Bearer ${token}` },
          },
        );
        const body = await res.json();
        return ['completed', 'failed', 'cancelled'].includes(body.status)
          ? body
          : undefined;
      },
      2000,
    );
    const events: {
      type: string;
      body: { message?: string; stepId?: string; status?: string };
    }[] = await (
      await fetch(`${portalUrl}/api/scaffolder/v2/tasks/${taskId}/events`, {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).json();
    const log = events.map(
      e =>
        `${e.type} ${e.body.stepId ?? ''} ${e.body.status ?? ''} ${
          e.body.message ?? ''
        }`,
    );
    if (task.status !== 'completed') {
      throw new Error(
        `task ${taskId} ended ${task.status}; its events:\n${log.join('\n')}`,
      );
    }
    expect(events.filter(e => e.type === 'completion')).toHaveLength(1);
    const steps = (task.spec?.steps ?? []).map((s: { id: string }) => s.id);
    expect(steps.length).toBeGreaterThan(2);
    for (const step of steps) {
      const ran = events.filter(
        e =>
          e.body.stepId === step &&
          e.body.status === 'completed' &&
          !String(e.body.message).startsWith('Skipping step'),
      );
      expect({ step, completions: ran.length, log }).toMatchObject({
        step,
        completions: 1,
      });
    }
  });
});
