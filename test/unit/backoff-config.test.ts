import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelayMs } from '../../src/lifecycle/backoff.js';
import { loadConfig, helpText, ConfigError } from '../../src/config.js';

describe('backoff', () => {
  const policy = { backoffSeconds: 10, maxBackoffSeconds: 3600 };
  it('doubles per attempt with ±20% jitter', () => {
    assert.equal(retryDelayMs(1, policy, () => 0.5), 10_000);
    assert.equal(retryDelayMs(3, policy, () => 0.5), 40_000);
    assert.equal(retryDelayMs(3, policy, () => 0), 32_000);
    assert.equal(retryDelayMs(3, policy, () => 1), 48_000);
  });
  it('never waits longer than maxBackoffSeconds, even after many attempts', () => {
    assert.equal(retryDelayMs(500, policy, () => 1), 3_600_000);
  });
});

describe('config', () => {
  it('has the SPEC defaults', () => {
    const c = loadConfig({});
    assert.deepEqual([c.port, c.host, c.dbFile, c.leaseSeconds, c.workerTimeoutSeconds, c.couchbase], [8080, '127.0.0.1', './data/switchyard.db', 300, 600, null]);
  });
  it('flags win over the environment', () => {
    assert.equal(loadConfig({ PORT: '1' }, ['--port=2']).port, 2);
  });
  it('a bad value is refused naming the setting, never replaced by the default', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), (e: Error) => e instanceof ConfigError && /PORT="eighty"/.test(e.message));
    assert.throws(() => loadConfig({ COUCHBASE_CONNSTR: 'couchbase://x' }), /COUCHBASE_USERNAME/);
    // 0 shards once became 1 silently; past 4096 a shard's segment numbers stop being exact.
    for (const shards of ['0', '4097', '2.5']) {
      assert.throws(() => loadConfig({ COUCHBASE_QUEUE_SHARDS: shards }), (e: Error) => e instanceof ConfigError && /COUCHBASE_QUEUE_SHARDS=.* 1 to 4096/.test(e.message));
    }
    assert.equal(loadConfig({ COUCHBASE_CONNSTR: 'couchbase://x', COUCHBASE_USERNAME: 'u', COUCHBASE_PASSWORD: 'p', COUCHBASE_BUCKET: 'b', COUCHBASE_QUEUE_SHARDS: '4096' }).couchbase?.queueShards, 4096);
  });
  it('--help lists every setting with its default', () => {
    assert.match(helpText(), /SWITCHYARD_LEASE .*default 300/);
  });
});
