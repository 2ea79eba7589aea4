import { citedPassages, splitCitations } from './citations';
import { SseParser, formatChatStreamEvent, toChatStreamEvent } from './sse';

describe('splitCitations', () => {
  it('turns [n] and [n, m] into citations of existing passages only', () => {
    expect(
      splitCitations('Kafka has three brokers [1]. Lag [2, 3] or [7]?', 3),
    ).toEqual([
      { type: 'text', text: 'Kafka has three brokers ' },
      { type: 'citation', n: 1 },
      { type: 'text', text: '. Lag ' },
      { type: 'citation', n: 2 },
      { type: 'citation', n: 3 },
      { type: 'text', text: ' or [7]?' },
    ]);
    expect(citedPassages('a [2] b [1] c [2]', 2)).toEqual([2, 1]);
    expect(citedPassages('no citations', 2)).toEqual([]);
  });
});

describe('SseParser', () => {
  it('assembles events split across chunks, in the chat stream format', () => {
    const parser = new SseParser();
    const wire = [
      formatChatStreamEvent({ type: 'delta', text: 'Hel' }),
      ': keep-alive\n\n',
      formatChatStreamEvent({ type: 'delta', text: 'lo\nworld' }),
    ].join('');
    const events = [
      ...parser.push(wire.slice(0, 10)),
      ...parser.push(wire.slice(10, 40)),
      ...parser.push(wire.slice(40)),
    ];
    expect(events.map(toChatStreamEvent)).toEqual([
      { type: 'delta', text: 'Hel' },
      { type: 'delta', text: 'lo\nworld' },
    ]);
  });

  it('reads multi-line data and CRLF line ends', () => {
    const parser = new SseParser();
    expect(parser.push('event: x\r\ndata: a\r\ndata: b\r\n\r\n')).toEqual([
      { event: 'x', data: 'a\nb' },
    ]);
  });
});
