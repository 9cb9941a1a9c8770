// A worker for two queues: email first (three at a time), then points (one at a time). Ctrl-C stops it.
import { Worker } from 'switchyard/client';

const worker = new Worker({
  queues: [{ name: 'email', concurrency: 3 }, { name: 'points', concurrency: 1 }],
  handleSignals: true,
  handler: async (task) => (task.queue === 'email' ? { sent: `welcome mail to ${task.data.email}` } : { points: 10 }),
});
await worker.start();
console.log(`worker ${worker.workerId} is working`);
