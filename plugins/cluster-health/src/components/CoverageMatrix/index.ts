export { CoverageMatrix } from './CoverageMatrix';
