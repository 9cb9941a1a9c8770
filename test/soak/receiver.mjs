// The push receiver under soak: the target of queue p's pushUrl, up, slow or down in turns on a
// seeded schedule the run prints. It checks every delivery's signature and records, per task, how
// many deliveries it answered 2xx and whether two deliveries of one task were in flight at once
// (a request counts as in flight until it is answered or its connection closes, as when the
// broker gives up on it after pushTimeoutSeconds or is killed).
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Modes in turn: up (a few 500s), slow (answers after 0.3–1.6 s, beyond the 1 s push timeout
 *  about half the time), down (connections refused). */
const CYCLE = ['up', 'slow', 'up', 'down'];

export class PushReceiver {
  mode = 'up';
  deliveries = 0;
  statuses = new Map();
  /** taskId → deliveries answered 2xx (more than one: delivered again after a success, at least once). */
  ok = new Map();
  inFlight = new Map();
  overlaps = [];
  badSignatures = [];
  periods = { slow: 0, down: 0 };

  constructor(secret, rng) {
    this.secret = secret;
    this.rng = rng;
    this.sockets = new Set();
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
  }

  async listen() {
    await new Promise((r) => this.server.listen(this.port ?? 0, '127.0.0.1', r));
    this.port = this.server.address().port;
    this.url = `http://127.0.0.1:${this.port}/soak-push`;
  }

  async handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    const taskId = req.headers['switchyard-task-id'];
    this.deliveries++;
    if (!this.signed(req.headers, body)) this.badSignatures.push({ taskId, headers: { ts: req.headers['switchyard-timestamp'], sig: req.headers['switchyard-signature'] } });
    const n = (this.inFlight.get(taskId) ?? 0) + 1;
    if (n > 1) this.overlaps.push({ taskId, atMs: Date.now() });
    this.inFlight.set(taskId, n);
    let done = false;
    const end = () => { if (done) return; done = true; const left = this.inFlight.get(taskId) - 1; if (left) this.inFlight.set(taskId, left); else this.inFlight.delete(taskId); };
    res.on('close', end);
    if (this.mode === 'slow') await new Promise((r) => setTimeout(r, 300 + this.rng() * 1300));
    if (done) return; // the broker gave up waiting (its push timeout) or went away
    const status = this.mode === 'up' && this.rng() < 0.05 ? 500 : 200;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (status === 200) this.ok.set(taskId, (this.ok.get(taskId) ?? 0) + 1);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 200 ? { received: taskId } : { error: 'soak: on purpose' }));
    end();
  }

  signed(h, body) {
    const ts = h['switchyard-timestamp'];
    const sig = /^sha256=([0-9a-f]{64})$/.exec(h['switchyard-signature'] ?? '')?.[1];
    if (!ts || !sig) return false;
    const want = createHmac('sha256', this.secret).update(`${ts}.${body}`).digest();
    return timingSafeEqual(want, Buffer.from(sig, 'hex')) && Math.abs(Date.now() / 1000 - Number(ts)) < 300;
  }

  async setMode(mode) {
    if (mode === this.mode) return;
    if (mode === 'down') {
      await new Promise((r) => { this.server.close(() => r()); for (const s of this.sockets) s.destroy(); });
    } else if (this.mode === 'down') await this.listen();
    if (mode !== 'up') this.periods[mode]++;
    this.mode = mode;
  }

  /** Turns through the modes (each 4–10 s) until ctx.stopped, then stays up. */
  async cycle(ctx, say) {
    for (let i = 0; !ctx.stopped; i++) {
      const mode = CYCLE[i % CYCLE.length];
      if (mode !== this.mode) say(`push receiver ${mode}`);
      await this.setMode(mode);
      const until = Date.now() + 4000 + this.rng() * 6000;
      while (!ctx.stopped && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    }
    await this.setMode('up');
  }

  close() {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}
