// One mapping from anything a request can throw to the JSON error answer, for the express app and
// the fast path alike: BrokerError → its status; store unreachable → 503; body-parser failures →
// 400/413/415; anything else is a bug, logged and answered 500 without details.
import { BrokerError } from '../src/errors.js';
import { StoreUnavailableError } from '../src/errors.js';
import type { Logger } from '../src/log.js';

export interface Answer { status: number; body: unknown }

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

export function errorAnswer(err: unknown, where: { method: string; path: string }, log: Logger): Answer {
  let e: BrokerError;
  if (err instanceof BrokerError) e = err;
  else if (err instanceof StoreUnavailableError) e = new BrokerError('store_unavailable', err.message);
  else {
    const parsed = bodyParserError(err as { type?: string });
    if (parsed) e = parsed;
    else {
      const cause = (err as { cause?: Error })?.cause;
      log.error('unexpected error', { ...where, error: (err as Error)?.stack ?? String(err), ...(cause ? { cause: cause.stack ?? String(cause) } : {}) });
      return { status: 500, body: { error: 'internal error: see the broker log', code: 'internal_error', details: [] } };
    }
  }
  if (e.status >= 500) log.warn('request failed', { ...where, code: e.code, error: e.message });
  else log.debug('request refused', { ...where, code: e.code });
  return { status: e.status, body: { error: e.message, code: e.code, details: e.details } };
}
