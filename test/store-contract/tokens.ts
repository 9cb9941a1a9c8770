// Store contract, API tokens: created once per name, found by hash, listed, touched, deleted.
import assert from 'node:assert/strict';
import type { TokenRecord } from '../../src/store/store.js';
import { T0, type Kit } from './harness.js';

const token = (name: string, over: Partial<TokenRecord> = {}): TokenRecord =>
  ({ name, role: 'work', queues: ['email'], hash: `${name}-hash`.padEnd(64, '0'), createdAtMs: T0, lastUsedAtMs: null, ...over });

export function tokensContract({ store, test }: Kit) {
  test('tokens: a name is created once, found by its hash, listed by name, touched and deleted', async () => {
    assert.equal(await store.hasTokens(), false);
    assert.equal(await store.createToken(token('w1')), true);
    assert.equal(await store.createToken(token('w1', { hash: 'other'.padEnd(64, '0') })), false, 'the name is taken');
    assert.equal(await store.createToken(token('adm', { role: 'admin', queues: null })), true);
    assert.equal(await store.hasTokens(), true);
    assert.deepEqual(await store.tokenByHash(token('w1').hash), token('w1'));
    assert.equal(await store.tokenByHash('other'.padEnd(64, '0')), null);
    assert.deepEqual((await store.listTokens()).map((t) => [t.name, t.role, t.queues]), [['adm', 'admin', null], ['w1', 'work', ['email']]]);
    await store.touchToken('w1', T0 + 5);
    await store.touchToken('w1', T0 + 1);
    assert.equal((await store.tokenByHash(token('w1').hash))!.lastUsedAtMs, T0 + 5, 'last use only moves forward');
    assert.equal(await store.deleteToken('w1'), true);
    assert.equal(await store.deleteToken('w1'), false);
    assert.equal(await store.tokenByHash(token('w1').hash), null);
    assert.equal(await store.deleteToken('adm'), true);
    assert.equal(await store.hasTokens(), false);
  });
}
