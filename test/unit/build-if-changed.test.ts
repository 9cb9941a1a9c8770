// npm start's build step compiles only when a source changed: run in a copy of the project.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('npm start build step', () => {
  it('compiles on the first start and after a source changes, and not when nothing changed', () => {
    const copy = tempDir('switchyard-build-');
    try {
      for (const p of ['src', 'routes', 'bin', 'tsconfig.json', 'tsconfig.build.json', 'package.json']) cpSync(path.join(root, p), path.join(copy, p), { recursive: true });
      symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
      const start = () => spawnSync(process.execPath, [path.join(copy, 'bin', 'build-if-changed.mjs')], { cwd: copy, encoding: 'utf8' });
      const first = start();
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stderr, /compiling/);
      assert.ok(existsSync(path.join(copy, 'dist', 'src', 'main.js')));
      const second = start();
      assert.equal(second.status, 0);
      assert.equal(second.stderr, '', 'nothing changed: no compile');
      const later = new Date(Date.now() + 5_000);
      utimesSync(path.join(copy, 'src', 'ids.ts'), later, later);
      assert.match(start().stderr, /compiling/, 'a source changed');
      rmSync(path.join(copy, 'dist', 'src', 'main.js'));
      assert.match(start().stderr, /compiling/, 'the output is missing');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
