export { useFleet } from './useFleet';
export { useModelServer } from './useModelServer';
