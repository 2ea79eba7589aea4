import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sandboxEnv } from './env';

const run = promisify(execFile);

/**
 * Per-partition lag as Kafka's own ConsumerGroupCommand prints it (the ground truth
 * for lag in tests): a map from `<group>/<topic>/<partition>` to the LAG column,
 * '-' for a partition without a commit. One group, or every group when none is given.
 */
export async function consumerGroupCommandLag(
  group?: string,
): Promise<Map<string, string>> {
  const env = sandboxEnv();
  const { stdout } = await run(
    'java',
    [
      '-cp',
      `${env.kafkaLib}/*`,
      'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
      '--bootstrap-server',
      env.kafkaBrokers[0],
      '--describe',
      ...(group ? ['--group', group] : ['--all-groups']),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const lag = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [g, topic, partition, , , value] = line.trim().split(/\s+/);
    if (g && g !== 'GROUP' && value !== undefined) {
      lag.set(`${g}/${topic}/${partition}`, value);
    }
  }
  return lag;
}
