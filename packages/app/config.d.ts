export interface Config {
  app?: {
    /**
     * A line shown in a thin bar at the top of every page, saying where this portal's
     * figures come from. `scripts/sandbox up` sets it in app-config.local.yaml (the
     * portal then runs on the local sandbox); unset (the default), no bar is shown.
     * @visibility frontend
     */
    sandboxBanner?: string;
  };
}
