// Two broker processes on one store (the same SQLite file, or the same Couchbase key prefix):
// workers on both pull the same queue at once, no task is ever handed to two workers at once, and
// every task completes exactly once.
import { describe, it } from 'node:test';
import path from 'node:path';
import { tempDir } from '../helpers/server.js';
import { completeOnNodes } from '../helpers/drain.js';

describe('two broker processes on one file', () => {
  it('never hand the same task to two workers at once', async () => {
    await completeOnNodes(path.join(tempDir(), 'shared.db'), 2, 600, 3, 5);
  });
});
