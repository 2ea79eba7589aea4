export interface Config {
  gpuInference?: {
    prometheus?: {
      /**
       * Prometheus HTTP API base URL, e.g. http://prometheus.monitoring:9090. Unset: the panels
       * that need it say so. Never shown to users: an unreachable Prometheus is logged with it.
       */
      baseUrl?: string;
    };
    /** A GPU allocated to a pod and below this utilisation (%, 0 to 100) over the window is wasted. Default 10. */
    idleThresholdPercent?: number;
    /**
     * The window of the idle check, a Prometheus duration of one unit: a whole number above 0
     * and ms, s, m, h, d, w or y (e.g. 30m, 2h). Default 30m. Node groups are read from
     * clusterHealth.nodeGroupLabels, as on the cluster health page.
     */
    idleWindow?: string;
  };
}
