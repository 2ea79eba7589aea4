/*
 * The production run under load: mixed read traffic through nginx to the two replicas of
 * `scripts/sandbox up prod` (see README.md). Open loop: requests leave at the rate asked
 * whatever the answers do, and each latency counts from the moment its request was due, so
 * a stalled server shows as latency instead of as fewer requests.
 *
 *   eval "$(scripts/sandbox env)"
 *   yarn sucrase-node bench/production/run.ts [--rates 10,20,40,80,160] [--seconds 20] [--kill-rate 40]
 *
 * Phases: two replicas at rising rates; one replica (replica 2 killed) at the same rates; then
 * a run at --kill-rate with replica 1 killed by PID a third of the way in. Replica 2 is started
 * again before the kill run and both run again at the end.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { percentile } from '../lib';
import { signInThroughPortal } from '../../sandbox/src/portalSignIn';

const repoRoot = path.resolve(__dirname, '../..');
const sandbox = path.join(repoRoot, 'scripts/sandbox');

function arg(name: string, fallback: string) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const rates = arg('rates', '10,20,40,80,160').split(',').map(Number);
const seconds = Number(arg('seconds', '20'));
const killRate = Number(arg('kill-rate', '40'));
/** Requests in flight at most; above it the generator counts the request as not sent. */
const maxInFlight = 400;

const env = (name: string) => {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: eval "$(scripts/sandbox env)" first`);
  return value;
};
const portalUrl = env('SANDBOX_PORTAL_URL');

/** The read mix: what the portal's pages ask most, one of each in turn. */
const paths = [
  '/api/catalog/entities/by-query?limit=20',
  '/api/cluster-health/entity?entityRef=component:default/webapp',
  '/api/kafka-lag/groups?refs=platform-kafka/webapp-consumer,platform-kafka/llm-ingestors',
  '/api/gpu-inference/fleet',
  '/api/rag-chat/status',
];

interface Sample {
  due: number; // ms since the run's start
  latency: number; // ms from due to the end of the body
  ok: boolean;
  status: number; // 0: no answer (connection error)
}

async function load(
  token: string,
  rate: number,
  durationS: number,
  during?: (elapsedMs: number) => void,
) {
  const samples: Sample[] = [];
  let inFlight = 0;
  let notSent = 0;
  const start = performance.now();
  const total = Math.round(rate * durationS);
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = (i * 1000) / rate;
    const wait = start + due - performance.now();
    if (wait > 0) await new Promise(r => setTimeout(r, wait));
    during?.(performance.now() - start);
    if (inFlight >= maxInFlight) {
      notSent++;
      continue;
    }
    inFlight++;
    const url = `${portalUrl}${paths[i % paths.length]}`;
    pending.push(
      (async () => {
        let status = 0;
        try {
          const res = await fetch(url, {
            headers: { authorization: `Bearer ${token}` },
            signal: AbortSignal.timeout(30_000),
          });
          status = res.status;
          await res.arrayBuffer();
        } catch {
          status = 0;
        }
        inFlight--;
        samples.push({
          due,
          latency: performance.now() - (start + due),
          ok: status >= 200 && status < 300,
          status,
        });
      })(),
    );
  }
  await Promise.all(pending);
  return { samples, notSent, wallS: (performance.now() - start) / 1000 };
}

function summarise(rate: number, r: Awaited<ReturnType<typeof load>>) {
  const ok = r.samples.filter(s => s.ok);
  const latencies = ok.map(s => s.latency);
  const errors = r.samples.length - ok.length + r.notSent;
  const statuses = [
    ...new Set(r.samples.filter(s => !s.ok).map(s => s.status)),
  ];
  return {
    rate,
    sent: r.samples.length,
    throughput: +(ok.length / r.wallS).toFixed(1),
    p50: latencies.length ? +percentile(latencies, 50).toFixed(1) : NaN,
    p95: latencies.length ? +percentile(latencies, 95).toFixed(1) : NaN,
    p99: latencies.length ? +percentile(latencies, 99).toFixed(1) : NaN,
    errors,
    errorStatuses: statuses.join(' ') || '-',
  };
}

function prod(...args: string[]) {
  return execFileSync(sandbox, ['prod', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function replicaPids(): Map<string, number> {
  const pids = new Map<string, number>();
  for (const line of prod('pids').trim().split('\n')) {
    const [n, pid] = line.trim().split(/\s+/);
    if (n && pid) pids.set(n, Number(pid));
  }
  return pids;
}

function rssMiB(): string {
  return [...replicaPids()]
    .map(([n, pid]) => {
      try {
        const kb = Number(
          /VmRSS:\s+(\d+)/.exec(
            readFileSync(`/proc/${pid}/status`, 'utf8'),
          )?.[1],
        );
        return `replica ${n} ${Math.round(kb / 1024)} MiB`;
      } catch {
        return `replica ${n} not running`;
      }
    })
    .join(', ');
}

function printTable(title: string, rows: ReturnType<typeof summarise>[]) {
  console.log(`\n## ${title}  (${rssMiB()})`);
  console.log(
    '| rate (req/s) | sent | ok/s | p50 ms | p95 ms | p99 ms | errors | error statuses |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.rate} | ${r.sent} | ${r.throughput} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.errors} | ${r.errorStatuses} |`,
    );
  }
}

async function ramp(token: string, title: string) {
  const rows = [];
  for (const rate of rates) {
    rows.push(summarise(rate, await load(token, rate, seconds)));
    await new Promise(r => setTimeout(r, 2000));
  }
  printTable(title, rows);
  return rows;
}

async function main() {
  const { token, userEntityRef } = await signInThroughPortal({
    portalUrl,
    issuer: env('SANDBOX_OIDC_ISSUER'),
    email: 'alice.nguyen@example.com',
    password: env('SANDBOX_OIDC_PASSWORD'),
  });
  console.log(
    `signed in through ${portalUrl} as ${userEntityRef}; ${paths.length} paths in turn`,
  );
  if (replicaPids().size !== 2)
    throw new Error('two replicas must run: scripts/sandbox up prod');

  await load(token, 5, 5); // warm-up: caches, connections, JIT
  await ramp(token, 'two replicas');

  prod('kill', '2');
  await load(token, 5, 3); // nginx learns that replica 2 is gone
  await ramp(token, 'one replica (replica 2 killed)');
  prod('start', '2');
  await load(token, 5, 5);

  // Replica 1 killed a third of the way into a steady run.
  const killAt = (seconds * 3 * 1000) / 3;
  let killed = false;
  const run = await load(token, killRate, seconds * 3, elapsed => {
    if (!killed && elapsed >= killAt) {
      killed = true;
      prod('kill', '1');
    }
  });
  const failures = run.samples.filter(s => !s.ok);
  const before = run.samples
    .filter(s => s.ok && s.due < killAt)
    .map(s => s.latency);
  const p95Before = before.length ? percentile(before, 95) : NaN;
  // Served again: from the first due time after the last failure, or, if latency climbed,
  // after the last request slower than 2x the pre-kill p95.
  const lastBad = Math.max(
    killAt,
    ...failures.map(s => s.due),
    ...run.samples
      .filter(s => s.ok && s.due >= killAt && s.latency > 2 * p95Before)
      .map(s => s.due),
  );
  console.log(
    `\n## replica 1 killed at ${(killAt / 1000).toFixed(0)} s of a ${
      seconds * 3
    } s run at ${killRate} req/s`,
  );
  console.log(
    `- requests: ${run.samples.length}, failed: ${failures.length} (statuses ${
      [...new Set(failures.map(f => f.status))].join(' ') || '-'
    }), not sent: ${run.notSent}`,
  );
  console.log(
    `- p95 before the kill: ${p95Before.toFixed(
      1,
    )} ms; the last failed or slow (> 2x) request was due ${(
      (lastBad - killAt) /
      1000
    ).toFixed(1)} s after the kill`,
  );
  prod('start', '1');
  await ramp(token, 'two replicas again (replica 1 restarted)');
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
