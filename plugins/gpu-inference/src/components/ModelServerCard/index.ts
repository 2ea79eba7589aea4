export { ModelServerCard } from './ModelServerCard';
