// The text of src/client/api-types.ts as openapi-typescript makes it from the OpenAPI document now:
// bin/client-types.ts writes it, test/unit/client-types.test.ts compares it with the file.
import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from '../routes/openapi.js';

export async function clientTypesSource(): Promise<string> {
  // emptyObjectsUnknown: an event's data is any object (Record<string, unknown>), not an empty one.
  const ast = await openapiTS(openApiDocument('0') as unknown as Parameters<typeof openapiTS>[0], { emptyObjectsUnknown: true });
  return `// Generated from the OpenAPI document by \`npm run client-types\` (openapi-typescript); do not edit.\n${astToString(ast)}`;
}
