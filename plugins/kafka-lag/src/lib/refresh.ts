/** How often the plugin's views ask the backend again. */
export const REFRESH_MS = 30_000;
