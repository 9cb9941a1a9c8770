// `switchyard work --queues a,b --concurrency N --exec "cmd"`: a worker in any language without an SDK.
// Each task runs `sh -c cmd` with the task as JSON on stdin; exit 0 is a success (stdout, as JSON
// when it parses, is the result), anything else a fail whose reason is the end of stderr. A task
// whose lease is lost, or a stop past its deadline, ends its command and what it started (SIGTERM).
import { spawn } from 'node:child_process';

const REASON_BYTES = 2000;

function runCommand(command, task, signal) {
  return new Promise((resolve, reject) => {
    // Its own process group, so ending it ends what it started too (a `sleep` would keep the pipes open).
    const child = spawn('sh', ['-c', command], { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SWITCHYARD_TASK_ID: task.taskId, SWITCHYARD_QUEUE: task.queue } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out = (out + d).slice(-1_000_000); });
    child.stderr.on('data', (d) => { err = (err + d).slice(-REASON_BYTES * 4); });
    const stop = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } };
    signal.addEventListener('abort', stop, { once: true });
    child.stdin.on('error', () => undefined); // a command that does not read its stdin
    child.stdin.end(JSON.stringify(task));
    child.on('error', (e) => reject(e));
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', stop);
      if (code === 0) {
        try { resolve(out.trim() ? JSON.parse(out) : undefined); } catch { resolve(out.trim()); }
        return;
      }
      const tail = err.trim().split('\n').slice(-10).join('\n').slice(-REASON_BYTES);
      reject(new Error(`${sig ? `killed by ${sig}` : `exit ${code}`}${tail ? `: ${tail}` : ''}`));
    });
  });
}

export async function workCommand({ Worker }, opts) {
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('--concurrency must be a whole number of 1 or more');
  const queues = opts.queues.split(',').map((q) => q.trim()).filter(Boolean).map((name) => ({ name, concurrency }));
  const worker = new Worker({
    url: opts.url, token: opts.token, name: opts.name ?? `switchyard work (${process.pid})`, queues, handleSignals: true,
    stopTimeoutMs: Number(opts.stopTimeout) * 1000,
    handler: (task, { signal }) => runCommand(opts.exec, task, signal),
  });
  worker.on('error', (e) => process.stderr.write(`switchyard work: ${e.message}\n`));
  worker.on('completed', (t, _r, ms) => process.stderr.write(`done ${t.queue} ${t.taskId} in ${Math.round(ms)} ms\n`));
  worker.on('failed', (t, e, ms) => process.stderr.write(`failed ${t.queue} ${t.taskId} in ${Math.round(ms)} ms: ${e.message.split('\n')[0]}\n`));
  await worker.start();
  process.stderr.write(`switchyard work: worker ${worker.workerId} on ${queues.map((q) => q.name).join(', ')}; stop with Ctrl-C\n`);
  await new Promise((resolve) => worker.once('stopped', resolve));
}
