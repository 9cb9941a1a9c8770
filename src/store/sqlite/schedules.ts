// Schedules: one row each; a firing is recorded by compare-and-set of its last tick.
import type { ScheduleDefinition, ScheduleFiring, ScheduleRecord } from '../store.js';
import { toSchedule, type ScheduleRow } from './rows.js';
import { SqliteArea, type SqliteConnection } from './connection.js';

export class SqliteSchedules extends SqliteArea {
  constructor(c: SqliteConnection) {
    super(c);
  }

  putSchedule(def: ScheduleDefinition, nowMs: number) {
    return this.write(() => {
      const created = !this.db.prepare(`SELECT 1 FROM schedules WHERE name = ?`).pluck().get(def.name);
      return { created, schedule: toSchedule(this.db.prepare(`INSERT INTO schedules (name, cron, timezone, event, paused, created_at_ms, updated_at_ms, last_tick_ms)
      VALUES (@name, @cron, @timezone, @event, @paused, @nowMs, @nowMs, @nowMs)
      ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone, event = excluded.event,
        paused = excluded.paused, updated_at_ms = excluded.updated_at_ms, last_tick_ms = MAX(last_tick_ms, excluded.last_tick_ms)
      RETURNING *`).get({ ...def, event: JSON.stringify(def.event), paused: Number(def.paused), nowMs }) as ScheduleRow) };
    });
  }

  getSchedule(name: string): Promise<ScheduleRecord | null> {
    return this.run(() => {
      const r = this.db.prepare(`SELECT * FROM schedules WHERE name = ?`).get(name) as ScheduleRow | undefined;
      return r ? toSchedule(r) : null;
    });
  }

  listSchedules(): Promise<ScheduleRecord[]> {
    return this.run(() => (this.db.prepare(`SELECT * FROM schedules ORDER BY name`).all() as ScheduleRow[]).map(toSchedule));
  }

  deleteSchedule(name: string): Promise<boolean> {
    return this.write(() => this.db.prepare(`DELETE FROM schedules WHERE name = ?`).run(name).changes === 1);
  }

  setSchedulePaused(name: string, paused: boolean, nowMs: number): Promise<ScheduleRecord | null> {
    return this.write(() => {
      const r = this.db.prepare(`UPDATE schedules SET paused = @paused, updated_at_ms = @nowMs,
        last_tick_ms = CASE WHEN @paused = 0 AND paused = 1 THEN MAX(last_tick_ms, @nowMs) ELSE last_tick_ms END
        WHERE name = @name RETURNING *`).get({ name, paused: Number(paused), nowMs }) as ScheduleRow | undefined;
      return r ? toSchedule(r) : null;
    });
  }

  recordScheduleFiring(name: string, fromTickMs: number, f: ScheduleFiring): Promise<boolean> {
    return this.write(() => this.db.prepare(`UPDATE schedules SET last_tick_ms = @lastTickMs, last_fired_at_ms = @lastFiredAtMs,
      last_event_id = @lastEventId, last_missed_ticks = @lastMissedTicks WHERE name = @name AND last_tick_ms = @fromTickMs
      AND (@lastEventId IS NOT NULL OR paused = 0)`)
      .run({ name, fromTickMs, ...f }).changes === 1);
  }
}
