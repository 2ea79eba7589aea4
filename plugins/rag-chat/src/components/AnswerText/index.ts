export { AnswerText, passageName } from './AnswerText';
