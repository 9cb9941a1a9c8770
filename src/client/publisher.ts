// Publishing: publish() calls made in the same tick go to the broker together as PUT /tasks batches of
// up to 1,000 (each caller gets its own answer), and every event carries an idempotencyKey, so a batch
// retried after a dropped connection stores nothing twice.
import { randomUUID } from 'node:crypto';
import { Connection, type ConnectionOptions } from './connection.js';
import { SwitchyardError } from './errors.js';
import type { PublishEvent, Published } from './types.js';

export interface PublisherOptions extends ConnectionOptions {
  /** The publisher name events carry when they name none. */
  publisher?: string;
  /** Events a request carries at most (1,000, the broker's limit). */
  maxBatch?: number;
}

type Pending = { event: PublishEvent; resolve: (p: Published) => void; reject: (e: unknown) => void };

export class Publisher {
  readonly connection: Connection;
  private pending: Pending[] = [];
  /** PUT /tasks requests made so far (a test counts them). */
  requests = 0;

  constructor(private readonly opts: PublisherOptions = {}) {
    this.connection = new Connection(opts);
  }

  /** Publishes one event; calls in the same tick share a request. */
  publish(event: Omit<PublishEvent, 'publisher'> & { publisher?: string }): Promise<Published> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ event: this.complete(event), resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  /** Publishes many events, in batches of up to 1,000; answers in the same order. */
  publishMany(events: (Omit<PublishEvent, 'publisher'> & { publisher?: string })[]): Promise<Published[]> {
    return Promise.all(events.map((e) => this.publish(e)));
  }

  private complete(event: Omit<PublishEvent, 'publisher'> & { publisher?: string }): PublishEvent {
    const publisher = event.publisher ?? this.opts.publisher;
    if (!publisher) throw new TypeError('an event needs a publisher (or give Publisher one)');
    return { ...event, publisher, idempotencyKey: event.idempotencyKey ?? randomUUID() };
  }

  private flush(): void {
    const all = this.pending;
    this.pending = [];
    const most = Math.min(1000, Math.max(1, this.opts.maxBatch ?? 1000));
    for (let i = 0; i < all.length; i += most) void this.send(all.slice(i, i + most));
  }

  private async send(batch: Pending[]): Promise<void> {
    try {
      this.requests++;
      const { events } = await this.connection.request<{ events: Published[] }>('PUT', '/tasks', { body: { events: batch.map((p) => p.event) } });
      batch.forEach((p, i) => p.resolve(events[i]!));
    } catch (e) {
      // A batch is all or nothing: when one event is refused, each is sent alone for its own answer.
      if (batch.length > 1 && e instanceof SwitchyardError && e.status < 500 && e.status !== 429) {
        for (const p of batch) void this.send([p]);
        return;
      }
      for (const p of batch) p.reject(e);
    }
  }
}
