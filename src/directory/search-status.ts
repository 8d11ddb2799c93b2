import type { EventEmitter } from 'node:events';
import { type Client, MessageResponseStatus, SearchResponse } from 'ldapts';

/** A search result code other than success that the server sent. */
export interface SearchStatus {
  status: number;
  diagnostic: string;
}

/**
 * Records the result code of every search response a client receives. ldapts resolves a search
 * that ended with sizeLimitExceeded (4) as a success whenever the request set a size limit, and
 * then hands back the entries with no sign that some are missing. Watching the responses lets the
 * reader see that code and fail the read as incomplete instead.
 *
 * NOTE: this listens on ldapts' private `messageParser` (ldapts 8.2, pinned with `~`). If a
 * release renames it, `attach` throws at connect time rather than letting a limit pass unseen.
 */
export class SearchStatusWatch {
  private readonly statuses: SearchStatus[] = [];

  attach(client: Client): void {
    const parser = (client as unknown as { messageParser?: EventEmitter }).messageParser;
    if (parser === undefined || typeof parser.on !== 'function') {
      throw new Error('ldapts has no messageParser to watch search results; check its version.');
    }
    parser.on('message', (message: unknown) => {
      if (message instanceof SearchResponse && message.status !== MessageResponseStatus.Success) {
        this.statuses.push({ status: message.status, diagnostic: message.errorMessage });
      }
    });
  }

  /** Removes and returns the non-success codes seen since the last call. */
  take(): SearchStatus[] {
    return this.statuses.splice(0, this.statuses.length);
  }
}
