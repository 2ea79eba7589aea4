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
  auth?: {
    providers?: {
      /**
       * Guest sign-in (app-config.yaml, development only). Only that the key is present
       * reaches the frontend, which then offers guest sign-in; its settings stay in the
       * backend.
       * @visibility frontend
       */
      guest?: {};
      /**
       * Sign-in through the platform's OpenID Provider (app-config.production.yaml). Only
       * that the key is present reaches the frontend, which then offers "Sign in with the
       * platform's identity provider"; the settings under it (client id and secret) stay in
       * the backend.
       * @visibility frontend
       */
      oidc?: {};
    };
  };
}
