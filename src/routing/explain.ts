// Dry-run of routing: for each queue, which field and pattern matched, or why none did.
import type { CompiledInterests } from './compile.js';
import type { MatchedInterest } from '../model.js';
import { FIELD_TEXT_MAX_CHARS, flattenFields, matchQueue, routableFields } from './match.js';
import { clauseMisses } from './clauses.js';

export interface Explanation {
  queue: string;
  matched: boolean;
  interest?: MatchedInterest;
  why?: string;
}

export function explainRouting(interests: CompiledInterests, data: Record<string, unknown>): Explanation[] {
  const fields = routableFields(data);
  const tooLong = flattenFields(data).length - fields.length;
  const skipped = tooLong ? ` (${tooLong} field(s) over ${FIELD_TEXT_MAX_CHARS} characters are not matched)` : '';
  return interests.queues.map((q) => {
    const interest = matchQueue(q, fields, data);
    if (interest) return { queue: q.queue, matched: true, interest };
    if (q.clauses) return { queue: q.queue, matched: false, why: clauseMisses(q.clauses, data) };
    const keyHits = q.pairs.filter((p) => fields.some(([path]) => p.key.test(path)));
    const why = keyHits.length === 0
      ? `no field name matches any key pattern (${q.pairs.map((p) => JSON.stringify(p.keyPattern)).join(', ')})`
      : keyHits.map((p) => `fields matching ${JSON.stringify(p.keyPattern)} have no value matching ${JSON.stringify(p.valuePattern)}`).join('; ');
    return { queue: q.queue, matched: false, why: why + skipped };
  });
}
