/*
 * Kafka lag storage: one day of samples at 15 s for <groups> x <partitions>, written into
 * the sandbox's real PostgreSQL through the store's own write path (saveSample + prune with
 * the default retention, as the sampling task does), its size on disk, then the page API
 * (the router's endpoints the UI calls) of a small backend on port 7032 serving that
 * database.
 *
 *   scripts/sandbox up kafka postgres && eval "$(scripts/sandbox env)"
 *   yarn sucrase-node bench/kafka-lag/storage.ts [groups] [partitions] [samples] [rounds]
 *
 * Defaults: 50 groups x 1,000 partitions, 5,760 samples (24 h at 15 s), 200 requests per
 * endpoint. The database `kafka_lag_bench` (schema `kafka-lag`) is recreated on each run.
 * The backend samples the sandbox's Kafka too (cluster `bench`: bench/kafka-lag/run.ts seeds
 * its groups), so the synthesized day is followed by real samples, as in production.
 */
import { execFileSync } from 'node:child_process';
import knexFactory, { Knex } from 'knex';
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { GroupSummary } from '@internal/plugin-kafka-lag-common';
import kafkaLagPlugin, {
  ClusterSnapshot,
  DatabaseLagStore,
} from '@internal/plugin-kafka-lag-backend';
import { guestToken, percentile } from '../lib';

const groups = Number(process.argv[2] ?? 50);
const partitions = Number(process.argv[3] ?? 1000);
const samples = Number(process.argv[4] ?? 5760);
const rounds = Number(process.argv[5] ?? 200);
const PORT = 7032;
const INTERVAL_MS = 15_000;
const DB = 'kafka_lag_bench';
const SCHEMA = 'kafka-lag';
const HOUR = 3_600_000;
// The plugin's defaults (config.ts): snapshots 1 h, history 168 h, status window 10.
const SNAPSHOT_RETENTION = HOUR;
const HISTORY_RETENTION = 168 * HOUR;
const STATUS_WINDOW = 10;
const topic = `bench-lag-${partitions}`;

const base = process.env.SANDBOX_PG_URL;
const brokers = process.env.SANDBOX_KAFKA_BROKERS;
if (!base || !brokers) {
  throw new Error('run eval "$(scripts/sandbox env)" first (kafka, postgres)');
}
const dbUrl = (() => {
  const url = new URL(base);
  url.pathname = `/${DB}`;
  return url.toString();
})();

async function recreateDatabase() {
  const admin = knexFactory({ client: 'pg', connection: base });
  try {
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [DB]);
    await admin.raw('CREATE DATABASE ??', [DB]);
  } finally {
    await admin.destroy();
  }
  const knex = knexFactory({ client: 'pg', connection: dbUrl });
  await knex.raw('CREATE SCHEMA ??', [SCHEMA]);
  await knex.destroy();
}

/**
 * Sample i: every partition gets 4 messages per sample; group g commits `g % 5` messages
 * behind on every partition, group 0 stopped at 0 since the start (its lag grows).
 */
function synthesize(i: number, at: number) {
  const ends: Record<number, [number, number]> = {};
  for (let p = 0; p < partitions; p++) ends[p] = [1000 + 4 * i + p, 0];
  const snapshotGroups: ClusterSnapshot['groups'] = [];
  const summaries: GroupSummary[] = [];
  for (let g = 0; g < groups; g++) {
    const group = `bench-lag-group-${g}`;
    const commits: Record<number, number> = {};
    let lag = 0;
    for (let p = 0; p < partitions; p++) {
      const committed = g === 0 ? 1000 + p : ends[p][0] - (g % 5);
      commits[p] = committed;
      lag += ends[p][0] - committed;
    }
    snapshotGroups.push({
      group,
      state: g === 0 ? 'Empty' : 'Stable',
      members:
        g === 0
          ? []
          : [
              {
                memberId: `${group}-member-1`,
                clientId: `${group}-1`,
                host: '/10.0.0.1',
                assignments: [
                  {
                    topic,
                    partitions: Array.from({ length: partitions }, (_, p) => p),
                  },
                ],
              },
            ],
      commits: { [topic]: commits },
    });
    summaries.push({
      cluster: 'bench',
      group,
      state: g === 0 ? 'Empty' : 'Stable',
      memberCount: g === 0 ? 0 : 1,
      topics: [topic],
      totalLag: lag,
      maxLagSeconds: g === 0 ? (i * INTERVAL_MS) / 1000 : 0,
      maxLagSecondsIsLowerBound: false,
      status: g === 0 ? 'STOPPED' : 'OK',
      timeToDrainSeconds: g === 0 ? null : 0,
      neverCommittedPartitions: 0,
      sampledAt: new Date(at).toISOString(),
      stale: false,
    });
  }
  return {
    snapshot: { at, topics: { [topic]: ends }, groups: snapshotGroups },
    summaries,
  };
}

async function sizes(knex: Knex) {
  const { rows } = await knex.raw(
    `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ? AND c.relkind = 'r' ORDER BY 2 DESC`,
    [SCHEMA],
  );
  const counts = await Promise.all(
    rows.map(async (r: any) =>
      Number((await knex(r.name).count({ n: '*' }))[0].n),
    ),
  );
  const { rows: db } = await knex.raw('SELECT pg_database_size(?) AS bytes', [
    DB,
  ]);
  return {
    tables: rows.map((r: any, i: number) => ({
      table: r.name,
      mb: +(Number(r.bytes) / 2 ** 20).toFixed(1),
      rows: counts[i],
    })),
    totalMb: +(
      rows.reduce((n: number, r: any) => n + Number(r.bytes), 0) /
      2 ** 20
    ).toFixed(1),
    databaseMb: +(Number(db[0].bytes) / 2 ** 20).toFixed(1),
  };
}

async function writeDay() {
  await recreateDatabase();
  const knex = knexFactory({
    client: 'pg',
    connection: dbUrl,
    searchPath: [SCHEMA],
    pool: { min: 0, max: 2 },
  });
  const store = await DatabaseLagStore.create({
    getClient: async () => knex,
    migrations: { skip: false },
  } as any);
  const end = Date.now() - 60_000;
  const start = end - (samples - 1) * INTERVAL_MS;
  const t0 = performance.now();
  const writes: number[] = [];
  for (let i = 0; i < samples; i++) {
    const at = start + i * INTERVAL_MS;
    const { snapshot, summaries } = synthesize(i, at);
    const w0 = performance.now();
    await store.saveSample('bench', snapshot, summaries);
    await store.prune('bench', {
      snapshotsBefore: at - SNAPSHOT_RETENTION,
      historyBefore: at - HISTORY_RETENTION,
      groupSamplesToKeep: STATUS_WINDOW,
    });
    writes.push(performance.now() - w0);
    // The day is written ~200x faster than it happens; autovacuum (naptime 1 min) would see
    // each minute of it, 4 samples, in time to reuse the space of the rows pruned before.
    // Emulate that: a plain VACUUM (no FULL, no lock against writes) every 4 samples.
    if (i % 4 === 3) {
      await knex.raw(
        'VACUUM kafka_lag_group_offsets, kafka_lag_topic_offsets, kafka_lag_samples',
      );
    }
    if ((i + 1) % 720 === 0) {
      const s = await sizes(knex);
      console.log(
        `  ${i + 1}/${samples} samples (${((i + 1) / 240).toFixed(0)} h) in ${(
          (performance.now() - t0) /
          1000
        ).toFixed(0)} s: ${s.totalMb} MB`,
      );
    }
  }
  const after = await sizes(knex);
  console.log(
    `one day: ${samples} samples of ${groups} groups x ${partitions} partitions written in ${(
      (performance.now() - t0) /
      1000
    ).toFixed(0)} s (saveSample + prune p50 ${percentile(writes, 50).toFixed(
      0,
    )} ms, p95 ${percentile(writes, 95).toFixed(0)} ms)`,
  );
  console.log(
    `DB bytes, retention applied (VACUUM each synthetic minute): tables ${after.totalMb} MB, database ${after.databaseMb} MB`,
  );
  console.table(after.tables);
  // What the old layout would hold: one full JSON snapshot per sample for the hour.
  const full = JSON.stringify(synthesize(samples - 1, end).snapshot).length;
  console.log(
    `for comparison, one full JSON snapshot: ${(full / 2 ** 20).toFixed(
      2,
    )} MB; the old layout kept ${SNAPSHOT_RETENTION / INTERVAL_MS} of them (${(
      (full * (SNAPSHOT_RETENTION / INTERVAL_MS)) /
      2 ** 20
    ).toFixed(0)} MB before TOAST compression)`,
  );
  await knex.destroy();
}

async function pageApi() {
  const backend = createBackend();
  backend.add(
    mockServices.rootConfig.factory({
      data: {
        // The auth backend needs the app's address (its sign-in redirects).
        app: { baseUrl: `http://localhost:${PORT}` },
        backend: {
          baseUrl: `http://localhost:${PORT}`,
          listen: { port: PORT },
          database: {
            client: 'pg',
            connection: dbUrl,
            pluginDivisionMode: 'schema',
          },
        },
        // A benchmark backend on localhost, run without NODE_ENV=development.
        auth: {
          environment: 'development',
          providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
        },
        kafka: {
          clientId: 'bench',
          clusters: [{ name: 'bench', brokers: brokers!.split(',') }],
        },
      },
    }),
  );
  backend.add(import('@backstage/plugin-auth-backend'));
  backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
  backend.add(kafkaLagPlugin);
  const s0 = performance.now();
  await backend.start();
  const baseUrl = `http://localhost:${PORT}`;
  const headers = { authorization: `Bearer ${await guestToken(baseUrl)}` };
  const api = `${baseUrl}/api/kafka-lag`;
  // The first answer loads the hour of snapshots from the database.
  const first = performance.now();
  const res = await fetch(`${api}/clusters`, { headers });
  if (!res.ok) throw new Error(`/clusters ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
  console.log(
    `backend on :${PORT} started in ${(first - s0).toFixed(
      0,
    )} ms; first /clusters (loads the snapshot hour from the database) ${(
      performance.now() - first
    ).toFixed(0)} ms`,
  );
  const refs = Array.from(
    { length: 5 },
    (_, g) => `bench/bench-lag-group-${g}`,
  ).join(',');
  const endpoints: Record<string, string> = {
    'GET /clusters': `${api}/clusters`,
    'GET /groups?refs=(5 groups)': `${api}/groups?refs=${encodeURIComponent(
      refs,
    )}`,
    'GET /groups/bench/bench-lag-group-1?window=3600': `${api}/groups/bench/bench-lag-group-1?window=3600`,
    'GET /groups/bench/bench-lag-group-0?window=86400': `${api}/groups/bench/bench-lag-group-0?window=86400`,
  };
  const results: Record<string, any> = {};
  for (const [name, url] of Object.entries(endpoints)) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      const r = await fetch(url, { headers });
      const body = await r.arrayBuffer();
      times.push(performance.now() - t);
      if (!r.ok) throw new Error(`${name}: ${r.status}`);
      bytes = body.byteLength;
    }
    results[name] = {
      p50: +percentile(times, 50).toFixed(1),
      p95: +percentile(times, 95).toFixed(1),
      kB: +(bytes / 1024).toFixed(0),
    };
  }
  console.log(`page API, ${rounds} requests each, one at a time:`);
  console.table(results);
  let rss = `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`;
  try {
    rss = `${execFileSync('ps', ['-o', 'rss=', '-p', String(process.pid)])
      .toString()
      .trim()} kB`;
  } catch {
    // ps missing: process.memoryUsage's figure
  }
  console.log(`backend RSS (this process: the backend and the client): ${rss}`);
  await backend.stop();
}

async function main() {
  if (!process.argv.includes('--api-only')) await writeDay();
  await pageApi();
}

main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
