import path from 'node:path';
import { readClusterDefinition } from './cluster';
import { lintTemplate, lintTemplates, parameterVariants } from './lint';

const root = path.resolve(__dirname, '../../..');
const clusterDir = path.join(root, 'templates/eks-cluster');
const fixtures = path.join(__dirname, '__fixtures__');

describe('the EKS cluster definition', () => {
  it('parses: one GPU shape per node group, the NVIDIA AMI, the GPU label and taint, the namespaces', async () => {
    const cluster = await readClusterDefinition(clusterDir);
    expect(cluster.name).toBe('eks-data-platform');
    expect(cluster.problems).toEqual([]);
    const [general, gpu, gpu8] = cluster.nodeGroups;
    expect(general).toMatchObject({
      name: 'general',
      instanceTypes: ['m5.xlarge'],
      labels: { 'eks.amazonaws.com/nodegroup': 'general' },
      taints: [],
      minSize: 3,
      gpusPerNode: 0,
    });
    const gpuShape = {
      amiType: 'AL2023_x86_64_NVIDIA',
      taints: [
        { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
      ],
      minSize: 0,
    };
    expect(gpu).toMatchObject({
      ...gpuShape,
      name: 'gpu',
      instanceTypes: ['g5.xlarge'],
      labels: {
        'nvidia.com/gpu.present': 'true',
        'eks.amazonaws.com/nodegroup': 'gpu',
      },
      gpusPerNode: 1,
    });
    expect(gpu8).toMatchObject({
      ...gpuShape,
      name: 'gpu-8x',
      instanceTypes: ['p4d.24xlarge'],
      labels: {
        'nvidia.com/gpu.present': 'true',
        'eks.amazonaws.com/nodegroup': 'gpu-8x',
      },
      gpusPerNode: 8,
    });
    expect(cluster.namespaces).toEqual(
      expect.arrayContaining([
        'kafka',
        'data',
        'ml',
        'monitoring',
        'operators',
        'keda',
        'istio-system',
        'apps',
      ]),
    );
  });

  it('knows the custom resources its add-ons install, its Gateway and its Kafka cluster', async () => {
    const cluster = await readClusterDefinition(clusterDir);
    expect(cluster.customResources).toEqual(
      expect.arrayContaining([
        'keda.sh/ScaledObject',
        'networking.istio.io/VirtualService',
        'networking.istio.io/Gateway',
        'kafka.strimzi.io/Kafka',
        'platform.example.com/GithubRelease',
      ]),
    );
    expect(cluster.gateways).toEqual(['istio-system/public-gateway']);
    expect(cluster.kafkaClusters).toEqual([
      {
        name: 'platform-kafka',
        namespace: 'kafka',
        listeners: [
          {
            name: 'plain',
            address: 'platform-kafka-kafka-bootstrap.kafka.svc:9092',
            tls: false,
          },
          {
            name: 'tls',
            address: 'platform-kafka-kafka-bootstrap.kafka.svc:9093',
            tls: true,
          },
        ],
      },
    ]);
  });

  it('finds the faults of a definition: mixed GPU shapes, prefixed names, a custom resource nothing installs', async () => {
    const cluster = await readClusterDefinition(
      path.join(fixtures, 'mixed-cluster'),
    );
    expect(cluster.problems.map(p => `${p.object} ${p.rule}`).sort()).toEqual([
      'Kafka/platform-kafka crd',
      'node group gpu node-group-name',
      'node group gpu node-group-shape',
    ]);
    // A group that may grow by 1-GPU machines counts as 1 GPU per node.
    expect(cluster.nodeGroups[1].gpusPerNode).toBe(1);
  });
});

describe('template lint', () => {
  it('passes every template of the repository', async () => {
    const cluster = await readClusterDefinition(clusterDir);
    const { checked, errors } = await lintTemplates(
      path.join(root, 'templates'),
      cluster,
    );
    expect(checked).toEqual(
      expect.arrayContaining([
        'kafka-pipeline',
        'service',
        'gpu-service',
        'github-release',
      ]),
    );
    expect(errors).toEqual([]);
  });

  it('renders every enum value and the optional parameters', async () => {
    const variants = parameterVariants({
      spec: {
        parameters: [
          {
            required: ['name'],
            properties: {
              name: { type: 'string' },
              namespace: { enum: ['data', 'ml', 'apps'], default: 'data' },
              host: { type: 'string' },
            },
          },
        ],
      },
    });
    expect(variants).toEqual([
      { parameters: { name: 'lint-check', namespace: 'data' } },
      {
        label: 'host=lint-check.platform.example.com',
        parameters: {
          name: 'lint-check',
          namespace: 'data',
          host: 'lint-check.platform.example.com',
        },
      },
      {
        label: 'namespace=ml',
        parameters: { name: 'lint-check', namespace: 'ml' },
      },
      {
        label: 'namespace=apps',
        parameters: { name: 'lint-check', namespace: 'apps' },
      },
    ]);
  });

  it('fails the broken fixture once per rule, naming the object and the choice that shows it', async () => {
    const cluster = await readClusterDefinition(clusterDir);
    const errors = await lintTemplate(
      path.join(fixtures, 'broken-template'),
      cluster,
    );
    const found = errors.map(
      e => `${e.object} ${e.rule}${e.variant ? ` (${e.variant})` : ''}`,
    );
    expect(found.sort()).toEqual(
      [
        // only with the non-default enum value
        'Deployment/broken-gpu namespace (namespace=nowhere)',
        'Deployment/broken-lost namespace (namespace=nowhere)',
        'Deployment/broken namespace (namespace=nowhere)',
        'ScaledObject/broken namespace (namespace=nowhere)',
        'ScaledObject/broken-orphan namespace (namespace=nowhere)',
        'Deployment/broken-gpu toleration',
        'Deployment/broken-gpu gpu',
        'Deployment/broken-lost node-selector',
        'ScaledObject/broken keda-max-replicas',
        'ScaledObject/broken keda-trigger',
        'ScaledObject/broken keda-bootstrap',
        'ScaledObject/broken keda-replicas',
        'ScaledObject/broken-orphan keda-target',
        // the second apply step; the VirtualService only when the optional host is set
        'IngressRoute/broken crd',
        'VirtualService/broken gateway (host=lint-check.platform.example.com)',
        // the third apply step
        'step deploy-nothing apply-path',
      ].sort(),
    );
    const message = (rule: string) =>
      errors.find(e => e.rule === rule)!.message;
    expect(message('toleration')).toContain(
      'nvidia.com/gpu=present:NoSchedule',
    );
    expect(message('keda-max-replicas')).toBe(
      "maxReplicaCount 50 is more than the topic's 12 partitions",
    );
    expect(message('keda-trigger')).toBe('kafka trigger has no topic');
    expect(message('keda-bootstrap')).toBe(
      'bootstrapServers "kafka.example.com:9092" is not the in-cluster address of Kafka cluster "platform-kafka" ' +
        'of the cluster definition (platform-kafka-kafka-bootstrap.kafka.svc:9092)',
    );
    expect(message('gateway')).toContain(
      'gateway "istio-system/private-gateway" is defined nowhere',
    );
    expect(message('crd')).toContain('traefik.io/IngressRoute');
  });

  it('checks GPUs against the smallest machine a node group may grow by', async () => {
    const gpu8 = path.join(fixtures, 'gpu-8');
    expect(
      await lintTemplate(gpu8, await readClusterDefinition(clusterDir)),
    ).toEqual([]);
    const mixed = await lintTemplate(
      gpu8,
      await readClusterDefinition(path.join(fixtures, 'mixed-cluster')),
    );
    expect(mixed.map(e => `${e.object} ${e.rule}: ${e.message}`)).toEqual([
      'Deployment/gpu-eight gpu: asks for 8 nvidia.com/gpu per pod; no node group it can land on has nodes that large (gpu: 1)',
    ]);
  });
});
