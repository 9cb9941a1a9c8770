// Mounts every route with body limits, the page, and the one error handler (answer.ts).
import express, { type NextFunction, type Request, type Response } from 'express';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Broker } from '../src/broker/index.js';
import type { Logger } from '../src/log.js';
import { BrokerError } from '../src/errors.js';
import { errorAnswer } from './answer.js';
import { taskHandlers, taskRoutes, type TaskHandlers } from './task.js';
import { fastPath } from './fast-path.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { workerRoutes } from './worker.js';
import { interestRoutes } from './interest.js';
import { queueRoutes } from './queue.js';
import { failedRoutes } from './failed.js';
import { unroutedRoutes } from './unrouted.js';
import { statusRoutes } from './status.js';
import { scheduleRoutes } from './schedule.js';
import { tokenRoutes } from './token.js';
import { auditRoutes } from './audit.js';
import { transferRoutes } from './transfer.js';
import { tapRoutes } from './tap.js';
import { OPERATIONS, openApiRoutes } from './openapi.js';
import { needOf } from '../src/security/access.js';
import type { Principal } from '../src/security/gate.js';
import type { Gate } from '../src/security/gate.js';
import { API_HEADERS, PAGE_HEADERS } from '../src/security/headers.js';
import { PACKAGE_VERSION, ROOT_DIR } from '../src/version.js';

// public/ sits at the checkout root.
const PUBLIC_DIR = path.join(ROOT_DIR, 'public');

// The page's chart library, served from the installed package: no CDN, no copy in public/.
const UPLOT_DIR = path.dirname(createRequire(import.meta.url).resolve('uplot'));

/** Routes whose body is neither JSON nor a form (POST /import's JSON lines), as the OpenAPI document
 *  declares them: one list for the document and for the check below. */
const OWN_BODY_TYPES = new Map(OPERATIONS.filter((o) => o.media?.body).map((o) => [`${o.method.toUpperCase()} ${o.path}`, o.media!.body!]));

export interface HandlerOptions {
  bodyLimitBytes: number;
  log: Logger;
  /** Every request passes it, on either path (src/security/gate.ts). */
  gate: Gate;
  /** Served over TLS (the origin a browser sends is https://). */
  secure: boolean;
}

/** The request listener: the fast path for the hot task endpoints, express for everything else. */
export function createHandler(broker: Broker, opts: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const handlers = taskHandlers(broker);
  const app = createApp(broker, opts, handlers);
  const fast = fastPath(handlers, opts);
  return (req, res) => { if (!fast(req, res)) app(req, res); };
}

function createApp(broker: Broker, opts: HandlerOptions, handlers: TaskHandlers): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // The page's files (GETs the gate leaves open) get the page's policy; every other answer the API's.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const page = (req.method === 'GET' || req.method === 'HEAD') && needOf(req.method, req.path, {}, undefined).open && req.path !== '/healthz' && req.path !== '/whoami';
    res.set(page ? PAGE_HEADERS : API_HEADERS);
    next();
  });
  app.set('query parser', 'simple');

  // A body in a type we do not read is refused, not silently ignored.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    const own = OWN_BODY_TYPES.get(`${req.method} ${req.path}`);
    if (hasBody && !req.is(own ? [own] : ['application/json', 'application/*+json', 'application/x-www-form-urlencoded'])) {
      const wanted = own ?? 'application/json or application/x-www-form-urlencoded';
      next(new BrokerError('unsupported_media_type', `send the body as ${wanted} (got ${req.headers['content-type'] ?? 'no Content-Type'})`));
      return;
    }
    next();
  });
  app.use(express.json({ limit: opts.bodyLimitBytes, type: ['application/json', 'application/*+json'], strict: true }));
  app.use(express.urlencoded({ limit: opts.bodyLimitBytes, extended: false, parameterLimit: 1000 }));
  // After the body parsers: registering a worker is checked against the queues it names.
  app.use((req: Request, res: Response, next: NextFunction) => {
    opts.gate.check({ method: req.method, path: req.path, query: req.query as Record<string, unknown>, body: req.body, headers: req.headers, secure: opts.secure, remote: req.socket.remoteAddress ?? '' })
      .then(async (principal) => {
        await opts.gate.checkWorker(principal, (req.query as { workerId?: unknown }).workerId ?? (req.body as { workerId?: unknown } | undefined)?.workerId);
        res.locals.principal = principal;
        auditIfChange(req, res, principal);
        next();
      })
      .catch(next);
  });
  // Admin changes (with an admin token, or in open mode) go to the audit trail once answered.
  const auditIfChange = (req: Request, res: Response, who: Principal | null) => {
    if (who === null || req.method === 'GET' || req.method === 'HEAD') return;
    const need = needOf(req.method, req.path, req.query as Record<string, unknown>, req.body);
    if (need.open || need.role !== 'admin') return;
    res.once('finish', () => {
      if (res.statusCode >= 400) return;
      broker.audit.record({ who, from: req.socket.remoteAddress ?? '', method: req.method, path: req.path, query: req.query as Record<string, unknown>, body: req.body, status: res.statusCode })
        .catch((e: Error) => opts.log.error('audit entry not stored', { what: `${req.method} ${req.path}`, error: e.message }));
    });
  };

  app.use(taskRoutes(broker, handlers));
  app.use(workerRoutes(broker));
  app.use(interestRoutes(broker));
  app.use(queueRoutes(broker));
  app.use(failedRoutes(broker));
  app.use(unroutedRoutes(broker));
  app.use(statusRoutes(broker));
  app.use(scheduleRoutes(broker));
  app.use(tokenRoutes(broker, opts.gate));
  app.use(auditRoutes(broker));
  app.use(transferRoutes(broker, opts.gate));
  app.use(tapRoutes(broker));
  app.use(openApiRoutes(PACKAGE_VERSION));
  app.use(express.static(PUBLIC_DIR, { index: 'index.html', etag: false }));
  app.use('/vendor/uplot', express.static(UPLOT_DIR, { etag: false }));

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new BrokerError('route_not_found', `no route ${req.method} ${req.path}`));
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const a = errorAnswer(err, { method: req.method, path: req.path }, opts.log);
    res.status(a.status).set(a.headers ?? {}).json(a.body);
  });
  return app;
}
