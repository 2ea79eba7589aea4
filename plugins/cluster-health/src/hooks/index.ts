export { usePanel, REFRESH_MS } from './usePanel';
