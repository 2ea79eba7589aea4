import { passage } from '../__testUtils__/fixtures';
import { answerPieces, extractiveAnswer } from './fallback';

describe('extractiveAnswer', () => {
  it('quotes the sentences that share most terms with the question, cited', () => {
    const answer = extractiveAnswer('How many Kafka brokers are there?', [
      passage(
        1,
        'The platform runs on EKS. The Kafka cluster has three brokers. Topics have six partitions.',
      ),
      passage(2, 'Model servers run on GPU nodes.'),
    ]);
    expect(answer).toContain('Doc 1: The Kafka cluster has three brokers. [1]');
    expect(answer).toContain('[2]');
  });
});

describe('answerPieces', () => {
  it('streams an answer line by line, losing nothing', () => {
    const text =
      'From the indexed sources:\n\n- Doc 1: Three brokers. [1]\n- Doc 2: x. [2]';
    expect(answerPieces(text)).toEqual([
      'From the indexed sources:\n',
      '\n',
      '- Doc 1: Three brokers. [1]\n',
      '- Doc 2: x. [2]',
    ]);
  });
});
