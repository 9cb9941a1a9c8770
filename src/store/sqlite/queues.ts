// Interests, queue policy, deleting and purging a queue.
import type { InterestChange, InterestChangeBy, InterestMap, QueuePolicy } from '../store.js';
import { toPolicy, POLICY_COLUMNS, type QueueRow } from './rows.js';
import { SqliteArea, ROWS_PER_COMMIT, type Prepare, type SqliteConnection } from './connection.js';

/** The statements this area prepares, besides the connection's shared ones. */
const statements = (p: Prepare) => ({
  queuesWithInterests: p(`SELECT queue, interests FROM queues WHERE interests IS NOT NULL ORDER BY queue`),
  setInterests: p(`UPDATE queues SET interests = ? WHERE queue = ?`),
  clearInterests: p(`UPDATE queues SET interests = NULL WHERE queue = ? AND interests IS NOT NULL`),
  queueExists: p(`SELECT 1 FROM queues WHERE queue = ?`).pluck(),
  lastWaitingSeq: p(`SELECT coalesce(max(seq), 0) FROM tasks WHERE queue = ? AND state IN ('scheduled', 'ready')`).pluck(),
  // The oldest waiting tasks after @after, of both states together (a task that comes due meanwhile
  // is still found), up to @upTo.
  deleteWaitingOfQueue: p(`DELETE FROM tasks WHERE seq IN (SELECT seq FROM (
      SELECT * FROM (SELECT seq FROM tasks WHERE queue = @queue AND state = 'scheduled' AND seq > @after AND seq <= @upTo ORDER BY seq LIMIT ${ROWS_PER_COMMIT})
      UNION ALL
      SELECT * FROM (SELECT seq FROM tasks WHERE queue = @queue AND state = 'ready' AND seq > @after AND seq <= @upTo ORDER BY seq LIMIT ${ROWS_PER_COMMIT}))
    ORDER BY seq LIMIT ${ROWS_PER_COMMIT}) RETURNING seq, state`),
  deleteQueue: p(`DELETE FROM queues WHERE queue = ?`),
  addChange: p(`INSERT OR REPLACE INTO interest_history (queue, revision, interests, who, at_ms, rollback_of) VALUES (?, ?, ?, ?, ?, ?)`),
  changes: p(`SELECT * FROM interest_history WHERE queue = ? ORDER BY revision DESC LIMIT ? OFFSET ?`),
  countChanges: p(`SELECT COUNT(*) FROM interest_history WHERE queue = ?`).pluck(),
  change: p(`SELECT * FROM interest_history WHERE queue = ? AND revision = ?`),
});

interface ChangeRow { queue: string; revision: number; interests: string | null; who: string | null; at_ms: number; rollback_of: number | null }
const toChange = (r: ChangeRow): InterestChange => ({
  queue: r.queue, revision: r.revision, interests: r.interests === null ? null : JSON.parse(r.interests) as InterestMap, who: r.who, atMs: r.at_ms, rollbackOf: r.rollback_of,
});

export class SqliteQueues extends SqliteArea<ReturnType<typeof statements>> {
  constructor(c: SqliteConnection) {
    super(c, statements);
  }

  interestsRevision(): Promise<number> {
    return this.run(() => this.st.revision.get() as number);
  }

  loadInterests() {
    return this.run(() => this.db.transaction(() => ({
      revision: this.st.revision.get() as number,
      queues: (this.st.queuesWithInterests.all() as { queue: string; interests: string }[])
        .map((r) => ({ queue: r.queue, interests: JSON.parse(r.interests) as InterestMap })),
    }))());
  }

  setInterests(queue: string, interests: InterestMap, nowMs: number, by: InterestChangeBy = { who: null }) {
    return this.write(() => {
      const created = this.st.ensureQueue.run(queue, nowMs).changes === 1;
      const text = JSON.stringify(interests);
      this.st.setInterests.run(text, queue);
      const revision = this.st.bumpRevision.get() as number;
      this.st.addChange.run(queue, revision, text, by.who, nowMs, by.rollbackOf ?? null);
      return { revision, created };
    });
  }

  removeInterests(queue: string, nowMs: number, by: InterestChangeBy = { who: null }): Promise<boolean> {
    return this.write(() => {
      if (!this.st.queueExists.get(queue)) return false;
      if (this.st.clearInterests.run(queue).changes === 1) {
        this.st.addChange.run(queue, this.st.bumpRevision.get() as number, null, by.who, nowMs, by.rollbackOf ?? null);
      }
      return true;
    });
  }

  interestHistory(queue: string, limit: number, offset: number) {
    return this.run(() => this.db.transaction(() => ({
      total: this.st.countChanges.get(queue) as number,
      changes: (this.st.changes.all(queue, limit, offset) as ChangeRow[]).map(toChange),
    }))());
  }

  interestChange(queue: string, revision: number): Promise<InterestChange | null> {
    return this.run(() => {
      const r = this.st.change.get(queue, revision) as ChangeRow | undefined;
      return r ? toChange(r) : null;
    });
  }

  getQueuePolicy(queue: string): Promise<QueuePolicy | null> {
    return this.run(() => {
      const q = this.st.queue.get(queue) as QueueRow | undefined;
      return q ? toPolicy(q) : null;
    });
  }

  updateQueuePolicy(queue: string, patch: Partial<QueuePolicy>, nowMs: number) {
    return this.write(() => {
      const created = this.st.ensureQueue.run(queue, nowMs).changes === 1;
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [field, column] of Object.entries(POLICY_COLUMNS) as [keyof QueuePolicy, string][]) {
        if (patch[field] === undefined) continue;
        sets.push(`${column} = ?`);
        const v = patch[field];
        values.push(typeof v === 'boolean' ? Number(v) : v);
      }
      // A new rate starts with a full bucket of one second's worth.
      if (patch.rateLimit !== undefined) sets.push('rate_tokens = NULL', 'rate_refilled_at_ms = NULL');
      if (sets.length) this.db.prepare(`UPDATE queues SET ${sets.join(', ')} WHERE queue = ?`).run(...values, queue);
      return { policy: toPolicy(this.st.queue.get(queue) as QueueRow), created };
    });
  }

  async purgeWaitingTasks(queue: string): Promise<number> {
    return (await this.eraseWaiting(queue)).erased;
  }

  async deleteQueue(queue: string): Promise<{ waitingTasksDeleted: number } | null> {
    const { erased, existed } = await this.eraseWaiting(queue, () => this.st.deleteQueue.run(queue).changes === 1);
    return existed || erased > 0 ? { waitingTasksDeleted: erased } : null;
  }

  /** Erases the queue's waiting tasks, ROWS_PER_COMMIT a commit, oldest first, counting each from
   *  the state it was in; in the commit that finds the last of them, also runs `atEnd` (a delete: the
   *  queue's row, answering whether there was one). As on Couchbase, only the tasks that waited when
   *  it began (by arrival) are erased, so a queue that keeps being published to ends. Oldest first,
   *  because SQLite gives a new row the largest seq so far plus one: the newest waiting task stays
   *  until the last commit, so a task published meanwhile always arrives after it. A delete first
   *  clears the queue's interests, in the commit that fixes which tasks it erases: publishes between
   *  its parts route past the queue instead of leaving tasks in it once it is gone. */
  private async eraseWaiting(queue: string, atEnd?: () => boolean): Promise<{ erased: number; existed: boolean }> {
    const upTo = atEnd
      ? await this.write(() => {
        if (this.st.clearInterests.run(queue).changes === 1) this.st.bumpRevision.get();
        return this.st.lastWaitingSeq.get(queue) as number;
      })
      : await this.run(() => this.st.lastWaitingSeq.get(queue) as number);
    const parts = await this.writeParts<{ n: number; lastSeq: number; existed: boolean; last: boolean }>((done) => {
      const after = done.at(-1)?.lastSeq ?? 0;
      const rows = this.st.deleteWaitingOfQueue.all({ queue, after, upTo }) as { seq: number; state: 'scheduled' | 'ready' }[];
      for (const r of rows) this.countMoves({ queue, state: r.state }, null, 0);
      const lastSeq = rows.reduce((m, r) => Math.max(m, r.seq), after);
      if (rows.length === ROWS_PER_COMMIT) return { n: rows.length, lastSeq, existed: false, last: false };
      const existed = atEnd?.() ?? false;
      if (atEnd && (existed || done.length > 0 || rows.length > 0)) this.st.bumpRevision.get();
      return { n: rows.length, lastSeq, existed, last: true };
    });
    return { erased: parts.reduce((n, p) => n + p.n, 0), existed: parts.at(-1)!.existed };
  }
}
