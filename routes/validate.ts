// Every body and query is checked by a JSON Schema compiled once at startup. Query strings and form
// bodies arrive as text, so they go through a coercing validator; form fields that the schema wants
// as objects or arrays arrive as JSON strings and are parsed first.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Request } from 'express';
import { BrokerError } from '../src/errors.js';

export type Schema = Record<string, unknown>;

const strictAjv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, coerceTypes: false });
const textAjv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, coerceTypes: true });

function describe(errors: ErrorObject[], where: 'body' | 'query'): { message: string; details: unknown[] } {
  const details = errors.map((e) => {
    const field = e.keyword === 'required' ? `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`
      : e.keyword === 'additionalProperties' ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`
        : e.instancePath;
    const name = field.replace(/^\//, '').replace(/\//g, '.') || where;
    const message = e.keyword === 'additionalProperties' ? 'is not a known field'
      : e.keyword === 'required' ? 'is required'
        : e.keyword === 'enum' ? `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
          : e.message ?? 'is invalid';
    return { where, field: name, message };
  });
  const first = details[0] ?? { field: where, message: 'is invalid' };
  return { message: `${where} ${first.field === where ? '' : `field ${first.field} `}${first.message}`, details };
}

function wantsJson(schema: unknown): boolean {
  const t = (schema as { type?: unknown } | undefined)?.type;
  const types = Array.isArray(t) ? t : [t];
  return types.includes('object') || types.includes('array') || (schema as { anyOf?: unknown[] })?.anyOf?.some(wantsJson) === true;
}

function parseFormJson(body: Record<string, unknown>, schema: Schema): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...body };
  for (const [k, v] of Object.entries(body)) {
    if (typeof v !== 'string' || !wantsJson(props[k]) || !/^\s*[[{]/.test(v)) continue;
    try {
      out[k] = JSON.parse(v);
    } catch {
      throw new BrokerError('invalid_json', `body field ${k} is not valid JSON`, [{ where: 'body', field: k, message: 'is not valid JSON' }]);
    }
  }
  return out;
}

/** How deep a body may nest: events are documents, not trees of thousands of levels, and every
 *  step that walks one (routing, storing, the page) must stay far from the stack's end. */
export const MAX_DEPTH = 64;

/** The first depth over MAX_DEPTH, found without recursion (a hostile body is deeper than the stack). */
function tooDeep(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_DEPTH) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (x !== null && typeof x === 'object') stack.push([x, depth + 1]);
  }
  return false;
}

export interface Validator<T> {
  body(req: Request): T;
  query(req: Request): T;
  /** A DELETE's parameters: the query string (SPEC), or a JSON body when the client sends one. */
  bodyOrQuery(req: Request): T;
  /** A JSON body already parsed (the fast path); undefined: there was none. */
  json(value: unknown): T;
  /** A query string already parsed into fields (the fast path). */
  fields(query: Record<string, unknown>): T;
}

export function validator<T>(schema: Schema): Validator<T> {
  const strict: ValidateFunction = strictAjv.compile(schema);
  const text: ValidateFunction = textAjv.compile(schema);
  const check = (fn: ValidateFunction, value: unknown, where: 'body' | 'query'): T => {
    if (tooDeep(value)) throw new BrokerError('invalid_input', `${where} nests deeper than ${MAX_DEPTH} levels`, [{ where, field: where, message: `nests deeper than ${MAX_DEPTH} levels` }]);
    if (!fn(value)) {
      const d = describe(fn.errors ?? [], where);
      throw new BrokerError('invalid_input', d.message, d.details);
    }
    return value as T;
  };
  const json = (value: unknown): T => {
    if (value === undefined) throw new BrokerError('invalid_input', 'a JSON body is required (Content-Type: application/json)', [{ where: 'body', field: 'body', message: 'is required' }]);
    return check(strict, value, 'body');
  };
  // A fresh object: ajv's coercion writes into it (and express 5's req.query is a getter).
  const fields = (query: Record<string, unknown>): T => check(text, { ...query }, 'query');
  return {
    bodyOrQuery(req) {
      return req.body !== undefined && Object.keys(req.query).length === 0 ? this.body(req) : this.query(req);
    },
    body(req) {
      if (req.is('application/x-www-form-urlencoded')) {
        return check(text, parseFormJson({ ...(req.body as Record<string, unknown>) }, schema), 'body');
      }
      return json(req.body);
    },
    query: (req) => fields(req.query as Record<string, unknown>),
    json,
    fields,
  };
}

/** Exactly one of the given fields must be present; returns its name. */
export function exactlyOne<T extends object>(input: T, fields: (keyof T & string)[], where: 'body' | 'query'): keyof T & string {
  const present = fields.filter((f) => input[f] !== undefined);
  if (present.length !== 1) {
    throw new BrokerError('invalid_input', `${where}: give exactly one of ${fields.join(', ')}${present.length ? ` (got ${present.join(' and ')})` : ''}`,
      fields.map((field) => ({ where, field, message: 'exactly one of these is required' })));
  }
  return present[0]!;
}
