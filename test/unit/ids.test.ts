// Ids are UUIDv7: the version and variant bits of RFC 9562, the time in the first 48 bits, so ids
// made later sort after earlier ones (what keeps SQLite's index inserts at the end of the index).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { timeOrderedId } from '../../src/ids.js';

describe('ids', () => {
  it('are UUIDv7 carrying their time, sorting by it, and distinct', () => {
    const t = Date.UTC(2026, 10, 24, 10, 0, 0, 123);
    const id = timeOrderedId(t);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), t);
    assert.ok(timeOrderedId(t) < timeOrderedId(t + 1));
    const many = new Set(Array.from({ length: 10_000 }, () => timeOrderedId(t)));
    assert.equal(many.size, 10_000);
  });
});
