// GET /openapi.json: a valid OpenAPI 3.1 document of every route. (Every answer the HTTP suite
// receives is checked against it by test/helpers/http.ts; see answer-check.ts.)
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ROUTES_DIR = path.resolve(import.meta.dirname, '../../routes');

describe('the OpenAPI document', () => {
  let s: TestServer;
  after(async () => { await s?.stop(); });

  it('is served open at /openapi.json and validates against the OpenAPI 3.1 schema', async () => {
    s = await startTestServer({ SWITCHYARD_ADMIN_TOKEN: 'sy_admin_for_openapi_test_000000000' });
    const res = await fetch(`${s.url}/openapi.json`);
    assert.equal(res.status, 200, 'no token needed');
    const doc = await res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, '3.1.0');
    const validator = new Validator();
    const checked = await validator.validate(structuredClone(doc));
    assert.equal(checked.valid, true, JSON.stringify(checked.errors)?.slice(0, 2000));
    assert.equal(validator.version, '3.1');
    const broken = structuredClone(doc) as Record<string, unknown>;
    delete broken.info;
    assert.equal((await new Validator().validate(broken)).valid, false, 'the validator does refuse a broken document');
  });

  it('lists every route the routes/ files serve', async () => {
    const doc = await (await fetch(`${s.url}/openapi.json`)).json() as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    const served: string[] = [];
    for (const file of readdirSync(ROUTES_DIR).filter((f) => f.endsWith('.ts'))) {
      for (const m of readFileSync(path.join(ROUTES_DIR, file), 'utf8').matchAll(/\br\.(get|put|post|patch|delete)\('([^']+)'/g)) served.push(`${m[1]!.toUpperCase()} ${m[2]}`);
    }
    assert.ok(served.length >= 30, `found ${served.length} routes`);
    assert.deepEqual(served.filter((r) => !documented.has(r)), [], 'routes missing from the document');
    assert.deepEqual([...documented].filter((r) => !served.includes(r)), [], 'documented routes nobody serves');
  });
});
