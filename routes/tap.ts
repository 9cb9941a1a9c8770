// GET /tap: the routing decisions this node makes, as Server-Sent Events (one `data:` JSON line per
// decision), filtered by queue and publisher and sampled by rate. A listener that reads too slowly
// misses decisions rather than holding memory: the count of those it missed comes with the next one.
import { Router } from 'express';
import type { Broker } from '../src/broker/index.js';
import type { TapFilter } from '../src/broker/tap.js';
import { validator } from './validate.js';
import { tapQuerySchema } from './tap.schema.js';

const tapQuery = validator<TapFilter>(tapQuerySchema);
/** A comment line now and then keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

export function tapRoutes(broker: Broker): Router {
  const r = Router();
  r.get('/tap', (req, res) => {
    const filter = tapQuery.query(req);
    res.status(200).set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    res.write(': switchyard tap\n\n');
    let missed = 0;
    const stop = broker.ctx.tap.listen(filter, (d) => {
      if (res.writableNeedDrain) { missed++; return; }
      res.write(`data: ${JSON.stringify(missed ? { ...d, missedBefore: missed } : d)}\n\n`);
      missed = 0;
    }, () => res.end());
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    res.on('close', () => { stop(); clearInterval(heartbeat); });
  });
  return r;
}
