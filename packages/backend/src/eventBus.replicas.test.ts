/*
 * Events across replicas. With @backstage/plugin-events-backend installed and a PostgreSQL
 * database, every replica's EventsService goes through the events backend's event bus, whose
 * store is that database: an event published on one replica reaches a subscriber on the
 * other. The signals backend relies on this (each replica subscribes under its own id), so a
 * signal or notification raised on one replica reaches a browser connected to the other.
 * Without the events backend each replica's EventsService is in memory only, and this test
 * fails (the event never arrives on replica B).
 *
 * Needs the sandbox's PostgreSQL: scripts/sandbox up postgres && eval "$(scripts/sandbox env)".
 */
import { randomBytes } from 'node:crypto';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import eventsBackend from '@backstage/plugin-events-backend';
import {
  EventParams,
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import {
  freshPostgresDatabase,
  startReplica,
} from '@internal/platform-node/testUtils';

jest.setTimeout(180_000);

/** A plugin that records what it receives on `topic` and can publish. */
function probe(received: EventParams[]) {
  let publish: (payload: unknown) => Promise<void> = async () => {};
  const plugin = createBackendPlugin({
    pluginId: 'bus-probe',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef, logger: coreServices.logger },
        async init({ events }) {
          // A subscriber id of its own per replica: every replica gets every event, as
          // the signals backend subscribes.
          await events.subscribe({
            id: `bus-probe-${randomBytes(4).toString('hex')}`,
            topics: ['platform-test'],
            onEvent: async params => {
              received.push(params);
            },
          });
          publish = payload =>
            events.publish({ topic: 'platform-test', eventPayload: payload });
        },
      });
    },
  });
  return { plugin, publish: (payload: unknown) => publish(payload) };
}

describe('events across two replicas (events backend on PostgreSQL)', () => {
  it('delivers an event published on one replica to a subscriber on the other', async () => {
    const db = await freshPostgresDatabase('event_bus_test');
    const receivedA: EventParams[] = [];
    const receivedB: EventParams[] = [];
    const a = probe(receivedA);
    const b = probe(receivedB);
    const replicas = [];
    try {
      for (const p of [a, b]) {
        replicas.push(
          await startReplica({
            databaseUrl: db.url,
            // Short long-polls, so that stopping a replica does not wait ~55 s for one.
            config: { events: { notifyTimeoutMs: 2000 } },
            // The real EventsService (test backends default to an in-memory mock).
            features: [eventsServiceFactory, eventsBackend, p.plugin],
          }),
        );
      }
      const marker = randomBytes(6).toString('hex');
      // Published again every 5 s until it arrives: replica B's subscription reaches the
      // bus in the background after its start, and a subscription sees only the events
      // published after it (a CI run published once, before it, and waited in vain).
      // Events that stay in one replica's memory never arrive, however often sent.
      const deadline = Date.now() + 60_000;
      let nextPublish = 0;
      while (
        !receivedB.some(e => (e.eventPayload as any)?.marker === marker) &&
        Date.now() < deadline
      ) {
        if (Date.now() >= nextPublish) {
          await a.publish({ marker });
          nextPublish = Date.now() + 5000;
        }
        await new Promise(r => setTimeout(r, 250));
      }
      expect(receivedB.map(e => (e.eventPayload as any)?.marker)).toContain(
        marker,
      );
      expect(
        receivedB.find(e => (e.eventPayload as any)?.marker === marker)?.topic,
      ).toBe('platform-test');
    } finally {
      for (const r of replicas) await r.stop();
      await db.drop();
    }
  });
});
