export { UnreadNotice, asLines } from './UnreadNotice';
