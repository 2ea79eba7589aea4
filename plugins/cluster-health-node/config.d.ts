export interface Config {
  /** Cluster health's own settings; the clusters come from `kubernetes.clusterLocatorMethods`. */
  clusterHealth?: {
    /**
     * Node labels that name a node's group, tried in order; the first present wins.
     * Default: eks.amazonaws.com/nodegroup, karpenter.sh/nodepool,
     * cloud.google.com/gke-nodepool, kubernetes.azure.com/agentpool.
     */
    nodeGroupLabels?: string[];
    /** Warning events kept per cluster, newest first. Default 2000. */
    maxEventsPerCluster?: number;
    /** Seconds a watch request stays open before it is renewed. Default 300. */
    watchTimeoutSeconds?: number;
    /**
     * The pod's own service-account token, used for a cluster with `authProvider:
     * serviceAccount` and no `serviceAccountToken`; read again whenever the file changes
     * (the kubelet rotates it). Default /var/run/secrets/kubernetes.io/serviceaccount/token.
     */
    serviceAccountTokenFile?: string;
    /** The control plane view of each cluster (`/readyz`, `/livez`, `/version`, leader Leases). */
    controlPlane?: {
      /** Seconds between two probes of each cluster's control plane. Default 10. */
      intervalSeconds?: number;
    };
  };
}
