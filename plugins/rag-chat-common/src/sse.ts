import { ChatStreamEvent } from './types';

/**
 * Incremental parser of a server-sent-event stream (the `text/event-stream`
 * format): feed it text as it arrives, get complete events back.
 */
export class SseParser {
  private buffer = '';

  /** Adds received text; returns the events it completed. */
  push(text: string): Array<{ event: string; data: string }> {
    this.buffer += text.replace(/\r\n?/g, '\n');
    const events: Array<{ event: string; data: string }> = [];
    let end = this.buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) {
        events.push({ event, data: data.join('\n') });
      }
      end = this.buffer.indexOf('\n\n');
    }
    return events;
  }
}

/** Turns one parsed SSE event of the chat stream into its typed form. */
export function toChatStreamEvent(raw: {
  event: string;
  data: string;
}): ChatStreamEvent | undefined {
  const payload = JSON.parse(raw.data);
  switch (raw.event) {
    case 'start':
    case 'delta':
    case 'notice':
    case 'done':
    case 'error':
      return { ...payload, type: raw.event } as ChatStreamEvent;
    default:
      return undefined;
  }
}

/** One event of the chat stream in the SSE wire format. */
export function formatChatStreamEvent(event: ChatStreamEvent): string {
  const { type, ...payload } = event;
  return `event: ${type}\ndata: ${JSON.stringify(payload)}\n\n`;
}
