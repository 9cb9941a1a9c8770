// Every answer the HTTP tests receive through call() is checked against the OpenAPI document's
// schema for its route and status (routes/openapi.ts), so the document cannot drift from the server.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { OPERATIONS } from '../../routes/openapi.js';
import { answers } from '../../routes/answers.schema.js';

const ajv = new Ajv2020({ strict: false, allErrors: true, allowUnionTypes: true });
const checks = new Map<string, ValidateFunction>();
const errorCheck = ajv.compile(answers.errorAnswer);
for (const o of OPERATIONS) for (const [status, schema] of Object.entries(o.answers)) checks.set(`${o.method.toUpperCase()} ${o.path} ${status}`, ajv.compile(schema));
const known = new Set(OPERATIONS.map((o) => `${o.method.toUpperCase()} ${o.path}`));
/** Routes that answer text (Prometheus, JSON lines): their schema is of the text. */
const textAnswers = new Set(OPERATIONS.filter((o) => o.media?.answer).map((o) => `${o.method.toUpperCase()} ${o.path}`));

/** Throws when an answer of a documented route has a status or shape the document does not give it. */
export function checkAnswer(method: string, pathAndQuery: string, status: number, body: unknown, text: string): void {
  const path = pathAndQuery.split('?')[0]!;
  const route = `${method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase()} ${path}`;
  if (status >= 400) {
    // Errors of every route, documented or not (a 404 for an unknown path), have the one shape.
    if (body !== undefined && !errorCheck(body)) throw new Error(`${route} ${status}: not an error answer: ${ajv.errorsText(errorCheck.errors)} in ${text.slice(0, 300)}`);
    return;
  }
  if (!known.has(route) || method.toUpperCase() === 'HEAD') return; // the page's files
  const check = checks.get(`${route} ${status}`);
  if (!check) throw new Error(`${route} answered ${status}, which the OpenAPI document does not list for it`);
  const value = textAnswers.has(route) ? text : body;
  if (!check(value)) throw new Error(`${route} ${status} does not match its OpenAPI answer schema: ${ajv.errorsText(check.errors)} in ${text.slice(0, 300)}`);
}
