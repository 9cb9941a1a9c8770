// The README's examples, taken from the README itself so the tests run exactly what users copy.
import { readFileSync } from 'node:fs';
import { createHmac, timingSafeEqual } from 'node:crypto';

export const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The first fenced block of the given language after `marker`. */
export function readmeBlock(marker: string, lang: 'sh' | 'js' | 'json', nth = 0): string {
  const after = readme.split(marker)[1];
  if (after === undefined) throw new Error(`README has no ${JSON.stringify(marker)}`);
  const blocks = after.split('```' + lang + '\n').slice(1).map((b) => b.split('```')[0]!);
  const block = blocks[nth];
  if (block === undefined) throw new Error(`README has no ${lang} block ${nth} after ${JSON.stringify(marker)}`);
  return block;
}

export type VerifySwitchyard = (headers: Record<string, unknown>, rawBody: string, secret: string) => boolean;

/** The push signature check the README tells receivers to copy, as a function. */
export function readmeVerifySwitchyard(): VerifySwitchyard {
  const code = readmeBlock('Checking it in the receiver', 'js').replace(/^import .*$/m, '');
  return new Function('createHmac', 'timingSafeEqual', 'Buffer', `${code}\nreturn verifySwitchyard;`)(createHmac, timingSafeEqual, Buffer) as VerifySwitchyard;
}
