// What routing leaves behind: event logs (the what-if sample, unrouted events), oldest first by
// seq, trimmed on every append; and each interest's match count.
import type Database from 'better-sqlite3';
import type { EventLogName, InterestMatchCount, LoggedEvent } from '../store.js';
import { SqliteArea, type Prepare, type SqliteConnection } from './connection.js';

const parseEvent = (json: string) => JSON.parse(json) as LoggedEvent;

/** The log's first seq at or after @sinceMs (events arrive in time order), found by a walk from the
 *  oldest end; at_ms has no index, and a WHERE on it walked the whole log. */
const FIRST_SEQ_SINCE = `coalesce((SELECT seq FROM event_log WHERE log = @log AND at_ms >= @sinceMs ORDER BY seq LIMIT 1), 9007199254740991)`;

const statements = (p: Prepare) => ({
  append: p(`INSERT INTO event_log (log, event_id, at_ms, event) VALUES (?, ?, ?, ?)`),
  // The oldest n go: a walk of those alone from the oldest end.
  trimOldest: p(`DELETE FROM event_log WHERE seq IN (SELECT seq FROM event_log WHERE log = ? ORDER BY seq LIMIT ?)`),
  trimTime: p(`DELETE FROM event_log WHERE log = @log AND seq < ${FIRST_SEQ_SINCE}`),
  addCount: p(`INSERT INTO event_log_counts (log, n) VALUES (?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n`),
  readPage: p(`SELECT event FROM event_log WHERE log = ? AND at_ms >= ? ORDER BY seq DESC LIMIT ? OFFSET ?`).pluck(),
  // Counted in the index alone (a count that read at_ms would visit every row).
  countSince: p(`SELECT count(*) FROM event_log WHERE log = @log AND seq >= ${FIRST_SEQ_SINCE}`).pluck(),
  count: p(`SELECT coalesce((SELECT n FROM event_log_counts WHERE log = ?), 0)`).pluck(),
  // By the id index: left to itself, SQLite walked the whole log in seq order to skip the sort.
  readById: p(`SELECT event FROM event_log INDEXED BY event_log_id WHERE log = ? AND event_id IN (SELECT value FROM json_each(?)) AND at_ms >= ?
    ORDER BY seq DESC`).pluck(),
  remove: p(`DELETE FROM event_log WHERE log = ? AND event_id = ?`),
  addMatches: p(`INSERT INTO interest_matches (queue, interest, count, last_match_ms) VALUES (?, ?, ?, ?)
    ON CONFLICT (queue, interest) DO UPDATE SET count = count + excluded.count, last_match_ms = max(last_match_ms, excluded.last_match_ms)`),
  matches: p(`SELECT queue, interest, count, last_match_ms AS lastMatchMs FROM interest_matches`),
});

export class SqliteRoutingRecords extends SqliteArea<ReturnType<typeof statements>> {
  constructor(c: SqliteConnection) {
    super(c, statements);
  }

  appendEvents(log: EventLogName, events: readonly LoggedEvent[], keep: { count: number; sinceMs: number }): Promise<void> {
    return this.write(() => {
      for (const e of events) this.st.append.run(log, e.eventId, e.atMs, JSON.stringify(e));
      const over = (this.st.count.get(log) as number) + events.length - keep.count;
      const dropped = (over > 0 ? this.st.trimOldest.run(log, over).changes : 0) + this.st.trimTime.run({ log, sinceMs: keep.sinceMs }).changes;
      if (events.length || dropped) this.st.addCount.run(log, events.length - dropped);
    });
  }

  /** holding: texts the event's JSON must hold, searched in C before any event is parsed. */
  readEvents(log: EventLogName, sinceMs: number, holding: readonly string[] = []): Promise<LoggedEvent[]> {
    return this.run(() => (this.readHolding(holding.length).all(log, sinceMs, ...holding) as string[]).map(parseEvent));
  }

  /** The read for n held texts (none: every event since), prepared once per n. */
  private readonly reads = new Map<number, Database.Statement>();
  private readHolding(n: number): Database.Statement {
    let st = this.reads.get(n);
    if (!st) {
      const holds = Array.from({ length: n }, () => ' AND instr(event, ?) > 0').join('');
      this.reads.set(n, (st = this.db.prepare(`SELECT event FROM event_log WHERE log = ? AND at_ms >= ?${holds} ORDER BY seq DESC`).pluck()));
    }
    return st;
  }

  readEventsById(log: EventLogName, sinceMs: number, eventIds: readonly string[]): Promise<LoggedEvent[]> {
    return this.run(() => (this.st.readById.all(log, JSON.stringify(eventIds), sinceMs) as string[]).map(parseEvent));
  }

  readEventsPage(log: EventLogName, sinceMs: number, limit: number, offset: number) {
    return this.run(() => this.db.transaction(() => ({
      total: this.st.countSince.get({ log, sinceMs }) as number,
      events: (this.st.readPage.all(log, sinceMs, limit, offset) as string[]).map(parseEvent),
    }))());
  }

  countEvents(log: EventLogName): Promise<number> {
    return this.run(() => this.st.count.get(log) as number);
  }

  /** A part a commit: removing all 100,000 kept in one held every other request about half a second. */
  async removeEvents(log: EventLogName, eventIds: readonly string[]): Promise<string[]> {
    return (await this.writeInParts(eventIds, (part) => {
      const removed = part.filter((id) => this.st.remove.run(log, id).changes > 0);
      if (removed.length) this.st.addCount.run(log, -removed.length);
      return removed;
    })).flat();
  }

  addInterestMatches(counts: readonly InterestMatchCount[]): Promise<void> {
    return this.write(() => { for (const m of counts) this.st.addMatches.run(m.queue, m.interest, m.count, m.lastMatchMs); });
  }

  interestMatches(): Promise<InterestMatchCount[]> {
    return this.run(() => this.st.matches.all() as InterestMatchCount[]);
  }
}
