export { FitCheck } from './FitCheck';
