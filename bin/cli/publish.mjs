// `switchyard publish`: one event from --data, or JSON lines from --file or stdin, sent in batches
// through the SDK's Publisher, with a progress bar (on a terminal) and a summary line.
import { ONE_SHOT_RETRY_MS } from './retry.mjs';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import cliProgress from 'cli-progress';

const BATCH = 1000;

export async function publishCommand({ Publisher }, opts) {
  const publisher = new Publisher({ url: opts.url, token: opts.token, publisher: opts.publisher, retryForMs: ONE_SHOT_RETRY_MS });
  if (opts.data !== undefined) {
    let data;
    try { data = JSON.parse(opts.data); } catch (e) { throw new Error(`--data is not JSON: ${e.message}`); }
    const answer = await publisher.publish({ data });
    process.stdout.write(opts.json ? `${JSON.stringify(answer)}\n` : `${answer.status}: event ${answer.eventId}, ${answer.tasks.length} task(s)${answer.tasks.length ? ` in ${answer.tasks.map((t) => t.queue).join(', ')}` : ''}\n`);
    return;
  }
  const file = opts.file && opts.file !== '-' ? opts.file : null;
  const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ stream: process.stderr, format: 'publishing [{bar}] {percentage}% | {value}/{total} bytes | {events} events' }, cliProgress.Presets.shades_classic) : null;
  const input = file ? createReadStream(file) : process.stdin;
  bar?.start(file ? statSync(file).size : 0, 0, { events: 0 });
  const t0 = performance.now();
  const totals = { events: 0, tasks: 0, refused: 0, bytes: 0 };
  const errors = [];
  let batch = [];
  const send = async () => {
    const lines = batch;
    batch = [];
    const answers = await Promise.allSettled(lines.map(({ event }) => publisher.publish(event)));
    answers.forEach((a, i) => {
      if (a.status === 'fulfilled') { totals.events++; totals.tasks += a.value.tasks.length; return; }
      totals.refused++;
      if (errors.length < 5) errors.push(`line ${lines[i].line}: ${a.reason.message}`);
    });
    bar?.update(totals.bytes, { events: totals.events });
  };
  let n = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    totals.bytes += Buffer.byteLength(line) + 1;
    if (!line.trim()) continue;
    try {
      batch.push({ line: n, event: JSON.parse(line) });
    } catch {
      totals.refused++;
      if (errors.length < 5) errors.push(`line ${n}: not JSON`);
    }
    if (batch.length >= BATCH) await send();
  }
  if (batch.length) await send();
  bar?.stop();
  const s = (performance.now() - t0) / 1000;
  for (const e of errors) process.stderr.write(`switchyard: ${e}\n`);
  process.stdout.write(`published ${totals.events} events (${totals.tasks} tasks) in ${s.toFixed(1)} s, ${Math.round(totals.events / Math.max(s, 0.001))}/s; ${totals.refused} refused\n`);
  if (totals.refused) process.exitCode = 1;
}
