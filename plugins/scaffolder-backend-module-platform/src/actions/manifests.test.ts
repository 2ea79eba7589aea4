/*
 * What kubernetes:apply does to the manifests before it sends them. No sandbox needed.
 */
import { leaveReplicasToKeda, parseManifests } from './kubernetesApply';

const deployment = (name: string, replicas?: number) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
${
  replicas === undefined ? '' : `  replicas: ${replicas}\n`
}  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec: { containers: [{ name: c, image: busybox }] }
`;

const scaledObject = (target: string) => `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: ${target} }
spec:
  scaleTargetRef: { name: ${target} }
  maxReplicaCount: 6
  triggers: [{ type: kafka, metadata: { topic: t, lagThreshold: '10' } }]
`;

describe('leaveReplicasToKeda', () => {
  it('leaves spec.replicas out of a Deployment that a ScaledObject of the same apply targets', () => {
    const manifests = parseManifests(
      [deployment('consumer', 1), scaledObject('consumer')].join('---\n'),
      'data',
    );
    expect(leaveReplicasToKeda(manifests)).toEqual(['Deployment/consumer']);
    expect(manifests[0].spec).not.toHaveProperty('replicas');
    expect(manifests[0].spec.selector).toEqual({
      matchLabels: { app: 'consumer' },
    });
  });

  it('keeps the replicas of workloads KEDA does not scale', () => {
    const manifests = parseManifests(
      [
        deployment('web', 2),
        deployment('consumer'),
        scaledObject('consumer'),
      ].join('---\n'),
      'data',
    );
    expect(leaveReplicasToKeda(manifests)).toEqual([]);
    expect(manifests[0].spec.replicas).toBe(2);
  });

  it('matches the target in its own namespace only', () => {
    const manifests = parseManifests(
      [
        deployment('consumer', 1).replace(
          '{ name: consumer }',
          '{ name: consumer, namespace: other }',
        ),
        scaledObject('consumer'),
      ].join('---\n'),
      'data',
    );
    expect(leaveReplicasToKeda(manifests)).toEqual([]);
    expect(manifests[0].spec.replicas).toBe(1);
  });
});
