export { SourceView } from './SourceView';
