/** Keeps a table cell's text on one line. */
export const NOWRAP = { whiteSpace: 'nowrap' } as const;
