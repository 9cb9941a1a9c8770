// The beanstalkd reader and the job rules without a socket: commands split across chunks at any
// byte, pipelined ones, bodies skipped when too big; bodies and priorities as tasks hold them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommandReader, type Read } from '../../src/beanstalk/protocol.js';
import { bodyOfData, dataOfBody, priOfPriority, priorityOfPri } from '../../src/beanstalk/jobs.js';

const readAll = (maxJob: number, chunks: Buffer[]): Read[] => {
  const r = new CommandReader(maxJob);
  return chunks.flatMap((c) => r.push(c));
};

describe('beanstalkd protocol reader', () => {
  const stream = Buffer.from('use a\r\nput 1 2 3 4\r\nab\r\n\r\nwatch b\r\nput 0 0 1 3000\r\n' + 'z'.repeat(3000) + '\r\nstats-job 7\r\n');
  const expected: Read[] = [
    { command: { name: 'use', tube: 'a' } },
    { command: { name: 'put', pri: 1, delay: 2, ttr: 3, body: Buffer.from('ab\r\n') } },
    { command: { name: 'watch', tube: 'b' } },
    { error: 'JOB_TOO_BIG' },
    { command: { name: 'stats-job', id: 7 } },
  ];

  it('reads pipelined commands in one chunk', () => {
    assert.deepEqual(readAll(1024, [stream]), expected);
  });

  it('reads the same split at every byte', () => {
    assert.deepEqual(readAll(1024, [...stream].map((b) => Buffer.from([b]))), expected);
  });

  it('a line without CRLF past 224 bytes is fatal; a body without CRLF is EXPECTED_CRLF', () => {
    assert.deepEqual(readAll(1024, [Buffer.from('x'.repeat(230))]), [{ fatal: 'BAD_FORMAT' }]);
    assert.deepEqual(readAll(1024, [Buffer.from('put 0 0 1 2\r\nabcdlist-tubes\r\n')]), [{ error: 'EXPECTED_CRLF' }, { command: { name: 'list-tubes' } }]);
  });
});

describe('beanstalkd jobs as tasks', () => {
  it('bodies come back as the same bytes; other data as its JSON', () => {
    for (const body of [Buffer.from('plain'), Buffer.from('héllo ✓'), Buffer.from([0xff, 0xfe, 0x00]), Buffer.alloc(0)]) {
      assert.deepEqual(bodyOfData(dataOfBody(body)), body);
    }
    assert.deepEqual(dataOfBody(Buffer.from([0xff])), { bodyBase64: '/w==' });
    assert.equal(bodyOfData({ to: 'a', n: 1 }).toString(), '{"to":"a","n":1}');
  });

  it('pri 0 is the most urgent and maps both ways up to 1,000,000', () => {
    assert.ok(priorityOfPri(0) > priorityOfPri(1) && priorityOfPri(1) > priorityOfPri(1024));
    for (const pri of [0, 1, 1024, 1_000_000]) assert.equal(priOfPriority(priorityOfPri(pri)), pri);
    assert.equal(priorityOfPri(4_294_967_295), priorityOfPri(1_000_000));
    assert.equal(priOfPriority(50), 0, 'an HTTP task more urgent than the default is pri 0');
  });
});
