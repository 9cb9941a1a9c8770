// Mounts every route with body limits, and the one error handler: BrokerError → {error, code, details}
// with its status; body-parser failures → 400/413/415; anything else is a bug, logged and answered 500.
import express, { type NextFunction, type Request, type Response } from 'express';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Broker } from '../src/broker/index.js';
import type { Logger } from '../src/log.js';
import { BrokerError } from '../src/errors.js';
import { StoreUnavailableError } from '../src/store/store.js';
import { taskRoutes } from './task.js';
import { workerRoutes } from './worker.js';
import { interestRoutes } from './interest.js';
import { queueRoutes } from './queue.js';
import { failedRoutes } from './failed.js';
import { statusRoutes } from './status.js';
import { scheduleRoutes } from './schedule.js';

// public/ sits at the checkout root; compiled code runs from dist/routes/, tsx from routes/.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const PUBLIC_DIR = path.resolve(HERE, HERE.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..', 'public');

// The page's chart library, served from the installed package: no CDN, no copy in public/.
const UPLOT_DIR = path.dirname(createRequire(import.meta.url).resolve('uplot'));

function bodyParserError(err: { type?: string; status?: number; message?: string }): BrokerError | null {
  switch (err.type) {
    case 'entity.parse.failed': return new BrokerError('invalid_json', `the body is not valid JSON: ${err.message ?? ''}`.trim());
    case 'entity.too.large': return new BrokerError('body_too_large', 'the body is larger than the limit (SWITCHYARD_BODY_LIMIT)');
    case 'encoding.unsupported':
    case 'charset.unsupported': return new BrokerError('unsupported_media_type', err.message ?? 'unsupported body encoding');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'parameters.too.many': return new BrokerError('invalid_input', err.message ?? 'the body could not be read');
    default: return null;
  }
}

export function createApp(broker: Broker, opts: { bodyLimitBytes: number; log: Logger }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  // A body in a type we do not read is refused, not silently ignored.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(['application/json', 'application/*+json', 'application/x-www-form-urlencoded'])) {
      next(new BrokerError('unsupported_media_type', `send the body as application/json or application/x-www-form-urlencoded (got ${req.headers['content-type'] ?? 'no Content-Type'})`));
      return;
    }
    next();
  });
  app.use(express.json({ limit: opts.bodyLimitBytes, type: ['application/json', 'application/*+json'], strict: true }));
  app.use(express.urlencoded({ limit: opts.bodyLimitBytes, extended: false, parameterLimit: 1000 }));

  app.use(taskRoutes(broker));
  app.use(workerRoutes(broker));
  app.use(interestRoutes(broker));
  app.use(queueRoutes(broker));
  app.use(failedRoutes(broker));
  app.use(statusRoutes(broker));
  app.use(scheduleRoutes(broker));
  app.use(express.static(PUBLIC_DIR, { index: 'index.html', etag: false }));
  app.use('/vendor/uplot', express.static(UPLOT_DIR, { etag: false }));

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new BrokerError('route_not_found', `no route ${req.method} ${req.path}`));
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let e: BrokerError;
    if (err instanceof BrokerError) e = err;
    else if (err instanceof StoreUnavailableError) e = new BrokerError('store_unavailable', err.message);
    else {
      const parsed = bodyParserError(err as { type?: string });
      if (parsed) e = parsed;
      else {
        const cause = (err as { cause?: Error })?.cause;
        opts.log.error('unexpected error', { method: req.method, path: req.path, error: (err as Error)?.stack ?? String(err), ...(cause ? { cause: cause.stack ?? String(cause) } : {}) });
        res.status(500).json({ error: 'internal error: see the broker log', code: 'internal_error', details: [] });
        return;
      }
    }
    if (e.status >= 500) opts.log.warn('request failed', { method: req.method, path: req.path, code: e.code, error: e.message });
    else opts.log.debug('request refused', { method: req.method, path: req.path, code: e.code });
    res.status(e.status).json({ error: e.message, code: e.code, details: e.details });
  });
  return app;
}
