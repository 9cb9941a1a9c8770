// Requests for property-based fuzzing, generated from the routes' own ajv schemas and then mutated:
// valid bodies and queries, ones with a field dropped, an unknown one added, a value of the wrong
// type, or something else entirely. Names are drawn mostly from a few, so requests meet each other.
import fc from 'fast-check';
import { failedSchemas, interestSchemas, queueSchemas, scheduleSchemas, statusSchemas, taskSchemas, tokenSchemas, workerSchemas } from './schemas.js';

type Schema = Record<string, any>;
export interface FuzzRequest { method: string; path: string; body?: unknown; query?: Record<string, string> }

/** fastPost stores after its 202: the next request's before-and-after snapshot would race it. */
const stored = (schema: Schema): Schema => ({ ...schema, properties: { ...schema.properties, fastPost: { const: false } } });

/** [method, path, schema, where the schema applies]; GET /task never long-polls here. */
export const ROUTES: [string, string, Schema, 'body' | 'query'][] = [
  ['PUT', '/task', stored(taskSchemas.publishSchema), 'body'],
  ['PUT', '/tasks', stored(taskSchemas.publishBatchSchema), 'body'],
  ['GET', '/task', { ...taskSchemas.claimQuerySchema, properties: { ...taskSchemas.claimQuerySchema.properties, wait: { const: 0 } } }, 'query'],
  ['POST', '/task', taskSchemas.reportSchema, 'body'],
  ['POST', '/tasks', taskSchemas.reportBatchSchema, 'body'],
  ['DELETE', '/task', taskSchemas.cancelQuerySchema, 'query'],
  ['PUT', '/worker', workerSchemas.registerWorkerSchema, 'body'],
  ['DELETE', '/worker', workerSchemas.removeWorkerQuerySchema, 'query'],
  ['PUT', '/interest', interestSchemas.setInterestsSchema, 'body'],
  ['DELETE', '/interest', interestSchemas.removeInterestsQuerySchema, 'query'],
  ['POST', '/interest/dry-run', interestSchemas.dryRunSchema, 'body'],
  ['PATCH', '/queue', queueSchemas.patchQueueSchema, 'body'],
  ['DELETE', '/queue', queueSchemas.queueQuerySchema, 'query'],
  ['DELETE', '/queue/tasks', queueSchemas.queueQuerySchema, 'query'],
  ['GET', '/queue/tasks', queueSchemas.queueTasksQuerySchema, 'query'],
  ['GET', '/failed', failedSchemas.listFailedQuerySchema, 'query'],
  ['POST', '/failed/retry', failedSchemas.retryFailedSchema, 'body'],
  ['DELETE', '/failed', failedSchemas.deleteFailedSchema, 'query'],
  ['PUT', '/schedule', scheduleSchemas.putScheduleSchema, 'body'],
  ['PATCH', '/schedule', scheduleSchemas.patchScheduleSchema, 'body'],
  ['DELETE', '/schedule', scheduleSchemas.scheduleNameQuerySchema, 'query'],
  ['GET', '/schedule', scheduleSchemas.listSchedulesQuerySchema, 'query'],
  ['GET', '/status', statusSchemas.statusQuerySchema, 'query'],
  ['GET', '/throughput', statusSchemas.throughputQuerySchema, 'query'],
  ['PUT', '/token', tokenSchemas.putTokenSchema, 'body'],
  ['DELETE', '/token', tokenSchemas.tokenNameQuerySchema, 'query'],
];

const NAMES = fc.constantFrom('a', 'b', 'q', 'email', '__proto__', 'constructor', '#x', 'a,b', '*', '', ' ', 'é', '\u0000');
const ODD_TEXT = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 10 }), NAMES, fc.constantFrom('0 3 * * *', '* * * * * *', 'Europe/Paris', 'http://127.0.0.1:9/x', 'not a url', '^a$', '(a|aa)+\\1', '.*', '[', 'x'.repeat(300)));

function arbitrary(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s: Schema) => arbitrary(s, depth + 1)));
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : ['object'];
  return fc.oneof(...types.map((t) => byType(t, schema, depth)));
}

function byType(type: string, schema: Schema, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null': return fc.constant(null);
    case 'boolean': return fc.boolean();
    case 'integer': return fc.integer({ min: Math.max(schema.minimum ?? -1e6, -1e9), max: Math.min(schema.maximum ?? 1e6, 1e9) });
    case 'number': return fc.double({ min: schema.minimum ?? schema.exclusiveMinimum ?? -1e6, max: Math.min(schema.maximum ?? 1e6, 1e9), noNaN: true, noDefaultInfinity: true });
    case 'string': return schema.pattern?.includes('^[^,*') ? fc.oneof(NAMES, ODD_TEXT) : ODD_TEXT;
    case 'array': return fc.array(arbitrary(schema.items ?? {}, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 5) });
    default: {
      if (!schema.properties) return fc.dictionary(fc.oneof(NAMES, fc.string({ maxLength: 8 })), typeof schema.additionalProperties === 'object' ? arbitrary(schema.additionalProperties, depth + 1) : fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
      const props = Object.fromEntries(Object.entries(schema.properties as Record<string, Schema>).map(([k, s]) => [k, arbitrary(s, depth + 1)]));
      return fc.record(props, { requiredKeys: (schema.required ?? []).filter((k: string) => k in props) });
    }
  }
}

/** A valid value, or one broken in one of the ways clients break them. */
function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const broken = fc.tuple(valid, fc.nat(), fc.jsonValue({ maxDepth: 3 })).map(([v, n, junk]) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return junk;
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    switch (n % 4) {
      case 0: if (keys.length) delete o[keys[n % keys.length]!]; return o;
      case 1: return { ...o, [`extra${n % 3}`]: junk };
      case 2: if (keys.length) o[keys[n % keys.length]!] = junk; return o;
      default: return junk;
    }
  });
  return fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: broken, weight: 2 });
}

const queryText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(...ROUTES.map(([method, path, schema, where]) =>
  mutated(arbitrary(schema)).map((value): FuzzRequest => {
    if (where === 'body') return { method, path, body: value };
    const q = value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : { junk: value };
    return { method, path, query: Object.fromEntries(Object.entries(q).map(([k, v]) => [k, queryText(v)])) };
  })));
