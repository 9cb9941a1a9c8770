// `switchyard status` (queues as a table) and `switchyard failed list|retry|delete` (the API's filters).
import { ONE_SHOT_RETRY_MS } from './retry.mjs';

/** Rows as aligned columns, the first row the header. */
function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

export async function statusCommand({ Admin }, opts) {
  const st = await new Admin({ url: opts.url, token: opts.token, retryForMs: ONE_SHOT_RETRY_MS }).status();
  if (opts.json) { process.stdout.write(`${JSON.stringify(st, null, 2)}\n`); return; }
  const rows = [['queue', 'ready', 'scheduled', 'started', 'failed', 'succeeded', 'held']];
  for (const q of st.queues) rows.push([q.name, q.counts.ready, q.counts.scheduled, q.counts.started, q.counts.failed, q.counts.succeeded, q.heldBy ?? '']);
  process.stdout.write(`${st.queues.length ? table(rows) : 'no queues yet'}\n${st.workers} worker(s), ${st.failed} failed task(s)\n`);
}

const filters = (cmd) => cmd.option('--queue <queue>').option('--reason <text>', 'part of the failure reason')
  .option('--search <text>', 'part of the payload').option('--field <path>', 'a payload field (dot path) whose text is --value')
  .option('--value <text>');
const filterOf = (o) => Object.fromEntries(['queue', 'reason', 'search', 'field', 'value'].filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
const selectionOf = (o) => {
  if (o.ids && o.all) throw new Error('give --ids or --all, not both');
  if (o.ids) return { taskIds: o.ids.split(',').map((s) => s.trim()).filter(Boolean) };
  if (o.all) return { all: true, ...filterOf(o) };
  throw new Error('say which: --ids a,b or --all (with filters)');
};

export function failedCommands(failed, connection, guarded, sdk) {
  const admin = async (o) => new (await sdk()).Admin({ url: o.url, token: o.token, retryForMs: ONE_SHOT_RETRY_MS });
  connection(filters(failed.command('list').description('failed tasks, newest first')))
    .option('--limit <n>', 'how many', '50').option('--offset <n>', 'from', '0').option('--json', 'print the answer as JSON')
    .action(guarded(async (o) => {
      const page = await (await admin(o)).listFailed({ ...filterOf(o), limit: Number(o.limit), offset: Number(o.offset) });
      if (o.json) { process.stdout.write(`${JSON.stringify(page, null, 2)}\n`); return; }
      const rows = [['task', 'queue', 'failed at', 'reason']];
      for (const t of page.tasks) rows.push([t.taskId, t.queue, new Date((t.finishedAt ?? 0) * 1000).toISOString(), (t.failReason ?? '').split('\n')[0].slice(0, 80)]);
      process.stdout.write(`${page.tasks.length ? `${table(rows)}\n` : ''}${page.total} failed\n`);
    }));
  connection(filters(failed.command('retry').description('retry failed tasks: --ids, or --all matching the filters')))
    .option('--ids <a,b>').option('--all').option('--to-queue <queue>', 'retry into another queue')
    .action(guarded(async (o) => {
      const r = await (await admin(o)).retryFailed({ ...selectionOf(o), ...(o.toQueue ? { toQueue: o.toQueue } : {}) });
      process.stdout.write(`retried ${r.retried}\n`);
    }));
  connection(filters(failed.command('delete').description('delete failed tasks: --ids, or --all matching the filters')))
    .option('--ids <a,b>').option('--all')
    .action(guarded(async (o) => { process.stdout.write(`deleted ${(await (await admin(o)).deleteFailed(selectionOf(o))).deleted}\n`); }));
}
