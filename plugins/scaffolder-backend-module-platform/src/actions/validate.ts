import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { CoreV1Api } from '@kubernetes/client-node';
import { kubeMessage, PlatformClients } from '../clients';
import { DNS_1123_LABEL } from './kubernetesApply';

/**
 * platform:validate — every check of a template's parameters that needs the real platform,
 * run as the first step so that nothing is created when one fails: replication factor vs the
 * brokers, KEDA max replicas vs partitions, GPUs vs the largest GPU node, the namespace. Each
 * error names the parameter.
 */
export function createValidateAction(clients: PlatformClients) {
  return createTemplateAction({
    id: 'platform:validate',
    description:
      "Checks a template's parameters against the platform before any side effect.",
    supportsDryRun: true,
    examples: [
      {
        description:
          'A Kafka pipeline: 12 partitions, at most 12 consumers, on platform-kafka',
        example: [
          'steps:',
          '  - id: validate',
          '    action: platform:validate',
          '    input:',
          '      name: clickstream-consumer',
          '      namespace: data',
          '      kubernetesCluster: eks-data-platform',
          '      kafkaCluster: platform-kafka',
          '      partitions: 12',
          '      replicationFactor: 3',
          '      maxReplicas: 12',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        name: z => z.string(),
        namespace: z => z.string().optional(),
        kubernetesCluster: z => z.string().optional(),
        kafkaCluster: z => z.string().optional(),
        partitions: z => z.number().optional(),
        replicationFactor: z => z.number().optional(),
        maxReplicas: z => z.number().optional(),
        gpus: z => z.number().optional(),
      },
    },
    async handler(ctx) {
      const {
        name,
        namespace,
        kubernetesCluster,
        kafkaCluster,
        partitions,
        replicationFactor,
        maxReplicas,
        gpus,
      } = ctx.input;
      const errors: string[] = [];
      const isName = (value: string) =>
        DNS_1123_LABEL.test(value) && value.length <= 63;
      if (!isName(name)) {
        errors.push(
          `name: "${name}" is not a valid Kubernetes name (lower-case letters, digits and "-", ` +
            'starting and ending with a letter or digit, at most 63)',
        );
      }
      if (namespace !== undefined && !isName(namespace)) {
        errors.push(`namespace: "${namespace}" is not a valid Kubernetes name`);
      }
      if (
        partitions !== undefined &&
        (!Number.isInteger(partitions) || partitions < 1)
      ) {
        errors.push(`partitions: ${partitions} must be a whole number ≥ 1`);
      }
      if (maxReplicas !== undefined) {
        if (!Number.isInteger(maxReplicas) || maxReplicas < 1) {
          errors.push(`maxReplicas: ${maxReplicas} must be a whole number ≥ 1`);
        } else if (partitions !== undefined && maxReplicas > partitions) {
          errors.push(
            `maxReplicas: ${maxReplicas} is more than the topic's ${partitions} partitions; ` +
              'consumers beyond one per partition would sit idle',
          );
        }
      }
      if (gpus !== undefined && (!Number.isInteger(gpus) || gpus < 1)) {
        errors.push(`gpus: ${gpus} must be a whole number ≥ 1`);
      }
      if (errors.length > 0) throw new InputError(errors.join('; '));

      if (kafkaCluster && replicationFactor !== undefined) {
        const admin = clients.kafka(kafkaCluster).admin();
        try {
          await admin.connect();
          const { brokers } = await admin.describeCluster();
          if (replicationFactor > brokers.length) {
            errors.push(
              `replicationFactor: ${replicationFactor} is more than the ${brokers.length} brokers of ${kafkaCluster}`,
            );
          }
        } catch (error) {
          if (error instanceof InputError) throw error;
          throw new Error(
            `kafkaCluster: cannot reach ${kafkaCluster} (${
              (error as Error).message
            }); check kafka.clusters`,
          );
        } finally {
          await admin.disconnect();
        }
      }
      if (kubernetesCluster) {
        const core = clients
          .kubernetes(kubernetesCluster)
          .kubeConfig.makeApiClient(CoreV1Api);
        try {
          if (namespace) {
            await core.readNamespace({ name: namespace }).catch(error => {
              if (error.code === 404)
                errors.push(
                  `namespace: ${namespace} does not exist on ${kubernetesCluster}`,
                );
              else throw error;
            });
          }
          if (gpus !== undefined) {
            const nodes = await core.listNode();
            const largest = Math.max(
              0,
              ...nodes.items.map(n =>
                Number(n.status?.allocatable?.['nvidia.com/gpu'] ?? 0),
              ),
            );
            if (gpus > largest) {
              errors.push(
                `gpus: ${gpus} is more than the largest GPU node of ${kubernetesCluster} has (${largest})`,
              );
            }
          }
        } catch (error: any) {
          throw new Error(
            `kubernetesCluster: cannot read ${kubernetesCluster} (${kubeMessage(
              error,
            )}); ` + 'check kubernetes.clusterLocatorMethods',
          );
        }
      }
      if (errors.length > 0) throw new InputError(errors.join('; '));
      ctx.logger.info(`parameters of ${name} checked against the platform`);
    },
  });
}
