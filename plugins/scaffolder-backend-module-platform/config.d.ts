export interface Config {
  /** The platform's scaffolder actions. */
  platformScaffolder?: {
    /**
     * Where `platform:publish:local` writes what a template generated, when there is no
     * GitHub (local runs, the sandbox, CI). Default: ~/.cache/platform-portal/scaffolded.
     */
    localPublishDirectory?: string;
    /** Longest wait, in seconds, for a Deployment to become available. Default 120. */
    rolloutTimeoutSeconds?: number;
  };
}
