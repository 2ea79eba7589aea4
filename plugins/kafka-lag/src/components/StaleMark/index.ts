export { StaleMark } from './StaleMark';
