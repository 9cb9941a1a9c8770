// The SDK's types (src/client/api-types/*.ts) are what openapi-typescript makes of the OpenAPI document
// now (every build writes them; a route or answer changed since the last build fails here until the next).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { clientTypesSources } from '../../bin/client-types-source.js';

it('src/client/api-types/ is generated from the current OpenAPI document', async () => {
  for (const [file, text] of await clientTypesSources()) {
    const written = readFileSync(new URL(`../../src/client/api-types/${file}`, import.meta.url), 'utf8');
    assert.ok(written === text, `src/client/api-types/${file} is stale: run \`npm run client-types\``);
  }
});
