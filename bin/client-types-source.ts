// The text of src/client/api-types/*.ts as openapi-typescript makes it from the OpenAPI document now,
// one file per area of the API the SDK calls (all of it in one file was 2,800 lines):
// bin/client-types.ts writes them, test/unit/client-types.test.ts compares them with the files.
import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from '../routes/openapi.js';

/** The operations the SDK calls (routes/openapi.ts ids), by the file their types go to. */
export const CLIENT_TYPE_FILES = {
  work: ['registerWorker', 'claim', 'report', 'reportBatch'],
  publish: ['publish'],
  failed: ['listFailed', 'retryFailed'],
  queues: ['setInterests', 'setQueuePolicy', 'putSchedule'],
  status: ['status'],
  transfer: ['importState'],
} as const;

type Doc = { paths: Record<string, Record<string, { operationId: string }>> } & Record<string, unknown>;

/** File name (under src/client/api-types/) to its text. */
export async function clientTypesSources(): Promise<Map<string, string>> {
  const doc = openApiDocument('0') as unknown as Doc;
  const out = new Map<string, string>();
  for (const [file, ids] of Object.entries(CLIENT_TYPE_FILES)) {
    // The document with only this area's operations.
    const paths: Doc['paths'] = {};
    for (const [p, methods] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(methods)) if ((ids as readonly string[]).includes(op.operationId)) (paths[p] ??= {})[m] = op;
    }
    // emptyObjectsUnknown: an event's data is any object (Record<string, unknown>), not an empty one.
    const ast = await openapiTS({ ...doc, paths } as unknown as Parameters<typeof openapiTS>[0], { emptyObjectsUnknown: true });
    out.set(`${file}.ts`, `// Generated from the OpenAPI document by \`npm run client-types\` (openapi-typescript); do not edit.\n${astToString(ast)}`);
  }
  return out;
}
