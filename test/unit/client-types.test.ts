// The SDK's types (src/client/api-types.ts) are what openapi-typescript makes of the OpenAPI document
// now (every build writes it; a route or answer changed since the last build fails here until the next).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { clientTypesSource } from '../../bin/client-types-source.js';

it('src/client/api-types.ts is generated from the current OpenAPI document', async () => {
  const committed = readFileSync(new URL('../../src/client/api-types.ts', import.meta.url), 'utf8');
  assert.ok(committed === await clientTypesSource(), 'src/client/api-types.ts is stale: run `npm run client-types`');
});
