// One mapping from anything a request can throw to the JSON error answer, for the express app and
// the fast path alike: BrokerError → its status; store unreachable → 503; body-parser failures →
// 400/413/415; anything else is a bug, logged and answered 500 without details.
import { BrokerError } from '../src/errors.js';
import { StoreUnavailableError } from '../src/errors.js';
import type { Logger } from '../src/log.js';

export interface Answer { status: number; body: unknown; headers?: Record<string, string> }

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
  const e = err instanceof BrokerError ? err
    : err instanceof StoreUnavailableError ? new BrokerError('store_unavailable', err.message)
      : bodyParserError(err as { type?: string }) ?? new BrokerError('internal_error', 'internal error: see the broker log');
  if (e.status >= 500) {
    // A 5xx is ours to fix or to watch: logged at error with the stack of what caused it.
    const cause = (err as { cause?: Error })?.cause;
    log.error(e.code === 'internal_error' ? 'unexpected error' : 'request failed', {
      ...where, code: e.code, error: (err as Error)?.stack ?? String(err), ...(cause ? { cause: cause.stack ?? String(cause) } : {}),
    });
  } else {
    log.debug('request refused', { ...where, code: e.code });
  }
  const body = { error: e.message, code: e.code, details: e.code === 'internal_error' ? [] : e.details };
  // A missing or unknown token: the standard challenge, so clients know which scheme to send.
  if (e.code === 'unauthorized') return { status: e.status, body, headers: { 'www-authenticate': 'Bearer realm="switchyard"' } };
  if (e.code === 'rate_limited') return { status: e.status, body, headers: { 'retry-after': String((e.details[0] as { retryAfterSeconds?: number })?.retryAfterSeconds ?? 1) } };
  return { status: e.status, body };
}
