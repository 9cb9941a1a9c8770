// Schedules: one document each, so a firing (a compare-and-set of its last tick) touches only its own
// schedule, and a names document to list them. Installations from before kept every schedule in one
// shared document: the first use in each process moves them out of it, once.
import { type ScheduleDefinition, type ScheduleFiring, type ScheduleRecord } from '../store.js';
import { type ScheduleNamesDoc, type SchedulesDoc } from './docs.js';
import { CouchbaseArea } from './documents.js';
import type { Unit } from './unit.js';

export class CouchbaseSchedules extends CouchbaseArea {
  private movedOut: Promise<void> | null = null;

  /** Moves the schedules of the shared document of old into their own documents (at most once per process). */
  private ready(): Promise<void> {
    this.movedOut ??= (async () => {
      if (!(await this.guard(() => this.getDoc<SchedulesDoc>(this.keys.legacySchedules())))) return;
      await this.transact(async (u) => {
        const old = await u.getForUpdate<SchedulesDoc>(this.keys.legacySchedules());
        if (!old) return;
        const names = await this.names(u);
        for (const s of Object.values(old.schedules)) {
          if (!(await u.get<ScheduleRecord>(this.keys.schedule(s.name)))) u.put(this.keys.schedule(s.name), s);
          if (!names.names.includes(s.name)) names.names.push(s.name);
        }
        u.put(this.keys.scheduleNames(), names);
        u.remove(this.keys.legacySchedules());
      });
    })().catch((e) => { this.movedOut = null; throw e; });
    return this.movedOut;
  }

  private async names(u: Unit): Promise<ScheduleNamesDoc> {
    return (await u.getForUpdate<ScheduleNamesDoc>(this.keys.scheduleNames())) ?? { names: [] };
  }

  /** Changes one schedule in a transaction of its own document, written only if changed; null: no
   *  such schedule. */
  private async edit<T>(name: string, change: (s: ScheduleRecord) => T): Promise<T | null> {
    await this.ready();
    return this.transact(async (u) => {
      const s = await u.getForUpdate<ScheduleRecord>(this.keys.schedule(name));
      if (!s) return null;
      const before = JSON.stringify(s);
      const out = change(s);
      if (JSON.stringify(s) !== before) u.put(this.keys.schedule(name), s);
      return out;
    });
  }

  async putSchedule(def: ScheduleDefinition, nowMs: number) {
    await this.ready();
    return this.transact(async (u) => {
      const old = await u.getForUpdate<ScheduleRecord>(this.keys.schedule(def.name));
      const rec: ScheduleRecord = old
        ? { ...old, ...def, updatedAtMs: nowMs, lastTickMs: Math.max(old.lastTickMs, nowMs) }
        : { ...def, createdAtMs: nowMs, updatedAtMs: nowMs, lastTickMs: nowMs, lastFiredAtMs: null, lastEventId: null, lastMissedTicks: 0 };
      u.put(this.keys.schedule(def.name), rec);
      if (!old) {
        const names = await this.names(u);
        if (!names.names.includes(def.name)) { names.names.push(def.name); u.put(this.keys.scheduleNames(), names); }
      }
      return { schedule: rec, created: !old };
    });
  }

  async getSchedule(name: string): Promise<ScheduleRecord | null> {
    await this.ready();
    return this.guard(() => this.getDoc<ScheduleRecord>(this.keys.schedule(name)));
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    await this.ready();
    return this.guard(async () => {
      const names = (await this.getDoc<ScheduleNamesDoc>(this.keys.scheduleNames()))?.names ?? [];
      const all = await Promise.all(names.map((n) => this.getDoc<ScheduleRecord>(this.keys.schedule(n))));
      return all.filter((s) => s !== null).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  async deleteSchedule(name: string): Promise<boolean> {
    await this.ready();
    return this.transact(async (u) => {
      const s = await u.getForUpdate<ScheduleRecord>(this.keys.schedule(name));
      if (!s) return false;
      u.remove(this.keys.schedule(name));
      const names = await this.names(u);
      names.names = names.names.filter((n) => n !== name);
      u.put(this.keys.scheduleNames(), names);
      return true;
    });
  }

  setSchedulePaused(name: string, paused: boolean, nowMs: number): Promise<ScheduleRecord | null> {
    return this.edit(name, (s) => {
      if (s.paused && !paused) s.lastTickMs = Math.max(s.lastTickMs, nowMs);
      Object.assign(s, { paused, updatedAtMs: nowMs });
      return s;
    });
  }

  async recordScheduleFiring(name: string, fromTickMs: number, firing: ScheduleFiring): Promise<boolean> {
    const recorded = await this.edit(name, (s) => {
      if (s.lastTickMs !== fromTickMs || (firing.lastEventId === null && s.paused)) return false;
      Object.assign(s, firing);
      return true;
    });
    return recorded ?? false;
  }
}
