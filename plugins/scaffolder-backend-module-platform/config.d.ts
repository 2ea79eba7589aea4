export interface Config {
  /** The platform's scaffolder actions. */
  platformScaffolder?: {
    /**
     * Where `platform:publish:local` copies the files a template generated, when there is no
     * GitHub (local runs, the sandbox, CI), on the machine that ran the task; the entities
     * themselves go to the catalog's database. Default: ~/.cache/platform-portal/scaffolded.
     */
    localPublishDirectory?: string;
    /**
     * Seconds between two full updates of the catalog from the published entities' table
     * (a global task: once across replicas). Each publish reaches the catalog at once
     * anyway. Default: 30.
     */
    publishedEntitiesRefreshSeconds?: number;
    /** Longest wait, in seconds, for a Deployment to become available. Default 120. */
    rolloutTimeoutSeconds?: number;
  };
}
