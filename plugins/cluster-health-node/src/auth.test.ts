import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorizationOf, eksToken, kubeConfigFor } from './auth';
import { KubeCredentialsError } from './errors';
import { ClusterConfig } from './types';

// Static test credentials through the default chain's first link (the environment);
// nothing here calls AWS.
const ENV_KEYS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
];
const saved = Object.fromEntries(ENV_KEYS.map(k => [k, process.env[k]]));
beforeEach(() => {
  for (const k of ENV_KEYS) delete process.env[k];
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY =
    'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
});
afterAll(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

/** The presigned URL inside an EKS token. */
function decode(token: string): URL {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  const payload = token.slice('k8s-aws-v1.'.length);
  expect(payload).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  return new URL(Buffer.from(payload, 'base64url').toString('utf8'));
}

const cluster = (auth: ClusterConfig['auth']): ClusterConfig => ({
  name: 'eks-data-platform',
  url: 'https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
  auth,
  configKey: 'kubernetes.clusterLocatorMethods[0].clusters[0]',
  skipTLSVerify: false,
});

describe('eksToken', () => {
  it('presigns STS GetCallerIdentity for the regional endpoint, 60 s, with x-k8s-aws-id signed in', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    const url = decode(await eksToken({ clusterId: 'eks-data-platform' }));
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-SignedHeaders')!.split(';')).toEqual([
      'host',
      'x-k8s-aws-id',
    ]);
    expect(q.get('X-Amz-Credential')).toMatch(
      /^AKIDEXAMPLE\/\d{8}\/eu-west-1\/sts\/aws4_request$/,
    );
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('uses the global endpoint (signed for us-east-1) when no region is set', async () => {
    const url = decode(await eksToken({ clusterId: 'c' }));
    expect(url.host).toBe('sts.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Credential')).toContain(
      '/us-east-1/sts/aws4_request',
    );
  });

  it('signs the cluster id: another id, another signature', async () => {
    const signingDate = new Date('2026-12-01T12:00:00Z');
    const sig = async (clusterId: string) =>
      decode(await eksToken({ clusterId, signingDate })).searchParams.get(
        'X-Amz-Signature',
      );
    expect(await sig('a')).toBe(await sig('a'));
    expect(await sig('a')).not.toBe(await sig('b'));
  });

  it('carries the session token of temporary credentials', async () => {
    process.env.AWS_SESSION_TOKEN = 'session-123';
    const url = decode(await eksToken({ clusterId: 'c' }));
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session-123');
  });
});

describe('kubeConfigFor', () => {
  it('sends an EKS bearer token for authProvider aws, from the default credential chain', async () => {
    const kubeConfig = kubeConfigFor(
      cluster({ provider: 'aws', clusterId: 'prod-cluster' }),
    );
    const header = await authorizationOf(kubeConfig);
    expect(header).toMatch(/^Bearer k8s-aws-v1\./);
    const url = decode(header!.slice('Bearer '.length));
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
  });

  it('names what to set when there is no AWS identity', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const empty = mkdtempSync(join(tmpdir(), 'no-aws-'));
    // No profile files, no IMDS: the chain fails without reaching anything real.
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(empty, 'credentials');
    process.env.AWS_CONFIG_FILE = join(empty, 'config');
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    try {
      const kubeConfig = kubeConfigFor(
        cluster({ provider: 'aws', clusterId: 'c' }),
      );
      const error = await authorizationOf(kubeConfig).catch(e => e);
      expect(error).toBeInstanceOf(KubeCredentialsError);
      expect(error.message).toContain(
        'cannot sign an EKS token for cluster eks-data-platform',
      );
      expect(error.message).toContain('kubernetes.io/aws-assume-role');
      expect(error.message).not.toContain('eks.amazonaws.com');
    } finally {
      delete process.env.AWS_SHARED_CREDENTIALS_FILE;
      delete process.env.AWS_CONFIG_FILE;
      delete process.env.AWS_EC2_METADATA_DISABLED;
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("reads the pod's token file again when it rotates", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sa-token-'));
    const tokenFile = join(dir, 'token');
    try {
      writeFileSync(tokenFile, 'first-token\n');
      const kubeConfig = kubeConfigFor(
        cluster({ provider: 'serviceAccount', tokenFile }),
      );
      expect(await authorizationOf(kubeConfig)).toBe('Bearer first-token');
      expect(await authorizationOf(kubeConfig)).toBe('Bearer first-token');

      writeFileSync(tokenFile, 'second-token');
      // As the kubelet's swap would: a new modification time.
      const later = new Date(Date.now() + 5000);
      utimesSync(tokenFile, later, later);
      expect(await authorizationOf(kubeConfig)).toBe('Bearer second-token');

      rmSync(tokenFile);
      const error = await authorizationOf(kubeConfig).catch(e => e);
      expect(error).toBeInstanceOf(KubeCredentialsError);
      expect(error.message).toContain(
        `cannot read the pod's service-account token at ${tokenFile} (ENOENT)`,
      );
      expect(error.message).toContain(
        'kubernetes.clusterLocatorMethods[0].clusters[0]',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends a configured serviceAccountToken as it is', async () => {
    const kubeConfig = kubeConfigFor(
      cluster({ provider: 'serviceAccount', token: 'static' }),
    );
    expect(await authorizationOf(kubeConfig)).toBe('Bearer static');
  });
});
