export { IdleGpus } from './IdleGpus';
