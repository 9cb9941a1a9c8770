// `switchyard export` and `switchyard import`: a broker's whole state as JSON lines, out of one
// broker and into another (README "Export and import"), with a progress bar on a terminal.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import cliProgress from 'cli-progress';

/** Tasks per POST /import: one transaction each, small enough for a Couchbase transaction's time
 *  limit even into a queue of 100,000 (the broker takes up to 1,000). */
const BATCH_TASKS = 250;
const BATCH_BYTES = 8 * 1024 * 1024;

const progressBar = (what) => (process.stderr.isTTY
  ? new cliProgress.SingleBar({ stream: process.stderr, format: `${what} [{bar}] {percentage}% | {value}/{total} tasks` }, cliProgress.Presets.shades_classic)
  : null);

export async function exportCommand({ Admin }, opts) {
  const admin = new Admin({ url: opts.url, token: opts.token });
  const out = opts.file && opts.file !== '-' ? createWriteStream(opts.file) : process.stdout;
  const bar = progressBar('exporting');
  const counts = { queue: 0, schedule: 0, token: 0, task: 0 };
  let ended = false;
  for await (const line of admin.exportLines()) {
    const kind = JSON.parse(line).kind;
    if (kind === 'header') bar?.start(JSON.parse(line).counts.tasks, 0);
    if (kind === 'end') ended = true;
    if (kind in counts) counts[kind]++;
    if (kind === 'task' && counts.task % 500 === 0) bar?.update(counts.task);
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  bar?.update(counts.task);
  bar?.stop();
  if (out !== process.stdout) { out.end(); await once(out, 'finish'); }
  if (!ended) throw new Error(`the export was cut short after ${counts.task} tasks (the broker's log says why)`);
  process.stderr.write(`exported ${counts.queue} queues, ${counts.schedule} schedules, ${counts.task} tasks, ${counts.token} tokens\n`);
}

/** A line's kind: export writes it first; a line edited by hand is parsed (the broker refuses bad JSON). */
function kindOf(line) {
  const fast = /^\{"kind":"(\w+)"/.exec(line)?.[1];
  if (fast) return fast;
  try { return JSON.parse(line)?.kind; } catch { return undefined; }
}

export async function importCommand({ Admin }, file, opts) {
  const admin = new Admin({ url: opts.url, token: opts.token });
  const existing = opts.skipExisting ? 'skip' : 'refuse';
  const input = file && file !== '-' ? createReadStream(file) : process.stdin;
  const bar = progressBar('importing');
  const totals = { queues: 0, schedules: 0, tokens: 0, tasks: 0, skipped: 0 };
  const paused = [];
  let batch = [];
  let batchTasks = 0;
  let batchBytes = 0;
  let ended = false;
  let n = 0;
  const send = async () => {
    if (!batch.length) return;
    let answer;
    try {
      answer = await admin.importLines(batch, { existing });
    } catch (e) {
      e.message = `lines ${n - batch.length + 1} to ${n}: ${e.message}${totals.tasks ? ` (${totals.tasks} tasks imported before them; run again with --skip-existing to go on)` : ''}`;
      throw e;
    }
    for (const k of Object.keys(totals)) totals[k] += answer[k];
    paused.push(...answer.pausedForPushSecret);
    bar?.update(totals.tasks + totals.skipped);
    batch = [];
    batchTasks = 0;
    batchBytes = 0;
  };
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    if (!line.trim()) continue;
    // The kind decides batching and the bar; the broker checks everything else.
    const kind = kindOf(line);
    if (n === 1 && kind === 'header') bar?.start(JSON.parse(line).counts?.tasks ?? 0, 0);
    if (kind === 'end') ended = true;
    if (kind === 'task') batchTasks++;
    batch.push(line);
    batchBytes += line.length;
    if (batchTasks >= BATCH_TASKS || batchBytes >= BATCH_BYTES) await send();
  }
  await send();
  bar?.stop();
  process.stdout.write(`imported ${totals.queues} queues, ${totals.schedules} schedules, ${totals.tasks} tasks, ${totals.tokens} tokens${totals.skipped ? `; ${totals.skipped} tasks were here already` : ''}\n`);
  for (const q of new Set(paused)) process.stderr.write(`switchyard: queue ${q} signed its pushes with its own secret, which an export never holds: it is paused; set its pushSecret (PATCH /queue) and resume it\n`);
  if (!ended) {
    process.stderr.write('switchyard: the dump has no end line: it was cut short, and holds only part of the state\n');
    process.exitCode = 1;
  }
}
