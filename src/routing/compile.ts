// Compiles a queue's interest map once per revision: "*", {keyPattern: valuePattern}, or clauses.
import { BrokerError } from '../errors.js';
import type { InterestMap } from '../model.js';
import { compilePattern, type PatternProblem, type TextMatcher } from './pattern-safety.js';
import { checkClauses, compileClauses, type CompiledClause } from './clauses.js';

export interface CompiledPair {
  keyPattern: string;
  valuePattern: string;
  key: TextMatcher;
  value: TextMatcher;
}

export interface CompiledQueue {
  queue: string;
  all: boolean;
  pairs: CompiledPair[];
  /** The clause form, when the queue's interests are a list. */
  clauses?: CompiledClause[];
}

export interface CompiledInterests {
  revision: number;
  queues: CompiledQueue[];
}

/** Every problem in a map (empty when it compiles): for the 400 and for live validation. */
export function checkInterestMap(interests: InterestMap): PatternProblem[] {
  if (interests === '*') return [];
  if (Array.isArray(interests)) return checkClauses(interests);
  const problems: PatternProblem[] = [];
  for (const [k, v] of Object.entries(interests)) {
    const key = compilePattern(k);
    if ('problem' in key) problems.push({ where: `interests key ${JSON.stringify(k)}`, pattern: k, reason: key.problem });
    const value = compilePattern(v);
    if ('problem' in value) problems.push({ where: `interests[${JSON.stringify(k)}]`, pattern: v, reason: value.problem });
  }
  return problems;
}

export function compileInterestMap(queue: string, interests: InterestMap): CompiledQueue {
  if (interests === '*') return { queue, all: true, pairs: [] };
  const problems = checkInterestMap(interests);
  if (problems.length) {
    const first = problems[0]!;
    throw new BrokerError('pattern_invalid', `${first.where}: pattern ${JSON.stringify(first.pattern)} is refused: ${first.reason}`, problems);
  }
  if (Array.isArray(interests)) return { queue, all: false, pairs: [], clauses: compileClauses(interests) };
  const pairs = Object.entries(interests).map(([k, v]) => ({
    keyPattern: k, valuePattern: v, key: compilePattern(k) as TextMatcher, value: compilePattern(v) as TextMatcher,
  }));
  return { queue, all: false, pairs };
}
