// An index over compiled interests, so that a publish's routing cost does not grow with the number of
// queues whose interests cannot match it. A pair or clause whose value must equal a literal, or begin
// with one (`^userCreated$`, `^order-`, {"equals": ...}, {"prefix": ...}), is filed under that text;
// an event looks up its own field texts, and only the queues found there, plus those with some
// interest that cannot be filed, are matched in full (matchQueue). The index only narrows: it may
// name a queue that then does not match, never leave out one that would.
import type { CompiledInterests, CompiledQueue } from './compile.js';
import type { Field } from '../fields.js';
import { valuesAt, type CompiledClause } from './clauses.js';

/** What a value pattern promises about the text it matches: equal to a literal, or starting with one. */
export type Literal = { exact: string } | { prefix: string };

const META = '\\^$.|?*+()[]{}';
const isQuantifier = (c: string | undefined): boolean => c !== undefined && '?*+{'.includes(c);

/** The literal a regex pins its whole text to (`^abc$`) or its start to (`^abc`, `^ab[0-9]`), or null
 *  when it pins nothing (unanchored, top-level alternation, flags, an empty prefix). */
export function literalOf(pattern: string): Literal | null {
  if (!pattern.startsWith('^') || hasTopLevelBar(pattern)) return null;
  let literal = '';
  let i = 1;
  for (; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      // An escaped punctuation mark is itself; \d, \w, \b and the like are not literals.
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break;
      if (isQuantifier(pattern[i + 2])) break;
      literal += next;
      i++;
      continue;
    }
    if (META.includes(c)) break;
    // A quantifier after this character makes it optional or repeated: it is not part of the prefix.
    if (isQuantifier(pattern[i + 1])) break;
    literal += c;
  }
  if (i === pattern.length - 1 && pattern[i] === '$') return { exact: literal };
  return literal ? { prefix: literal } : null;
}

/** Whether the pattern has a `|` outside every group and class: then `^` anchors only one side. */
function hasTopLevelBar(pattern: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') { i++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

/** Texts filed by literal: exact ones in one map, prefixes by their length. */
class TextIndex {
  private readonly exact = new Map<string, Set<number>>();
  private readonly prefixes = new Map<number, Map<string, Set<number>>>();

  add(literal: Literal, queueAt: number): void {
    if ('exact' in literal) return add(this.exact, literal.exact, queueAt);
    let byText = this.prefixes.get(literal.prefix.length);
    if (!byText) this.prefixes.set(literal.prefix.length, byText = new Map());
    add(byText, literal.prefix, queueAt);
  }

  find(text: string, into: Set<number>): void {
    for (const q of this.exact.get(text) ?? []) into.add(q);
    for (const [length, byText] of this.prefixes) {
      if (length > text.length) continue;
      for (const q of byText.get(text.slice(0, length)) ?? []) into.add(q);
    }
  }
}

function add(map: Map<string, Set<number>>, key: string, queueAt: number): void {
  let set = map.get(key);
  if (!set) map.set(key, set = new Set());
  set.add(queueAt);
}

export class InterestIndex {
  /** Queues (by position) with an interest the index cannot file: always matched in full. */
  private readonly always: number[] = [];
  /** Map-form pairs, by their value's literal, whatever the field. */
  private readonly anyField = new TextIndex();
  /** Clauses, by the field of one condition that pins a literal. */
  private readonly byField = new Map<string, TextIndex>();

  constructor(private readonly queues: readonly CompiledQueue[]) {
    queues.forEach((q, at) => { if (!this.file(q, at)) this.always.push(at); });
  }

  /** The queues that may match, in the order of the interests. */
  candidates(fields: readonly Field[], data: Record<string, unknown>): CompiledQueue[] {
    const found = new Set<number>(this.always);
    for (const [, text] of fields) this.anyField.find(text, found);
    for (const [field, index] of this.byField) {
      for (const v of valuesAt(data, field).values) if (isScalar(v)) index.find(String(v), found);
    }
    return [...found].sort((a, b) => a - b).map((at) => this.queues[at]!);
  }

  /** Files every pair or clause of the queue; false when one of them cannot be filed. */
  private file(q: CompiledQueue, at: number): boolean {
    if (q.all) return false;
    if (q.clauses) {
      const keys = q.clauses.map(clauseLiteral);
      if (keys.some((k) => k === null)) return false;
      for (const k of keys) {
        let index = this.byField.get(k!.field);
        if (!index) this.byField.set(k!.field, index = new TextIndex());
        index.add(k!.literal, at);
      }
      return true;
    }
    // An empty map matches nothing: filed under nothing, never a candidate.
    const literals = q.pairs.map((p) => literalOf(p.valuePattern));
    if (literals.some((l) => l === null)) return false;
    for (const l of literals) this.anyField.add(l!, at);
    return true;
  }
}

/** One condition of the clause that pins its field's text to a literal (the clause holds only then). */
function clauseLiteral(c: CompiledClause): { field: string; literal: Literal } | null {
  for (const { field, condition } of c.conditions) {
    if (typeof condition === 'string') {
      const literal = literalOf(condition);
      if (literal) return { field, literal };
    } else if ('equals' in condition) {
      return { field, literal: { exact: String(condition.equals) } };
    } else if ('prefix' in condition && typeof condition.prefix === 'string') {
      return { field, literal: { prefix: condition.prefix } };
    }
  }
  return null;
}

const isScalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);

const built = new WeakMap<readonly CompiledQueue[], InterestIndex>();

/** The index of these compiled interests, built the first time it is asked for. */
export function indexOf(interests: CompiledInterests): InterestIndex {
  let index = built.get(interests.queues);
  if (!index) built.set(interests.queues, index = new InterestIndex(interests.queues));
  return index;
}
