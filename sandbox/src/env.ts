/**
 * Connection settings of the running sandbox, as `scripts/sandbox env` prints them.
 * Integration tests call this; reading a setting fails with the command to run when
 * the sandbox (or the part that provides it) is down. Settings are read when used, so a
 * test of one part does not need the others.
 */
export function sandboxEnv() {
  const read = (name: string, part: string) => {
    const value = process.env[name];
    if (!value) {
      throw new Error(
        `${name} is not set: start the sandbox with "scripts/sandbox up ${part}" and ` +
          `export its settings with: eval "$(scripts/sandbox env)"`,
      );
    }
    return value;
  };
  return {
    get kafkaBrokers() {
      return read('SANDBOX_KAFKA_BROKERS', 'kafka').split(',');
    },
    get kafkaLib() {
      return read('SANDBOX_KAFKA_LIB', 'kafka');
    },
    get postgresUrl() {
      return read('SANDBOX_PG_URL', 'postgres');
    },
    get vectorUrl() {
      return read('SANDBOX_VECTOR_URL', 'vector');
    },
    /** PostgreSQL 15's database `vectors`, with the pgvector extension created. */
    get pgVectorUrl() {
      return read('SANDBOX_PG_VECTOR_URL', 'postgres');
    },
    get redisUrl() {
      return read('SANDBOX_REDIS_URL', 'redis');
    },
    /** nginx in front of the portal's two replicas. */
    get portalUrl() {
      return read('SANDBOX_PORTAL_URL', 'nginx');
    },
    /** The nginx binary the nginx part runs. */
    get nginxBin() {
      return read('SANDBOX_NGINX', 'nginx');
    },
    /** The sandbox's OpenID Provider and its client for the portal. */
    get oidc() {
      return {
        issuer: read('SANDBOX_OIDC_ISSUER', 'idp'),
        clientId: read('SANDBOX_OIDC_CLIENT_ID', 'idp'),
        clientSecret: read('SANDBOX_OIDC_CLIENT_SECRET', 'idp'),
        password: read('SANDBOX_OIDC_PASSWORD', 'idp'),
      };
    },
    get cli() {
      return read('SANDBOX_CLI', '');
    },
    get modelUrl() {
      return read('SANDBOX_MODEL_URL', 'model');
    },
    get prometheusUrl() {
      return read('SANDBOX_PROMETHEUS_URL', 'metrics');
    },
    /** Alertmanager, receiving what the metrics part's Prometheus fires. */
    get alertmanagerUrl() {
      return read('SANDBOX_ALERTMANAGER_URL', 'alertmanager');
    },
    /** The sandbox's Kubernetes API server and the kubeconfig of each identity. */
    get k8s() {
      return {
        url: read('SANDBOX_K8S_URL', 'k8s'),
        caFile: read('SANDBOX_K8S_CA', 'k8s'),
        kubectl: read('SANDBOX_KUBECTL', 'k8s'),
        kubeconfigs: {
          admin: read('SANDBOX_K8S_KUBECONFIG', 'k8s'),
          portal: read('SANDBOX_K8S_PORTAL_KUBECONFIG', 'k8s'),
          restricted: read('SANDBOX_K8S_RESTRICTED_KUBECONFIG', 'k8s'),
          viewer: read('SANDBOX_K8S_VIEWER_KUBECONFIG', 'k8s'),
        },
      };
    },
    /**
     * The second cluster (part `helix`): the on-prem k3s cluster, kube-apiserver on kine +
     * SQLite, with the same identities as `k8s`.
     */
    get helix() {
      return {
        url: read('SANDBOX_HELIX_URL', 'helix'),
        caFile: read('SANDBOX_HELIX_CA', 'helix'),
        kubeconfigs: {
          admin: read('SANDBOX_HELIX_KUBECONFIG', 'helix'),
          portal: read('SANDBOX_HELIX_PORTAL_KUBECONFIG', 'helix'),
          restricted: read('SANDBOX_HELIX_RESTRICTED_KUBECONFIG', 'helix'),
          viewer: read('SANDBOX_HELIX_VIEWER_KUBECONFIG', 'helix'),
        },
      };
    },
  };
}
