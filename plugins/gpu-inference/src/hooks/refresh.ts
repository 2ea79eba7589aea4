/** How often the page and the card ask the backend again. */
export const REFRESH_MS = 15_000;
