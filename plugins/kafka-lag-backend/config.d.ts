export interface Config {
  /**
   * Kafka clusters, in the shape that Backstage's community Kafka plugin uses.
   */
  kafka?: {
    /** Client id the portal uses towards the brokers. Default: backstage-kafka-lag. */
    clientId?: string;
    clusters?: Array<{
      /** Cluster name, as used in the kafka.apache.org/consumer-groups annotation. */
      name: string;
      /** Bootstrap brokers, host:port. */
      brokers: string[];
      /** TLS: true, or node TLS options. */
      ssl?:
        | boolean
        | {
            ca?: string[];
            /** @visibility secret */
            key?: string;
            cert?: string;
            rejectUnauthorized?: boolean;
          };
      sasl?: {
        mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
        username: string;
        /** @visibility secret */
        password: string;
      };
    }>;
  };
  kafkaLag?: {
    /** Seconds between two samples of each cluster. Default: 15. */
    sampleIntervalSeconds?: number;
    /**
     * Longest a sampling of one cluster may run, in seconds. Sampling is a global task
     * (one replica at a time); when the replica running it dies, another takes it over
     * after this long, and a refresh still unanswered then is given up (its connections
     * dropped, the cluster marked stale). Default: 60.
     */
    sampleTimeoutSeconds?: number;
    /** Number of samples that a status is evaluated over (Burrow's window). Default: 10. */
    statusWindow?: number;
    /**
     * Hours of full offset snapshots kept (in the database, and in each replica's
     * memory as read from it), so lag in seconds survives a restart. Default: 1.
     */
    snapshotRetentionHours?: number;
    /** Hours of per-group lag history kept for charts. Default: 168 (7 days). */
    historyRetentionHours?: number;
  };
}
