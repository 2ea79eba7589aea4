/*
 * Credentials for the clusters of kubernetes.clusterLocatorMethods, as KubeConfig
 * authenticators, so that every request (LIST pages, WATCH starts, the scaffolder's applies)
 * asks for a current token.
 *
 * Why not Backstage's own strategies: `@backstage/plugin-kubernetes-backend` does export
 * `ServiceAccountStrategy` and `AwsIamStrategy`, but only from the backend plugin package
 * (a node library should not depend on another plugin's backend package), and they do not
 * fit: `AwsIamStrategy` presigns with `X-Amz-Expires=0` (aws-iam-authenticator and
 * `aws eks get-token` use 60 s) and signs for `AWS_REGION` or us-east-1 only;
 * `ServiceAccountStrategy` finds the pod's token through `KubeConfig.loadFromCluster()`,
 * whose path cannot be set. So the two are written here with the same AWS SDK parts
 * (`@smithy/signature-v4`, the default credential chain of `@aws-sdk/credential-providers`)
 * and the same `authMetadata` keys (`@backstage/plugin-kubernetes-common`).
 */
import { promises as fs } from 'node:fs';
import https from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  fromNodeProviderChain,
  fromTemporaryCredentials,
} from '@aws-sdk/credential-providers';
import { KubeConfig, User } from '@kubernetes/client-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { KubeCredentialsError } from './errors';
import { ClusterAuth, ClusterConfig } from './types';

/** Where a pod's projected service-account token is mounted. */
export const IN_CLUSTER_TOKEN_PATH =
  '/var/run/secrets/kubernetes.io/serviceaccount/token';

const TOKEN_FILE_PROVIDER = 'platform-portal-token-file';
const AWS_PROVIDER = 'platform-portal-aws';

/** What KubeConfig.addAuthenticator takes (client-node does not export the type). */
interface Authenticator {
  isAuthProvider(user: User): boolean;
  applyAuthentication(
    user: User,
    opts: { headers?: Record<string, any> },
  ): Promise<void>;
}

/**
 * The pod's own token, read again whenever the file changes (the kubelet rotates projected
 * tokens by swapping the mounted file), checked on every request.
 */
class TokenFileAuthenticator implements Authenticator {
  private cached?: { mtimeMs: number; size: number; token: string };

  constructor(private readonly path: string, private readonly hint: string) {}

  isAuthProvider(user: User) {
    return user.authProvider?.name === TOKEN_FILE_PROVIDER;
  }

  async applyAuthentication(
    _user: User,
    opts: { headers?: Record<string, any> },
  ) {
    let token: string;
    try {
      const stat = await fs.stat(this.path);
      if (
        !this.cached ||
        this.cached.mtimeMs !== stat.mtimeMs ||
        this.cached.size !== stat.size
      ) {
        const text = (await fs.readFile(this.path, 'utf8')).trim();
        this.cached = { mtimeMs: stat.mtimeMs, size: stat.size, token: text };
      }
      token = this.cached.token;
    } catch (error) {
      throw new KubeCredentialsError(
        `cannot read the pod's service-account token at ${this.path} (${
          (error as NodeJS.ErrnoException).code ?? (error as Error).message
        }): ${this.hint}`,
      );
    }
    if (!token) {
      throw new KubeCredentialsError(
        `the service-account token file ${this.path} is empty: ${this.hint}`,
      );
    }
    opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
  }
}

/** An EKS token: `k8s-aws-v1.` + base64url of a presigned STS GetCallerIdentity URL. */
export async function eksToken(options: {
  clusterId: string;
  assumeRole?: string;
  externalId?: string;
  /** Default: AWS_REGION or AWS_DEFAULT_REGION; without either, STS's global endpoint. */
  region?: string;
  /** Default: the AWS SDK's default credential chain (env, profile, web identity, IMDS...). */
  credentials?: ReturnType<typeof fromNodeProviderChain>;
  signingDate?: Date;
}): Promise<string> {
  const region =
    options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const hostname = region ? `sts.${region}.amazonaws.com` : 'sts.amazonaws.com';
  const signingRegion = region ?? 'us-east-1';
  const base = options.credentials ?? fromNodeProviderChain();
  const credentials = options.assumeRole
    ? fromTemporaryCredentials({
        masterCredentials: base,
        clientConfig: { region: signingRegion },
        params: {
          RoleArn: options.assumeRole,
          ExternalId: options.externalId,
          RoleSessionName: 'backstage-platform-portal',
        },
      })
    : base;
  const signer = new SignatureV4({
    credentials,
    region: signingRegion,
    service: 'sts',
    sha256: Sha256,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      headers: { host: hostname, 'x-k8s-aws-id': options.clusterId },
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    },
    { expiresIn: 60, signingDate: options.signingDate },
  );
  const query = new URLSearchParams(
    Object.entries(signed.query ?? {}).map(([k, v]) => [k, String(v)]),
  );
  const url = `https://${hostname}/?${query}`;
  return `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`;
}

/**
 * EKS IAM authentication: a fresh presigned token every 10 minutes (EKS accepts one for
 * 15 minutes from its signing time).
 */
class AwsAuthenticator implements Authenticator {
  private cached?: { token: string; until: number };
  private pending?: Promise<string>;
  /** One chain per cluster: the SDK keeps its credentials until they expire. */
  private readonly credentials = fromNodeProviderChain();

  constructor(
    private readonly auth: Extract<ClusterAuth, { provider: 'aws' }>,
    private readonly clusterName: string,
  ) {}

  isAuthProvider(user: User) {
    return user.authProvider?.name === AWS_PROVIDER;
  }

  async applyAuthentication(
    _user: User,
    opts: { headers?: Record<string, any> },
  ) {
    opts.headers = {
      ...opts.headers,
      Authorization: `Bearer ${await this.token()}`,
    };
  }

  private async token(): Promise<string> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.token;
    // The informers of a cluster start together: sign once for all of them.
    this.pending ??= eksToken({ ...this.auth, credentials: this.credentials })
      .then(token => {
        this.cached = { token, until: Date.now() + 10 * 60_000 };
        return token;
      })
      .catch(error => {
        throw new KubeCredentialsError(
          `cannot sign an EKS token for cluster ${this.clusterName}${
            this.auth.assumeRole ? ` as ${this.auth.assumeRole}` : ''
          } (${
            (error as Error).message
          }): give the backend an AWS identity (IRSA or EKS Pod Identity, an instance role, ` +
            `or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) that may assume the role set in ` +
            `authMetadata "kubernetes.io/aws-assume-role"`,
        );
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}

/** What to check when the API server answers 401, for the cluster's auth provider. */
export function credentialsHint(cluster: ClusterConfig): string {
  const at = cluster.configKey
    ? `${cluster.configKey}`
    : 'kubernetes.clusterLocatorMethods';
  switch (cluster.auth.provider) {
    case 'aws':
      return (
        `the EKS token of the backend's AWS identity is not accepted: map it to a Kubernetes ` +
        `user (EKS access entry or aws-auth) or set authMetadata "kubernetes.io/aws-assume-role" at ${at}`
      );
    case 'serviceAccount':
      return 'tokenFile' in cluster.auth
        ? `the pod's own service-account token is not accepted: set serviceAccountToken at ${at}`
        : `the cluster's serviceAccountToken is not accepted: renew it at ${at}.serviceAccountToken`;
    default:
      return `check the credentials at ${at}`;
  }
}

/** A client configuration for one cluster of kubernetes.clusterLocatorMethods. */
export function kubeConfigFor(cluster: ClusterConfig): KubeConfig {
  const kubeConfig = new KubeConfig();
  const auth = cluster.auth;
  let user: User;
  if (auth.provider === 'aws') {
    kubeConfig.addAuthenticator(new AwsAuthenticator(auth, cluster.name));
    user = { name: 'platform-portal', authProvider: { name: AWS_PROVIDER } };
  } else if ('tokenFile' in auth) {
    const at = cluster.configKey ?? 'kubernetes.clusterLocatorMethods';
    kubeConfig.addAuthenticator(
      new TokenFileAuthenticator(
        auth.tokenFile,
        `set serviceAccountToken at ${at} when the backend does not run in the cluster`,
      ),
    );
    user = {
      name: 'platform-portal',
      authProvider: { name: TOKEN_FILE_PROVIDER },
    };
  } else {
    user = { name: 'platform-portal', token: auth.token };
  }
  kubeConfig.loadFromClusterAndUser(
    {
      name: cluster.name,
      server: cluster.url,
      caData: cluster.caData,
      caFile: cluster.caFile,
      skipTLSVerify: cluster.skipTLSVerify,
    },
    user,
  );
  return kubeConfig;
}

/** The Authorization header a request to the cluster carries now (for tests and probes). */
export async function authorizationOf(
  kubeConfig: KubeConfig,
): Promise<string | undefined> {
  const options: https.RequestOptions = { headers: {} };
  await kubeConfig.applyToHTTPSOptions(options);
  return (options.headers as Record<string, string>).Authorization;
}
