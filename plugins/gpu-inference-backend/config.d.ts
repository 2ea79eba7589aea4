export interface Config {
  gpuInference?: {
    prometheus?: {
      /** Prometheus HTTP API base URL, e.g. http://prometheus.monitoring:9090. Unset: use panels say so. */
      baseUrl?: string;
    };
    /** A GPU allocated to a pod and below this utilisation (%) over the window is wasted. Default 10. */
    idleThresholdPercent?: number;
    /** The window of the idle check, a Prometheus duration. Default 30m. */
    idleWindow?: string;
  };
}
