// Interest patterns run on RE2 (re2js, pure JS): matching time is linear in the input, so no pattern
// can stall publishing. What RE2 cannot promise (backreferences, lookaround) it refuses, and so do we.
import { RE2JS } from 're2js';
import { BrokerError } from '../errors.js';

export const PATTERN_MAX_CHARS = 1024;
/** Longer values are not matched at all (patterns run in time linear in the text, times the pattern's
 *  size; this bounds the text). Not cut short: `^a+$` would then match a value that ends otherwise. */
export const FIELD_TEXT_MAX_CHARS = 4096;
// RE2's program size approximates the matcher's work per character of text (and its memory); with
// the text per field capped (match.ts), this bounds one pair's cost per field. 5,000 let one pattern
// on one 100 KB value hold the event loop 5.6 s.
export const PROGRAM_MAX_SIZE = 200;

export interface TextMatcher {
  test(text: string): boolean;
}

export interface PatternProblem {
  where: string;
  pattern: string;
  reason: string;
}

const REGEX_META = /[\\^$.|?*+()[\]{}]/;

/** A matcher for one pattern, or the reason it is refused. Literal patterns skip the regex engine. */
export function compilePattern(pattern: string): TextMatcher | { problem: string } {
  if (pattern.length === 0) return { problem: 'the pattern is empty' };
  if (pattern.length > PATTERN_MAX_CHARS) return { problem: `the pattern is longer than ${PATTERN_MAX_CHARS} characters` };
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    return { problem: `not a pattern this broker runs: ${(e as Error).message} (backreferences and lookaround are refused because they cannot be matched in linear time)` };
  }
  if (re.programSize() > PROGRAM_MAX_SIZE) return { problem: `the pattern is too complex (program size ${re.programSize()}, limit ${PROGRAM_MAX_SIZE})` };
  return literalMatcher(pattern) ?? regexMatcher(pattern);
}

// A compiled program holds about 15 KB, and the one made above to judge the pattern is let go: a
// literal needs none, and a regex compiles again (about 40 µs) the first time a value reaches it. A
// broker with 10,000 queues of three patterns each kept 350 MB of programs, though an event's values
// reach only a few of those queues (interest-index.ts).
function literalMatcher(pattern: string): TextMatcher | null {
  if (!REGEX_META.test(pattern)) return { test: (text) => text.includes(pattern) };
  const exact = /^\^([^\\^$.|?*+()[\]{}]*)\$$/.exec(pattern);
  if (!exact) return null;
  const literal = exact[1]!;
  return { test: (text) => text === literal };
}

function regexMatcher(pattern: string): TextMatcher {
  let re: RE2JS | null = null;
  return { test: (text) => (re ??= RE2JS.compile(pattern)).test(text) };
}

/** Compiles or throws pattern_invalid naming every refused pattern. */
export function compilePatternOrThrow(pattern: string, where: string): TextMatcher {
  const m = compilePattern(pattern);
  if ('problem' in m) throw new BrokerError('pattern_invalid', `${where}: pattern ${JSON.stringify(pattern)} is refused: ${m.problem}`, [{ where, pattern, reason: m.problem }]);
  return m;
}
