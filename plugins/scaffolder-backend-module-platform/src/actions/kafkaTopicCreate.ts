import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { Admin, ConfigResourceTypes } from 'kafkajs';
import { PlatformClients } from '../clients';

export const KAFKA_TOPIC_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;

interface TopicSettings {
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

/**
 * Runs a request that a broker may refuse for a moment after a topic was created (its
 * metadata has not reached every broker yet: retriable errors), with a bounded retry.
 */
async function whenKnown<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= 10 || !(error as { retriable?: boolean }).retriable)
        throw error;
      await new Promise(r => setTimeout(r, 300 * attempt));
    }
  }
}

/**
 * The topic as it is, or undefined when it does not exist. `known: true` when a broker has
 * just said it exists: the broker asked next may not have its metadata yet, so it is not
 * looked up in the topic list (which would say "no such topic") but asked for until it answers.
 */
async function describeTopic(
  admin: Admin,
  topic: string,
  configNames: string[],
  options: { known?: boolean } = {},
): Promise<TopicSettings | undefined> {
  if (!options.known) {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) return undefined;
  }
  const { topics } = await whenKnown(() =>
    admin.fetchTopicMetadata({ topics: [topic] }),
  );
  const partitions = topics[0].partitions;
  const configs: Record<string, string> = {};
  if (configNames.length > 0) {
    const described = await whenKnown(() =>
      admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: topic, configNames },
        ],
      }),
    );
    for (const entry of described.resources[0].configEntries) {
      configs[entry.configName] = entry.configValue;
    }
  }
  return {
    partitions: partitions.length,
    replicationFactor: partitions[0]?.replicas.length ?? 0,
    configs,
  };
}

/** Waits (bounded) until every partition of a new topic has a leader. */
async function waitForLeaders(admin: Admin, topic: string, partitions: number) {
  let last: unknown;
  for (let attempt = 1; attempt <= 30; attempt++) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const led = topics[0].partitions.filter(p => p.leader >= 0).length;
      if (led === partitions) return;
      last = `${led} of ${partitions} partitions have a leader`;
    } catch (error) {
      last = error;
    }
    await new Promise(r => setTimeout(r, 300));
  }
  throw new Error(
    `topic: ${topic} was created but its partitions got no leader in time (${last})`,
  );
}

/** Differences between what exists and what was asked for, in words. */
function differences(actual: TopicSettings, wanted: TopicSettings): string[] {
  const diffs: string[] = [];
  if (actual.partitions !== wanted.partitions) {
    diffs.push(
      `partitions: exists with ${actual.partitions}, asked for ${wanted.partitions}`,
    );
  }
  if (actual.replicationFactor !== wanted.replicationFactor) {
    diffs.push(
      `replicationFactor: exists with ${actual.replicationFactor}, asked for ${wanted.replicationFactor}`,
    );
  }
  for (const [name, value] of Object.entries(wanted.configs)) {
    if (actual.configs[name] !== value) {
      diffs.push(
        `configs.${name}: exists with ${actual.configs[name]}, asked for ${value}`,
      );
    }
  }
  return diffs;
}

/**
 * kafka:topic:create — creates a topic on a cluster of `kafka.clusters`. A topic that already
 * exists with the same settings is success (a re-run does nothing); with other settings it is
 * an error that says which. The creation runs inside a checkpoint, so a task resumed after a
 * crash does not create it twice. Dry run: validates against the cluster, creates nothing.
 */
export function createKafkaTopicAction(clients: PlatformClients) {
  return createTemplateAction({
    id: 'kafka:topic:create',
    description:
      'Creates a Kafka topic (idempotent: same settings = success, different settings = error).',
    supportsDryRun: true,
    examples: [
      {
        description:
          'A 12-partition topic, replicated three times, kept for 7 days',
        example: [
          'steps:',
          '  - id: topic',
          '    action: kafka:topic:create',
          '    input:',
          '      cluster: platform-kafka',
          '      topic: clickstream-events',
          '      partitions: 12',
          '      replicationFactor: 3',
          '      configs:',
          "        retention.ms: '604800000'",
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        cluster: z =>
          z.string().min(1).describe('A cluster name of kafka.clusters'),
        topic: z =>
          z
            .string()
            .regex(
              KAFKA_TOPIC_PATTERN,
              'letters, digits, ".", "_" and "-", at most 249',
            )
            .describe('Topic name'),
        partitions: z =>
          z.number().int().min(1).max(1000).describe('Number of partitions'),
        replicationFactor: z =>
          z
            .number()
            .int()
            .min(1)
            .default(3)
            .describe('Replicas of each partition'),
        configs: z =>
          z
            .record(z.string(), z.string())
            .default({})
            .describe('Topic configs, e.g. retention.ms'),
      },
      output: {
        topic: z => z.string(),
        created: z =>
          z.boolean().describe('false when the topic already existed as asked'),
        partitions: z => z.number(),
      },
    },
    async handler(ctx) {
      const { cluster, topic, partitions } = ctx.input;
      // Defaults of the schema are not filled in by the scaffolder: apply them here.
      const replicationFactor = ctx.input.replicationFactor ?? 3;
      const configs = ctx.input.configs ?? {};
      const wanted = { partitions, replicationFactor, configs };
      const admin = clients.kafka(cluster).admin();
      try {
        await admin.connect();
      } catch (error) {
        throw new Error(
          `cluster: cannot reach Kafka cluster "${cluster}" (${
            (error as Error).message
          }); ` + `check its brokers under kafka.clusters`,
        );
      }
      try {
        const { brokers } = await admin.describeCluster();
        if (replicationFactor > brokers.length) {
          throw new InputError(
            `replicationFactor: ${replicationFactor} is more than the ${brokers.length} brokers of ${cluster}`,
          );
        }
        const existing = await describeTopic(
          admin,
          topic,
          Object.keys(configs),
        );
        const refuseOtherSettings = (found: typeof existing) => {
          const diffs = found ? differences(found, wanted) : [];
          if (diffs.length > 0) {
            throw new InputError(
              `topic: ${topic} already exists on ${cluster} with other settings: ${diffs.join(
                '; ',
              )}`,
            );
          }
        };
        refuseOtherSettings(existing);
        ctx.output('topic', topic);
        ctx.output('partitions', partitions);
        if (ctx.isDryRun) {
          ctx.logger.info(
            existing
              ? `dry run: ${topic} exists on ${cluster} as asked`
              : `dry run: would create ${topic} on ${cluster}`,
          );
          ctx.output('created', false);
          return;
        }
        let ranNow = false;
        const created = await ctx.checkpoint({
          key: `kafka.topic.create.${cluster}.${topic}`,
          fn: async () => {
            ranNow = true;
            if (existing) return false;
            // false: the topic exists after all (the broker asked above had not yet seen a
            // topic another task created a moment ago); its settings are compared below.
            const made = await admin.createTopics({
              // Leaders are awaited below, with retries kafkajs does not make here.
              waitForLeaders: false,
              topics: [
                {
                  topic,
                  numPartitions: partitions,
                  replicationFactor,
                  configEntries: Object.entries(configs).map(
                    ([name, value]) => ({
                      name,
                      value,
                    }),
                  ),
                },
              ],
            });
            // The new topic, as the brokers' metadata reports it (retries while it spreads).
            // Not for one that existed: it may have other partitions than asked, which the
            // comparison below names.
            if (made) await waitForLeaders(admin, topic, partitions);
            return made;
          },
        });
        if (ranNow && !created && !existing) {
          refuseOtherSettings(
            await describeTopic(admin, topic, Object.keys(configs), {
              known: true,
            }),
          );
        }
        if (!ranNow) {
          ctx.logger.info(
            `${topic} was created on ${cluster} before the task resumed (checkpoint); not created again`,
          );
        } else {
          ctx.logger.info(
            created
              ? `created ${topic} on ${cluster}`
              : `${topic} exists on ${cluster} as asked`,
          );
        }
        ctx.output('created', created);
      } finally {
        await admin.disconnect();
      }
    },
  });
}
