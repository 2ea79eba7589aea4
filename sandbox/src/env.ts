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
    get cli() {
      return read('SANDBOX_CLI', '');
    },
    get modelUrl() {
      return read('SANDBOX_MODEL_URL', 'model');
    },
    get prometheusUrl() {
      return read('SANDBOX_PROMETHEUS_URL', 'metrics');
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
  };
}
