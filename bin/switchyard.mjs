#!/usr/bin/env node
// The `switchyard` command: the built broker (npm run build), settings as flags or environment.
import { existsSync } from 'node:fs';
const main = new URL('../dist/src/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('switchyard: not built yet; run `npm run build` (npm start builds too)\n');
  process.exit(2);
}
await import(main.href);
