export { ControlPlanePanel } from './ControlPlanePanel';
