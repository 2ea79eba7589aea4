import { parseConsumerGroupsAnnotation } from './annotation';

describe('parseConsumerGroupsAnnotation', () => {
  it('reads a comma-separated list of cluster/group pairs', () => {
    expect(
      parseConsumerGroupsAnnotation(
        'platform-kafka/webapp-consumer, eu/llm.ingestors',
      ),
    ).toEqual([
      { cluster: 'platform-kafka', group: 'webapp-consumer' },
      { cluster: 'eu', group: 'llm.ingestors' },
    ]);
  });

  it.each([['webapp-consumer'], ['a/b/c'], ['a/'], ['a/b c'], ['']])(
    'names the malformed entry %j and the expected shape',
    value => {
      expect(() => parseConsumerGroupsAnnotation(value)).toThrow(
        /<cluster>\/<group>/,
      );
    },
  );
});
