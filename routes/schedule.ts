// Schedules: PUT /schedule creates or replaces, GET /schedule lists (or ?name= one), PATCH /schedule
// pauses or resumes, DELETE /schedule?name= removes.
import { Router } from 'express';
import type { Broker } from '../src/broker/index.js';
import type { ScheduleView } from '../src/broker/schedules.js';
import { validator } from './validate.js';
import { listSchedulesQuerySchema, patchScheduleSchema, putScheduleSchema, scheduleNameQuerySchema } from './schedule.schema.js';

const putBody = validator<{ name: string; cron: string; timezone?: string | null; event: Record<string, unknown>; paused?: boolean }>(putScheduleSchema);
const patchBody = validator<{ name: string; paused: boolean }>(patchScheduleSchema);
const nameQuery = validator<{ name: string }>(scheduleNameQuerySchema);
const listQuery = validator<{ name?: string }>(listSchedulesQuerySchema);

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

export function scheduleJson(s: ScheduleView) {
  return {
    name: s.name, cron: s.cron, timezone: s.timezone, event: s.event, paused: s.paused,
    createdAt: seconds(s.createdAtMs), updatedAt: seconds(s.updatedAtMs), lastTickAt: seconds(s.lastTickMs),
    lastFiredAt: seconds(s.lastFiredAtMs), lastEventId: s.lastEventId, lastMissedTicks: s.lastMissedTicks,
    nextRuns: s.nextRunsMs.map((ms) => ms / 1000),
  };
}

export function scheduleRoutes(broker: Broker): Router {
  const r = Router();
  r.put('/schedule', async (req, res) => {
    const b = putBody.body(req);
    const { schedule, created } = await broker.schedules.put({ name: b.name, cron: b.cron.trim(), timezone: b.timezone ?? null, event: b.event, paused: b.paused ?? false });
    res.status(created ? 201 : 200).json(scheduleJson(schedule));
  });
  r.get('/schedule', async (req, res) => {
    const q = listQuery.query(req);
    if (q.name !== undefined) { res.json({ schedule: scheduleJson(await broker.schedules.get(q.name)) }); return; }
    res.json({ schedules: (await broker.schedules.list()).map(scheduleJson) });
  });
  r.patch('/schedule', async (req, res) => {
    const b = patchBody.body(req);
    res.json(scheduleJson(await broker.schedules.pause(b.name, b.paused)));
  });
  r.delete('/schedule', async (req, res) => {
    res.json(await broker.schedules.delete(nameQuery.query(req).name));
  });
  return r;
}
