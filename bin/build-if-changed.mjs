#!/usr/bin/env node
// npm start's build step: compiles src/ and routes/ only when a source or build setting changed since
// the last build (a full tsc run takes seconds; this check takes milliseconds).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stampFile = path.join(root, 'dist', '.sources-stamp');
const inputs = ['src', 'routes', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** Every input file's path, size and modification time: any edit, addition or removal changes it. */
function fingerprint() {
  const hash = createHash('sha256');
  const walk = (rel) => {
    const full = path.join(root, rel);
    const st = statSync(full, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) { for (const name of readdirSync(full).sort()) walk(path.join(rel, name)); return; }
    hash.update(`${rel}\0${st.size}\0${st.mtimeMs}\n`);
  };
  inputs.forEach(walk);
  return hash.digest('hex');
}

const now = fingerprint();
const built = existsSync(path.join(root, 'dist', 'src', 'main.js')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === now;
if (!built) {
  process.stderr.write('switchyard: sources changed since the last build; compiling (npm run build)\n');
  // The SDK's types, generated from the OpenAPI document (not kept in git), then the broker, then the
  // SDK's type declarations (switchyard/client's "types").
  const types = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bin', 'client-types.ts')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (types.status !== 0) process.exit(types.status ?? 1);
  for (const project of ['tsconfig.build.json', path.join('src', 'client', 'tsconfig.json')]) {
    const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: root, stdio: 'inherit' });
    if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  }
  // Taken again: generating the types changed src/.
  writeFileSync(stampFile, fingerprint());
}
