import fs from 'node:fs/promises';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { CoreV1Api } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { catalogEntityProblems } from '../catalogEntity';
import { kubeMessage, PlatformClients } from '../clients';
import { KAFKA_TOPIC_PATTERN } from './kafkaTopicCreate';
import { DNS_1123_LABEL } from './kubernetesApply';
import { resolveInWorkspace } from './paths';

/** An image reference: [registry[:port]/]path[:tag][@sha256:digest]. */
const IMAGE =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const HOST = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/;

/**
 * The values platform:validate checks. Each is optional here, because each template passes
 * those its later steps need; `required` lists which must be present.
 */
const VALUE_NAMES = [
  'name',
  'description',
  'owner',
  'namespace',
  'kubernetesCluster',
  'kafkaCluster',
  'topic',
  'partitions',
  'replicationFactor',
  'retentionHours',
  'maxReplicas',
  'lagThreshold',
  'image',
  'port',
  'replicas',
  'gpus',
  'model',
  'host',
  'repository',
  'tag',
] as const;

type Values = Partial<Record<(typeof VALUE_NAMES)[number], unknown>>;

const isName = (value: unknown) =>
  typeof value === 'string' && DNS_1123_LABEL.test(value) && value.length <= 63;

function wholeNumber(
  errors: string[],
  key: string,
  value: unknown,
  min: number,
  max = Infinity,
) {
  if (value === undefined) return;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    value > max
  ) {
    errors.push(
      `${key}: ${JSON.stringify(value)} must be a whole number ${
        max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`
      }`,
    );
  }
}

function matches(
  errors: string[],
  key: string,
  value: unknown,
  pattern: RegExp,
  what: string,
) {
  if (value === undefined) return;
  if (typeof value !== 'string' || !pattern.test(value)) {
    errors.push(`${key}: ${JSON.stringify(value)} is not ${what}`);
  }
}

/** The checks that need nothing but the values themselves. */
function checkValues(values: Values, required: string[]): string[] {
  const errors: string[] = [];
  for (const key of required) {
    if (!(VALUE_NAMES as readonly string[]).includes(key)) {
      throw new InputError(
        `required: "${key}" is not a value platform:validate knows (${VALUE_NAMES.join(
          ', ',
        )})`,
      );
    }
    const value = values[key as keyof Values];
    if (value === undefined || value === null || value === '') {
      errors.push(
        `${key}: missing. A task started through the scaffolder's API gets none of the form's ` +
          `defaults: send ${key} in the task's values`,
      );
    }
  }
  const {
    name,
    description,
    owner,
    namespace,
    topic,
    partitions,
    maxReplicas,
  } = values;
  if (name !== undefined && !isName(name)) {
    errors.push(
      `name: ${JSON.stringify(
        name,
      )} is not a valid Kubernetes name (lower-case letters, digits and "-", ` +
        'starting and ending with a letter or digit, at most 63)',
    );
  }
  if (namespace !== undefined && !isName(namespace)) {
    errors.push(
      `namespace: ${JSON.stringify(namespace)} is not a valid Kubernetes name`,
    );
  }
  if (description !== undefined && typeof description !== 'string') {
    errors.push(`description: ${JSON.stringify(description)} is not text`);
  }
  if (owner !== undefined) {
    try {
      const ref = parseEntityRef(String(owner), {
        defaultKind: 'group',
        defaultNamespace: 'default',
      });
      if (!['group', 'user'].includes(ref.kind.toLocaleLowerCase('en-US'))) {
        errors.push(
          `owner: ${JSON.stringify(owner)} is a ${
            ref.kind
          }; an owner is a Group or a User`,
        );
      }
    } catch (error) {
      errors.push(
        `owner: ${JSON.stringify(owner)} is not an entity reference (${
          (error as Error).message
        })`,
      );
    }
  }
  matches(
    errors,
    'topic',
    topic,
    KAFKA_TOPIC_PATTERN,
    'a Kafka topic name (letters, digits, ".", "_" and "-", at most 249)',
  );
  wholeNumber(errors, 'partitions', partitions, 1);
  wholeNumber(errors, 'replicationFactor', values.replicationFactor, 1);
  wholeNumber(errors, 'retentionHours', values.retentionHours, 1);
  wholeNumber(errors, 'lagThreshold', values.lagThreshold, 1);
  wholeNumber(errors, 'maxReplicas', maxReplicas, 1);
  if (
    typeof maxReplicas === 'number' &&
    typeof partitions === 'number' &&
    maxReplicas > partitions
  ) {
    errors.push(
      `maxReplicas: ${maxReplicas} is more than the topic's ${partitions} partitions; ` +
        'consumers beyond one per partition would sit idle',
    );
  }
  wholeNumber(errors, 'port', values.port, 1, 65535);
  wholeNumber(errors, 'replicas', values.replicas, 1);
  wholeNumber(errors, 'gpus', values.gpus, 1);
  matches(errors, 'image', values.image, IMAGE, 'an image reference');
  matches(
    errors,
    'model',
    values.model,
    /^[A-Za-z0-9._/-]{1,128}$/,
    'a model name',
  );
  matches(errors, 'host', values.host, HOST, 'a host name');
  matches(
    errors,
    'repository',
    values.repository,
    /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
    'a GitHub repository (owner/name)',
  );
  matches(errors, 'tag', values.tag, /^[A-Za-z0-9._-]{1,128}$/, 'a tag');
  return errors;
}

/** What the catalog would reject in the entity file(s) the template rendered. */
async function checkEntity(
  workspacePath: string,
  entityPath: string,
): Promise<string[]> {
  const file = await resolveInWorkspace(
    workspacePath,
    entityPath,
    'entityPath',
  );
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    return [
      `entityPath: cannot read ${entityPath} of the workspace (${
        (error as Error).message
      }); render it before this step`,
    ];
  }
  const errors: string[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      errors.push(
        `catalog entity ${entityPath}: not valid YAML (${doc.errors[0].message})`,
      );
      continue;
    }
    const entity = doc.toJS();
    if (!entity) continue;
    for (const problem of await catalogEntityProblems(entity)) {
      errors.push(
        `catalog entity ${entityPath}: the catalog would reject it: ${problem}`,
      );
    }
  }
  return errors;
}

/**
 * platform:validate — every check of a template's values, run before any side effect so that
 * nothing is created when one fails: the values a later step needs are present (a task started
 * through the API gets no form defaults) and well-formed, the catalog entity the template
 * rendered is one the catalog accepts, and the values fit the real platform (the clusters
 * exist and answer, replication factor vs brokers, the namespace, GPUs vs the largest GPU
 * node). Each error names the value.
 */
export function createValidateAction(clients: PlatformClients) {
  return createTemplateAction({
    id: 'platform:validate',
    description:
      "Checks a template's values, its rendered catalog entity and the platform before any side effect.",
    supportsDryRun: true,
    examples: [
      {
        description:
          'A Kafka pipeline: 12 partitions, at most 12 consumers, on platform-kafka; after fetch:template',
        example: [
          'steps:',
          '  - id: validate',
          '    action: platform:validate',
          '    input:',
          '      required: [name, description, owner, namespace, kafkaCluster, kubernetesCluster, topic, partitions]',
          '      name: clickstream-consumer',
          '      description: Clickstream into the warehouse',
          '      owner: group:default/data-engineering',
          '      namespace: data',
          '      kubernetesCluster: eks-data-platform',
          '      kafkaCluster: platform-kafka',
          '      topic: clickstream-events',
          '      partitions: 12',
          '      replicationFactor: 3',
          '      maxReplicas: 12',
          '      entityPath: catalog-info.yaml',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        required: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'Values that must be present: those the later steps need',
            ),
        entityPath: z =>
          z
            .string()
            .optional()
            .describe(
              'The rendered catalog-info.yaml, relative to the workspace',
            ),
        name: z => z.string().optional(),
        description: z => z.string().optional(),
        owner: z => z.string().optional(),
        namespace: z => z.string().optional(),
        kubernetesCluster: z => z.string().optional(),
        kafkaCluster: z => z.string().optional(),
        topic: z => z.string().optional(),
        partitions: z => z.number().optional(),
        replicationFactor: z => z.number().optional(),
        retentionHours: z => z.number().optional(),
        maxReplicas: z => z.number().optional(),
        lagThreshold: z => z.number().optional(),
        image: z => z.string().optional(),
        port: z => z.number().optional(),
        replicas: z => z.number().optional(),
        gpus: z => z.number().optional(),
        model: z => z.string().optional(),
        host: z => z.string().optional(),
        repository: z => z.string().optional(),
        tag: z => z.string().optional(),
      },
    },
    async handler(ctx) {
      const values = ctx.input as Values & {
        required?: string[];
        entityPath?: string;
      };
      const errors = checkValues(values, values.required ?? []);
      if (values.entityPath) {
        errors.push(
          ...(await checkEntity(ctx.workspacePath, values.entityPath)),
        );
      }
      if (errors.length > 0) throw new InputError(errors.join('; '));

      const { name, namespace, kubernetesCluster, kafkaCluster } = values;
      const { replicationFactor, gpus } = values as {
        replicationFactor?: number;
        gpus?: number;
      };
      if (typeof kafkaCluster === 'string') {
        const admin = clients.kafka(kafkaCluster, 'kafkaCluster').admin();
        try {
          await admin.connect();
          const { brokers } = await admin.describeCluster();
          if (
            replicationFactor !== undefined &&
            replicationFactor > brokers.length
          ) {
            errors.push(
              `replicationFactor: ${replicationFactor} is more than the ${brokers.length} brokers of ${kafkaCluster}`,
            );
          }
        } catch (error) {
          if (error instanceof InputError) throw error;
          throw new Error(
            `kafkaCluster: cannot reach ${kafkaCluster} (${
              (error as Error).message
            }); check its brokers under kafka.clusters`,
          );
        } finally {
          await admin.disconnect();
        }
      }
      if (typeof kubernetesCluster === 'string') {
        const core = clients
          .kubernetes(kubernetesCluster, 'kubernetesCluster')
          .kubeConfig.makeApiClient(CoreV1Api);
        try {
          if (typeof namespace === 'string') {
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
            )}); check kubernetes.clusterLocatorMethods`,
          );
        }
      }
      if (errors.length > 0) throw new InputError(errors.join('; '));
      ctx.logger.info(
        `values of ${name ?? 'the template'} checked against the platform`,
      );
    },
  });
}
