// The README is part of the product: its error table lists exactly the catalog, and its curl
// walkthrough works as pasted against a real broker.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ERRORS } from '../../src/errors.js';
import { spawnBroker } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('lists exactly the error codes of the catalog, each with its status', () => {
    const section = readme.split('### Error codes')[1]!.split('\n## ')[0]!;
    const rows = [...section.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(Object.fromEntries(rows), { ...ERRORS });
  });

  it('the curl walkthrough works as pasted', async (t) => {
    if (spawnSync('curl', ['--version']).status !== 0) { t.skip('skipped: curl is not installed'); return; }
    const block = readme.split('Walkthrough')[1]!.split('```sh\n')[1]!.split('```')[0]!;
    const b = await spawnBroker(path.join(tempDir(), 'readme.db'));
    try {
      const script = block.replaceAll('http://127.0.0.1:8080', b.url);
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /"state":"succeeded"/);
      assert.match(r.stdout, /"state":"failed"/);
      assert.match(r.stdout, /"total":1,"tasks":\[\{[^]*"failReason":"points service down"/);
      assert.match(r.stdout, /\{"retried":1\}/);
      const first = JSON.parse(spawnSync('curl', ['-s', `${b.url}/status?queue=email`], { encoding: 'utf8' }).stdout);
      assert.equal(first.counts.succeeded, 1, 'email was taken first, as the worker ranks it');
    } finally {
      b.proc.kill('SIGKILL');
      await b.exited;
    }
  });
});
