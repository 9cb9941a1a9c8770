// The clause form of interests: a list of clauses, any of which matches; a clause is an object whose
// fields (dot paths) must all match, each by a regex or by one operator named as SNS filter policies
// name them. Checking and matching, pure; matching is linear in the event's size.
import net from 'node:net';
import type { Clause, Condition } from '../model.js';
import { compilePattern, FIELD_TEXT_MAX_CHARS, type PatternProblem, type TextMatcher } from './pattern-safety.js';

export const OPERATORS = ['equals', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'cidr'] as const;
const NUMERIC_OPS = new Set(['=', '<', '<=', '>', '>=']);

type Scalar = string | number | boolean | null;
const isScalar = (v: unknown): v is Scalar => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** The values at a dot path: an array on the way (or at the end) stands for each of its items, and
 *  a numeric step indexes it; none when the field is missing. */
export function valuesAt(data: unknown, path: string): { present: boolean; values: unknown[] } {
  let at: unknown[] = [data];
  for (const step of path.split('.')) {
    const next: unknown[] = [];
    for (const v of at) {
      if (Array.isArray(v)) {
        if (/^\d+$/.test(step) && Number(step) < v.length) next.push(v[Number(step)]);
        else for (const item of v) if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.hasOwn(item, step)) next.push((item as Record<string, unknown>)[step]);
      } else if (v !== null && typeof v === 'object' && Object.hasOwn(v, step)) {
        next.push((v as Record<string, unknown>)[step]);
      }
    }
    at = next;
  }
  return { present: at.length > 0, values: at.flatMap((v) => (Array.isArray(v) ? v : [v])) };
}

export interface CompiledCondition { field: string; condition: Condition; holds: (found: { present: boolean; values: unknown[] }) => boolean }
export interface CompiledClause { clause: Clause; conditions: CompiledCondition[] }

/** Every problem of a clause list, each naming its clause and field (empty when it compiles). */
export function checkClauses(clauses: readonly Clause[]): PatternProblem[] {
  const problems: PatternProblem[] = [];
  clauses.forEach((clause, i) => {
    if (Object.keys(clause).length === 0) problems.push({ where: `interests[${i}]`, pattern: '{}', reason: 'a clause needs at least one field' });
    for (const [field, condition] of Object.entries(clause)) {
      const r = compileCondition(field, condition);
      if ('problem' in r) problems.push({ where: `interests[${i}].${field}`, pattern: JSON.stringify(condition), reason: r.problem });
    }
  });
  return problems;
}

/** Compiled clauses; call after checkClauses found nothing. */
export function compileClauses(clauses: readonly Clause[]): CompiledClause[] {
  return clauses.map((clause) => ({ clause, conditions: Object.entries(clause).map(([field, c]) => compileCondition(field, c) as CompiledCondition) }));
}

/** The first clause all of whose conditions hold, with its index, or null. */
export function matchClauses(clauses: readonly CompiledClause[], data: Record<string, unknown>): { clause: number; conditions: Clause } | null {
  for (const [i, c] of clauses.entries()) {
    if (c.conditions.every((k) => k.holds(valuesAt(data, k.field)))) return { clause: i, conditions: c.clause };
  }
  return null;
}

/** Why no clause matched: each clause's first condition that does not hold. */
export function clauseMisses(clauses: readonly CompiledClause[], data: Record<string, unknown>): string {
  return clauses.map((c, i) => {
    let found = { present: false, values: [] as unknown[] };
    const miss = c.conditions.find((k) => !k.holds(found = valuesAt(data, k.field)))!;
    return `clause ${i}: ${miss.field} ${JSON.stringify(miss.condition)} does not hold (${found.present ? `value ${JSON.stringify(found.values.length === 1 ? found.values[0] : found.values).slice(0, 200)}` : 'no such field'})`;
  }).join('; ');
}

function compileCondition(field: string, condition: Condition): CompiledCondition | { problem: string } {
  const ok = (test: (v: unknown) => boolean, whenMissing = false): CompiledCondition =>
    ({ field, condition, holds: (f) => (f.present ? f.values.some(test) : whenMissing) });
  if (field === '' || field.split('.').some((s) => s === '')) return { problem: 'a field is a dot path of names, e.g. user.email' };
  if (typeof condition === 'string') {
    const m = compilePattern(condition);
    if ('problem' in m) return m;
    return ok((v) => isScalar(v) && text(v, m));
  }
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition) || Object.keys(condition).length !== 1) {
    return { problem: `a condition is a regex string or an object with one of ${OPERATORS.join(', ')}` };
  }
  const [op, arg] = Object.entries(condition)[0]! as [string, unknown];
  switch (op) {
    case 'equals':
      if (!isScalar(arg)) return { problem: 'equals takes a string, number, boolean or null' };
      return ok((v) => v === arg);
    case 'equals-ignore-case': {
      if (typeof arg !== 'string') return { problem: 'equals-ignore-case takes a string' };
      const lower = arg.toLowerCase();
      return ok((v) => typeof v === 'string' && v.toLowerCase() === lower);
    }
    case 'prefix': case 'suffix':
      if (typeof arg !== 'string' || arg === '') return { problem: `${op} takes a non-empty string` };
      return ok((v) => typeof v === 'string' && (op === 'prefix' ? v.startsWith(arg) : v.endsWith(arg)));
    case 'anything-but': {
      // A missing field never matches: "anything but X" speaks of a value that is there.
      if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) {
        const prefix = (arg as Record<string, unknown>).prefix;
        if (Object.keys(arg).length !== 1 || typeof prefix !== 'string' || prefix === '') return { problem: 'anything-but takes a list of values, one value, or {"prefix": "..."}' };
        return ok((v) => typeof v === 'string' && !v.startsWith(prefix));
      }
      const list = Array.isArray(arg) ? arg : [arg];
      if (list.length === 0 || !list.every(isScalar)) return { problem: 'anything-but takes a list of values, one value, or {"prefix": "..."}' };
      return ok((v) => isScalar(v) && !list.includes(v));
    }
    case 'numeric': {
      const terms = Array.isArray(arg) ? arg : [];
      const pairs: [string, number][] = [];
      for (let i = 0; i + 1 < terms.length; i += 2) pairs.push([terms[i] as string, terms[i + 1] as number]);
      if (terms.length === 0 || terms.length % 2 !== 0 || terms.length > 4 || pairs.some(([o, n]) => !NUMERIC_OPS.has(o) || typeof n !== 'number' || !Number.isFinite(n))) {
        return { problem: 'numeric takes one or two comparisons, e.g. [">=", 18, "<", 65]; operators =, <, <=, >, >=' };
      }
      // Numbers only: the text "18" is not the number 18.
      return ok((v) => typeof v === 'number' && pairs.every(([o, n]) => compare(v, o, n)));
    }
    case 'exists':
      if (typeof arg !== 'boolean') return { problem: 'exists takes true or false' };
      return { field, condition, holds: (f) => f.present === arg };
    case 'cidr': {
      const block = subnet(arg);
      if (!block) return { problem: 'cidr takes an IPv4 or IPv6 subnet, e.g. "10.0.0.0/8"' };
      return ok((v) => typeof v === 'string' && net.isIP(v) !== 0 && block.check(v, net.isIP(v) === 6 ? 'ipv6' : 'ipv4'));
    }
    default:
      return { problem: `unknown operator ${JSON.stringify(op)}: use one of ${OPERATORS.join(', ')}` };
  }
}

function text(v: Scalar, m: TextMatcher): boolean {
  const t = typeof v === 'string' ? v : String(v);
  return t.length <= FIELD_TEXT_MAX_CHARS && m.test(t);
}

function compare(v: number, op: string, n: number): boolean {
  switch (op) {
    case '=': return v === n;
    case '<': return v < n;
    case '<=': return v <= n;
    case '>': return v > n;
    default: return v >= n;
  }
}

function subnet(arg: unknown): net.BlockList | null {
  if (typeof arg !== 'string') return null;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(arg);
  const family = m ? net.isIP(m[1]!) : 0;
  if (!m || family === 0 || Number(m[2]) > (family === 6 ? 128 : 32)) return null;
  const block = new net.BlockList();
  block.addSubnet(m[1]!, Number(m[2]), family === 6 ? 'ipv6' : 'ipv4');
  return block;
}
