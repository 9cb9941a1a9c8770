#!/usr/bin/env node
// Before and after in one run: Switchyard at a git ref and at this working tree, rep by rep beside
// the same peers (before, after, then the peers, REPS times), then the scale checks of each, then
// both tables of `npm run bench` from the same peer figures. For a change that must not cost speed.
//   node bench/compare.mjs <ref> [<ref> ...]   e.g. node bench/compare.mjs 610d809 (several refs: each one a side)
//   REPS=3 BENCH_N=10000 PEERS="bullmq-aof pgboss-on http" node bench/compare.mjs <ref>
//   SKIP_SCALE=1 leaves out the scale checks (a million tasks per side: most of the run's time)
// Writes bench/results/<run>-before.jsonl and <run>-after.jsonl (each: the peers, that side, its scale line).
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const refs = process.argv.slice(2);
if (!refs.length) fail('usage: node bench/compare.mjs <git ref> [<git ref> ...]');
const kit = process.env.PEER_KIT ?? path.resolve(root, '..', 'shared', 'bench', 'peers');
if (!existsSync(path.join(kit, 'node_modules'))) fail(`the peer kit at ${kit} is not set up: run  bash ${path.join(kit, 'setup.sh')}  (or set PEER_KIT)`);
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COUCHBASE_')));
const reps = Number(env.REPS ?? 3);
const peers = env.PEERS ?? 'bullmq-aof pgboss-on http';
const run = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const out = (side) => path.join(root, 'bench', 'results', `${run}-${side}.jsonl`);

// Each ref in a scratch worktree that shares this checkout's node_modules (a link outside the repo).
const scratch = mkdtempSync(path.join(os.tmpdir(), 'switchyard-before-'));
const sides = {};
for (const [i, ref] of refs.entries()) {
  const tree = path.join(scratch, `tree${i}`);
  git('worktree', 'add', '--detach', tree, ref);
  symlinkSync(path.join(root, 'node_modules'), path.join(tree, 'node_modules'));
  sides[refs.length === 1 ? 'before' : `before-${ref}`] = tree;
}
sides.after = root;
const trees = Object.values(sides).filter((d) => d !== root);
try {
  for (const dir of Object.values(sides)) sh('npm', ['run', 'build', '--silent'], dir);
  for (let rep = 1; rep <= reps; rep++) {
    for (const [side, dir] of Object.entries(sides)) kitRun('switchyard', rep, [out(side)], { SWITCHYARD_DIR: dir });
    kitRun(peers, rep, Object.keys(sides).map(out), {});
  }
  for (const [side, dir] of Object.entries(env.SKIP_SCALE ? {} : sides)) {
    const s = spawnSync(process.execPath, [path.join(dir, 'bench', 'scale.mjs')], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], env: { ...env, BENCH_RUN_ID: run }, encoding: 'utf8' });
    if (s.status !== 0) fail(`scale checks (${side}) failed`);
    appendFileSync(out(side), s.stdout.trim().split('\n').pop() + '\n');
  }
} finally {
  for (const tree of trees) git('worktree', 'remove', '--force', tree);
  rmSync(scratch, { recursive: true, force: true });
}
for (const side of Object.keys(sides)) {
  console.log(`\n## ${side}: ${side === 'after' ? 'working tree' : side.replace(/^before-?/, '') || refs[0]}\n`);
  sh(process.execPath, [path.join(root, 'bench', 'run.mjs'), `--from=${out(side)}`], root);
}

/** One rep of the kit for these peers; its lines, marked with our rep number, go to every file in `to`. */
function kitRun(which, rep, to, extra) {
  const tmp = path.join(scratch, 'rep.jsonl');
  writeFileSync(tmp, '');
  const r = spawnSync('bash', [path.join(kit, 'run-all.sh')], { cwd: kit, stdio: ['ignore', 'ignore', 'inherit'], env: { ...env, ...extra, PEERS: which, REPS: '1', BENCH_OUT: tmp } });
  if (r.status !== 0) fail(`the peer kit exited ${r.status}`);
  const lines = readFileSync(tmp, 'utf8').split('\n').filter(Boolean).map((l) => JSON.stringify({ ...JSON.parse(l), rep }));
  for (const f of to) appendFileSync(f, lines.join('\n') + '\n');
}

function git(...args) {
  const r = spawnSync('git', args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail(`git ${args.join(' ')} failed`);
}
function sh(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed in ${cwd}`);
}
function fail(msg) { console.error(`bench compare: ${msg}`); process.exit(1); }
