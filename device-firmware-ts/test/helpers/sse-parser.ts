/** One Server-Sent Event: its type (`message` when the block names none) and its data lines joined by `\n`. */
export interface SseEvent {
  event: string;
  data: string;
}

export interface SseParser {
  /** Feeds a chunk of the stream (any split); returns the events and comments it completed. */
  push(chunk: string): { events: SseEvent[]; comments: string[] };
}

/**
 * The test helpers' one SSE reader, after the HTML event-stream rules: lines end with LF, CRLF
 * or CR; a blank line ends an event; `field: value` loses one space after the colon; several
 * `data` lines join with LF; a block without data is no event; lines starting with `:` are comments.
 */
export function createSseParser(): SseParser {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  // The last chunk ended with CR: an LF opening this one is the rest of that CRLF.
  let afterCr = false;
  return {
    push(chunk) {
      buffer += afterCr && chunk.startsWith('\n') ? chunk.slice(1) : chunk;
      afterCr = false;
      const events: SseEvent[] = [];
      const comments: string[] = [];
      for (;;) {
        const m = /\r\n|\r|\n/.exec(buffer);
        if (!m) break;
        if (m[0] === '\r' && m.index === buffer.length - 1) afterCr = true;
        const line = buffer.slice(0, m.index);
        buffer = buffer.slice(m.index + m[0].length);
        if (line === '') {
          if (data.length > 0) events.push({ event: event || 'message', data: data.join('\n') });
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) {
          comments.push(line.slice(1).replace(/^ /, ''));
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      return { events, comments };
    },
  };
}
