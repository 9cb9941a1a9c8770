#!/usr/bin/env node
// The `switchyard` command: the built broker (npm run build), settings as flags or environment;
// `switchyard token ...` manages API tokens over HTTP (bin/token.mjs).
import { existsSync } from 'node:fs';
if (process.argv[2] === 'token') {
  const { tokenCommand } = await import('./token.mjs');
  process.exit(await tokenCommand(process.argv.slice(3)));
}
const main = new URL('../dist/src/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('switchyard: not built yet; run `npm run build` (npm start builds too)\n');
  process.exit(2);
}
await import(main.href);
