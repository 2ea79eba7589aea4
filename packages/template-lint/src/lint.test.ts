import path from 'node:path';
import { readClusterDefinition } from './cluster';
import { lintTemplate, lintTemplates } from './lint';

const root = path.resolve(__dirname, '../../..');
const clusterDir = path.join(root, 'templates/eks-cluster');

describe('the EKS cluster definition', () => {
  it('parses and has the node groups, the NVIDIA AMI, the GPU label and taint, and the namespaces', async () => {
    const cluster = await readClusterDefinition(clusterDir);
    expect(cluster.name).toBe('eks-data-platform');
    const [general, gpu] = cluster.nodeGroups;
    expect(general).toMatchObject({
      name: 'general',
      instanceTypes: ['m5.xlarge'],
      taints: [],
      minSize: 3,
      maxGpusPerNode: 0,
    });
    expect(gpu).toMatchObject({
      name: 'gpu',
      amiType: 'AL2023_x86_64_NVIDIA',
      instanceTypes: ['g5.xlarge', 'p4d.24xlarge'],
      labels: {
        'nvidia.com/gpu.present': 'true',
        'eks.amazonaws.com/nodegroup': 'gpu',
      },
      taints: [
        { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
      ],
      minSize: 0,
      maxSize: 4,
      maxGpusPerNode: 8,
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

  it('fails the broken fixture once per rule, naming the object', async () => {
    const cluster = await readClusterDefinition(clusterDir);
    const errors = await lintTemplate(
      path.join(__dirname, '__fixtures__/broken-template'),
      cluster,
    );
    const found = errors.map(e => `${e.object} ${e.rule}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'Deployment/broken-gpu namespace',
        'Deployment/broken-gpu toleration',
        'Deployment/broken-gpu gpu',
        'Deployment/broken-lost node-selector',
        'ScaledObject/broken keda-max-replicas',
        'ScaledObject/broken keda-trigger',
      ]),
    );
    expect(errors.find(e => e.rule === 'toleration')!.message).toContain(
      'nvidia.com/gpu=present:NoSchedule',
    );
    expect(errors.find(e => e.rule === 'keda-max-replicas')!.message).toBe(
      "maxReplicaCount 50 is more than the topic's 12 partitions",
    );
  });
});
