// Moving a broker's whole state to another (goyaad's persist and restore; SQLite to Couchbase):
// GET /export streams it as JSON lines, POST /import loads such lines. An import request is
// checked whole before anything changes; its tasks are stored in one transaction (all or none),
// and its queues, schedules and tokens are set as replacements, so a batch can be sent again.
import type { BrokerContext } from './context.js';
import type { InterestMap, QueuePolicy, ScheduleDefinition, TaskRecord, TokenRecord } from '../model.js';
import { BrokerError } from '../errors.js';
import { EXPORTED_STATES, asImported } from '../lifecycle/imports.js';
import { compileInterestMap } from '../routing/compile.js';
import { cronProblem } from '../schedules/cron.js';
import { setInterests, updateQueuePolicy } from './queues.js';
import { putSchedule } from './schedules.js';

export const EXPORT_FORMAT = 'switchyard-export';
export const EXPORT_VERSION = 1;

/** Tasks read from the store per round trip while exporting. */
const EXPORT_PAGE = 500;

/** A queue as exported: its secret never leaves (the import asks for it again, see importLines). */
export interface QueueLine {
  kind: 'queue'; name: string; declared: boolean; interests: InterestMap | null;
  policy: Omit<QueuePolicy, 'pushSecret'>; hasPushSecret: boolean;
}
export type HeaderLine = {
  kind: 'header'; format: typeof EXPORT_FORMAT; version: number; exportedAtMs: number; store: string;
  interestsRevision: number; counts: { queues: number; schedules: number; tokens: number; tasks: number };
};
export type ScheduleLine = { kind: 'schedule' } & ScheduleDefinition;
/** Only the secret's hash: the holders of a token keep using it against the new broker. */
export type TokenLine = { kind: 'token' } & TokenRecord;
export type TaskLine = { kind: 'task' } & TaskRecord;
/** The last line: how many tasks came before it (a dump without it was cut short). */
export type EndLine = { kind: 'end'; tasks: number };
export type ExportLine = HeaderLine | QueueLine | ScheduleLine | TokenLine | TaskLine | EndLine;

/** The whole state, a line at a time: the header (with counts for a progress bar), queues,
 *  schedules, every waiting, started and failed task (queue by queue, in id order), then tokens:
 *  last, because the first token a broker stores closes it to requests without one, and an import
 *  into an open broker would be refused after that batch. Tasks that finish while the export runs
 *  are left out; stop traffic first for an exact copy. */
export async function* exportLines(ctx: BrokerContext): AsyncGenerator<ExportLine> {
  const [queues, interests, schedules, tokens] = await Promise.all([
    ctx.store.queueSummaries(), ctx.store.loadInterests(), ctx.store.listSchedules(), ctx.store.listTokens(),
  ]);
  const tasks = queues.reduce((n, q) => n + EXPORTED_STATES.reduce((m, s) => m + q.counts[s], 0), 0);
  yield {
    kind: 'header', format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAtMs: ctx.now(), store: ctx.store.kind,
    interestsRevision: interests.revision, counts: { queues: queues.length, schedules: schedules.length, tokens: tokens.length, tasks },
  };
  for (const q of queues) {
    const { pushSecret, ...policy } = q.policy;
    yield { kind: 'queue', name: q.name, declared: q.declared, interests: q.interests, policy, hasPushSecret: pushSecret !== null };
  }
  for (const s of schedules) yield { kind: 'schedule', name: s.name, cron: s.cron, timezone: s.timezone, event: s.event, paused: s.paused };
  let exported = 0;
  for (const q of queues) {
    const ids = await ctx.store.listExportedTaskIds(q.name);
    for (let i = 0; i < ids.length; i += EXPORT_PAGE) {
      for (const t of await ctx.store.getTasks(ids.slice(i, i + EXPORT_PAGE))) {
        if (!EXPORTED_STATES.includes(t.state)) continue;
        exported++;
        yield { kind: 'task', ...t };
      }
    }
  }
  for (const t of tokens) yield { kind: 'token', ...t };
  yield { kind: 'end', tasks: exported };
}

export type ImportLine = ExportLine;

export interface ImportOutcome {
  queues: number; schedules: number; tokens: number; tasks: number;
  /** Tasks left out because their ids were here already (existing=skip). */
  skipped: number;
  /** Queues that pushed with their own secret: imported paused until it is set again. */
  pausedForPushSecret: string[];
}

/** Loads one batch of export lines. existing: 'refuse' (409 when a task id is here already,
 *  nothing changed) or 'skip' (those tasks are left out: resuming an import that stopped part way). */
export async function importLines(ctx: BrokerContext, lines: ImportLine[], existing: 'refuse' | 'skip'): Promise<ImportOutcome> {
  const of = <K extends ImportLine['kind']>(kind: K) => lines.filter((l): l is Extract<ImportLine, { kind: K }> => l.kind === kind);
  const header = of('header')[0];
  if (header && (header.format !== EXPORT_FORMAT || header.version > EXPORT_VERSION)) {
    throw new BrokerError('invalid_input', `not a ${EXPORT_FORMAT} of version ${EXPORT_VERSION} or older (got ${header.format} ${header.version})`);
  }
  const [queues, schedules, tokens, tasks] = [of('queue'), of('schedule'), of('token'), of('task')];
  // Checks first: nothing changes unless the whole batch can be applied.
  for (const q of queues) {
    if (q.interests !== null) compileInterestMap(q.name, q.interests);
    if (q.policy.maxBackoffSeconds < q.policy.backoffSeconds) throw new BrokerError('invalid_input', `queue ${JSON.stringify(q.name)}: maxBackoffSeconds is below backoffSeconds`);
    if (q.policy.pushUrl !== null) await ctx.pushTargets.check(q.policy.pushUrl);
  }
  for (const s of schedules) {
    const problem = cronProblem(s.cron, s.timezone);
    if (problem) throw new BrokerError('invalid_input', `schedule ${JSON.stringify(s.name)}: ${problem}`);
  }
  const stored = new Map((await ctx.store.listTokens()).map((t) => [t.name, t]));
  const clash = tokens.find((t) => stored.has(t.name) && stored.get(t.name)!.hash !== t.hash);
  if (clash) throw new BrokerError('token_exists', `a different token named ${JSON.stringify(clash.name)} exists here: delete it first (nothing imported)`);
  const here = new Set((await ctx.store.getTasks(tasks.map((t) => t.taskId))).map((t) => t.taskId));
  if (here.size && existing === 'refuse') throw taskExists([...here]);

  for (const q of queues) {
    // A queue named only by tasks or workers stays undeclared (its tasks bring it back).
    const pausedForSecret = q.hasPushSecret && q.policy.pushUrl !== null;
    if (q.declared) await updateQueuePolicy(ctx, q.name, { ...q.policy, ...(pausedForSecret ? { paused: true } : {}) });
    if (q.interests !== null) await setInterests(ctx, q.name, q.interests);
  }
  for (const { kind: _, ...def } of schedules) await putSchedule(ctx, def);
  let newTokens = 0;
  for (const { kind: _, ...t } of tokens) if (!stored.has(t.name) && await ctx.store.createToken(t)) newTokens++;
  const arriving = tasks.filter((t) => !here.has(t.taskId)).map(({ kind: _, ...t }) => asImported(t));
  if (arriving.length) {
    const r = await ctx.store.importTasks(arriving, ctx.now());
    if ('existing' in r) throw taskExists(r.existing);
    ctx.waiters.notify([...new Set(arriving.filter((t) => t.state === 'ready').map((t) => t.queue))]);
  }
  return {
    queues: queues.length, schedules: schedules.length, tokens: newTokens, tasks: arriving.length, skipped: here.size,
    pausedForPushSecret: queues.filter((q) => q.hasPushSecret && q.policy.pushUrl !== null).map((q) => q.name),
  };
}

function taskExists(ids: string[]): BrokerError {
  const shown = ids.slice(0, 5).map((id) => JSON.stringify(id)).join(', ');
  return new BrokerError('task_exists', `${ids.length} of these tasks exist here already (${shown}${ids.length > 5 ? ', …' : ''}): nothing imported; send existing=skip to leave them out`);
}
