import { groupSearch, parseGroupParam } from './refs';

describe('group query parameter', () => {
  it('round-trips a cluster/group pair', () => {
    const search = groupSearch({ cluster: 'eu', group: 'llm.ingestors' });
    expect(search).toBe('?group=eu%2Fllm.ingestors');
    expect(parseGroupParam(new URLSearchParams(search).get('group'))).toEqual({
      cluster: 'eu',
      group: 'llm.ingestors',
    });
  });

  it.each([[null], [''], ['no-slash'], ['/group'], ['cluster/']])(
    'rejects %p',
    value => {
      expect(parseGroupParam(value)).toBeUndefined();
    },
  );
});
