import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { readClusters } from './clusters';

const dir = mkdtempSync(join(tmpdir(), 'clusters-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read(clusters: object[], extra: object[] = [], tokenFile?: string) {
  return readClusters(
    new ConfigReader({
      ...(tokenFile
        ? { clusterHealth: { serviceAccountTokenFile: tokenFile } }
        : {}),
      kubernetes: {
        clusterLocatorMethods: [{ type: 'config', clusters }, ...extra],
      },
    }),
  );
}

const base = { url: 'https://eks.example:443/' };

describe('readClusters', () => {
  it('reads a serviceAccount cluster with its token, without the trailing slash', () => {
    const { clusters, unsupported } = read([
      {
        ...base,
        name: 'a',
        authProvider: 'serviceAccount',
        serviceAccountToken: 'abc',
      },
    ]);
    expect(unsupported).toEqual([]);
    expect(clusters).toEqual([
      expect.objectContaining({
        name: 'a',
        url: 'https://eks.example:443',
        auth: { provider: 'serviceAccount', token: 'abc' },
        configKey: 'kubernetes.clusterLocatorMethods[0].clusters[0]',
      }),
    ]);
  });

  it('reports a missing authProvider as an error for that cluster, not a default', () => {
    const { clusters, unsupported } = read([
      { ...base, name: 'no-provider', serviceAccountToken: 'abc' },
    ]);
    expect(clusters).toEqual([]);
    expect(unsupported).toEqual([
      {
        name: 'no-provider',
        locator: 'config',
        configKey:
          'kubernetes.clusterLocatorMethods[0].clusters[0].authProvider',
        reason: expect.stringContaining(
          "cluster 'no-provider' has no authProvider (Backstage requires one): set " +
            'kubernetes.clusterLocatorMethods[0].clusters[0].authProvider to serviceAccount or aws',
        ),
      },
    ]);
  });

  it('names an unsupported authProvider and locator type with the key to change', () => {
    const { clusters, unsupported } = read(
      [
        { ...base, name: 'ok', authProvider: 'aws' },
        { ...base, name: 'gke-prod', authProvider: 'google' },
      ],
      [{ type: 'catalog' }],
    );
    expect(clusters.map(c => c.name)).toEqual(['ok']);
    expect(unsupported).toEqual([
      {
        name: 'gke-prod',
        locator: 'config',
        authProvider: 'google',
        configKey:
          'kubernetes.clusterLocatorMethods[0].clusters[1].authProvider',
        reason:
          "cluster 'gke-prod': authProvider 'google' is not supported here " +
          '(kubernetes.clusterLocatorMethods[0].clusters[1].authProvider): use serviceAccount or aws',
      },
      {
        locator: 'catalog',
        configKey: 'kubernetes.clusterLocatorMethods[1].type',
        reason: expect.stringContaining(
          "cluster locator type 'catalog' is not supported here (kubernetes.clusterLocatorMethods[1].type)",
        ),
      },
    ]);
  });

  it('takes the AWS keys Backstage uses, authMetadata over the top-level ones', () => {
    const { clusters } = read([
      {
        ...base,
        name: 'eks-prod',
        authProvider: 'aws',
        assumeRole: 'arn:aws:iam::1:role/top',
        authMetadata: {
          'kubernetes.io/aws-assume-role': 'arn:aws:iam::1:role/portal',
          'kubernetes.io/aws-external-id': 'ext-1',
          'kubernetes.io/x-k8s-aws-id': 'prod-cluster',
        },
      },
      { ...base, name: 'eks-dev', authProvider: 'aws', externalId: 'ext-2' },
      {
        ...base,
        name: 'by-metadata',
        authMetadata: { 'kubernetes.io/auth-provider': 'aws' },
      },
    ]);
    expect(clusters.map(c => c.auth)).toEqual([
      {
        provider: 'aws',
        clusterId: 'prod-cluster',
        assumeRole: 'arn:aws:iam::1:role/portal',
        externalId: 'ext-1',
      },
      {
        provider: 'aws',
        clusterId: 'eks-dev',
        assumeRole: undefined,
        externalId: 'ext-2',
      },
      {
        provider: 'aws',
        clusterId: 'by-metadata',
        assumeRole: undefined,
        externalId: undefined,
      },
    ]);
  });

  it("uses the pod's own token file for serviceAccount without a token, and says so when there is none", () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'pod-token');
    const inPod = read(
      [{ ...base, name: 'self', authProvider: 'serviceAccount' }],
      [],
      tokenFile,
    );
    expect(inPod.clusters[0].auth).toEqual({
      provider: 'serviceAccount',
      tokenFile,
    });

    const outside = read(
      [{ ...base, name: 'self', authProvider: 'serviceAccount' }],
      [],
      join(dir, 'missing'),
    );
    expect(outside.clusters).toEqual([]);
    expect(outside.unsupported[0]).toMatchObject({
      name: 'self',
      authProvider: 'serviceAccount',
      configKey:
        'kubernetes.clusterLocatorMethods[0].clusters[0].serviceAccountToken',
      reason: expect.stringContaining('does not exist'),
    });
  });

  it('reports a cluster without a name or url, and a duplicate name', () => {
    const { clusters, unsupported } = read([
      { url: base.url, authProvider: 'aws' },
      { name: 'no-url', authProvider: 'aws' },
      { ...base, name: 'twice', authProvider: 'aws' },
      { ...base, name: 'twice', authProvider: 'aws' },
    ]);
    expect(clusters.map(c => c.name)).toEqual(['twice']);
    expect(unsupported.map(u => u.configKey)).toEqual([
      'kubernetes.clusterLocatorMethods[0].clusters[0].name',
      'kubernetes.clusterLocatorMethods[0].clusters[1].url',
      'kubernetes.clusterLocatorMethods[0].clusters[3].name',
    ]);
  });
});
