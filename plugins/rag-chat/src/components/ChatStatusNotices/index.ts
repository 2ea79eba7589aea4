export { ChatStatusNotices } from './ChatStatusNotices';
