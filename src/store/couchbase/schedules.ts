// Schedules: one document holds them all (a handful per installation); a firing is a compare-and-set of the last tick.
import { type ScheduleDefinition, type ScheduleFiring, type ScheduleRecord } from '../store.js';
import { type SchedulesDoc } from './docs.js';
import { CouchbaseArea } from './documents.js';

export class CouchbaseSchedules extends CouchbaseArea {
  private async editSchedules<T>(change: (all: Record<string, ScheduleRecord>) => T): Promise<T> {
    return this.transact(async (u) => {
      const doc = (await u.getForUpdate<SchedulesDoc>(this.keys.schedules())) ?? { schedules: {} };
      const before = JSON.stringify(doc);
      const out = change(doc.schedules);
      if (JSON.stringify(doc) !== before) u.put(this.keys.schedules(), doc);
      return out;
    });
  }

  putSchedule(def: ScheduleDefinition, nowMs: number) {
    return this.editSchedules((all) => {
      const old = all[def.name];
      const rec: ScheduleRecord = old
        ? { ...old, ...def, updatedAtMs: nowMs, lastTickMs: Math.max(old.lastTickMs, nowMs) }
        : { ...def, createdAtMs: nowMs, updatedAtMs: nowMs, lastTickMs: nowMs, lastFiredAtMs: null, lastEventId: null, lastMissedTicks: 0 };
      all[def.name] = rec;
      return { schedule: rec, created: !old };
    });
  }

  async getSchedule(name: string): Promise<ScheduleRecord | null> {
    return (await this.listSchedules()).find((s) => s.name === name) ?? null;
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    return this.guard(async () => {
      const doc = await this.getDoc<SchedulesDoc>(this.keys.schedules());
      return Object.values(doc?.schedules ?? {}).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  deleteSchedule(name: string): Promise<boolean> {
    return this.editSchedules((all) => {
      if (!all[name]) return false;
      delete all[name];
      return true;
    });
  }

  setSchedulePaused(name: string, paused: boolean, nowMs: number): Promise<ScheduleRecord | null> {
    return this.editSchedules((all) => {
      const s = all[name];
      if (!s) return null;
      if (s.paused && !paused) s.lastTickMs = Math.max(s.lastTickMs, nowMs);
      Object.assign(s, { paused, updatedAtMs: nowMs });
      return s;
    });
  }

  recordScheduleFiring(name: string, fromTickMs: number, firing: ScheduleFiring): Promise<boolean> {
    return this.editSchedules((all) => {
      const s = all[name];
      if (!s || s.lastTickMs !== fromTickMs || (firing.lastEventId === null && s.paused)) return false;
      Object.assign(s, firing);
      return true;
    });
  }
}
