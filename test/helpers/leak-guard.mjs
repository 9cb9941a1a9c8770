// Loaded into every test file's process by test/run.mjs: after the file's last test, a server, child
// process or timer still open fails the file, naming what was left (a left server would otherwise
// keep the process, and CI, waiting).
import { after } from 'node:test';

const WATCHED = new Set(['TCPServerWrap', 'ProcessWrap', 'Timeout']);

after(async () => {
  // Closing handles settle on the next turns of the event loop.
  for (let i = 0; i < 20; i++) {
    if (!process.getActiveResourcesInfo().some((r) => WATCHED.has(r))) return;
    await new Promise((r) => setTimeout(r, 25).unref());
  }
  const open = process.getActiveResourcesInfo().filter((r) => WATCHED.has(r));
  // What was left would keep this process alive: once the failure is reported, end it.
  if (open.length) setTimeout(() => process.exit(1), 2000).unref();
  if (open.length) throw new Error(`this test file left open: ${open.join(', ')} (close every server, child process and timer it started)`);
});
