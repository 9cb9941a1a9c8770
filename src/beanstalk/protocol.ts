// The beanstalkd wire protocol (protocol.txt of beanstalkd 1.12) as plain data: reading commands
// off a byte stream (a command line, and for put its body), and writing replies. No I/O here.

/** A command line may be at most this long, its CRLF included (beanstalkd's LINE_BUF_SIZE). */
export const MAX_LINE_BYTES = 224;
/** Tube names: at most 200 bytes of these characters, not starting with a hyphen. */
const TUBE_NAME = /^[A-Za-z0-9+/;.$_()][A-Za-z0-9+/;.$_()-]{0,199}$/;
const UINT = /^\d{1,20}$/;
const CRLF = Buffer.from('\r\n');

export type Command =
  | { name: 'put'; pri: number; delay: number; ttr: number; body: Buffer }
  | { name: 'use' | 'watch' | 'ignore' | 'stats-tube'; tube: string }
  | { name: 'pause-tube'; tube: string; delay: number }
  | { name: 'reserve' | 'peek-ready' | 'peek-delayed' | 'peek-buried' | 'stats' | 'list-tubes' | 'list-tube-used' | 'list-tubes-watched' | 'quit' }
  | { name: 'reserve-with-timeout'; timeout: number }
  | { name: 'delete' | 'touch' | 'peek' | 'stats-job' | 'kick-job'; id: number }
  | { name: 'release'; id: number; pri: number; delay: number }
  | { name: 'bury'; id: number; pri: number }
  | { name: 'kick'; bound: number };

/** What the reader made of the input: a command, an error to answer (the connection goes on), or
 *  a fatal one (answered, then the connection is closed: its stream cannot be trusted). */
export type Read = { command: Command } | { error: 'BAD_FORMAT' | 'UNKNOWN_COMMAND' | 'JOB_TOO_BIG' | 'EXPECTED_CRLF' } | { fatal: 'BAD_FORMAT' };

/** Commands with their argument kinds: t a tube, n an unsigned integer. */
const SHAPES: Record<string, string> = {
  put: 'nnnn', use: 't', reserve: '', 'reserve-with-timeout': 'n', delete: 'n', release: 'nnn', bury: 'nn', touch: 'n',
  watch: 't', ignore: 't', peek: 'n', 'peek-ready': '', 'peek-delayed': '', 'peek-buried': '', kick: 'n', 'kick-job': 'n',
  'stats-job': 'n', 'stats-tube': 't', stats: '', 'list-tubes': '', 'list-tube-used': '', 'list-tubes-watched': '',
  'pause-tube': 'tn', quit: '',
};

/** Every command the listener reads (stats counts each but quit). */
export const COMMAND_NAMES: readonly string[] = Object.keys(SHAPES);

/** Reads commands off one connection's bytes as they arrive; holds at most one line and one body. */
export class CommandReader {
  private buf: Buffer = Buffer.alloc(0);
  /** A put whose body is being read. */
  private pending: { head: Omit<Extract<Command, { name: 'put' }>, 'body'>; bytes: number } | null = null;
  /** Bytes of a body too big (and its CRLF) still to be skipped: it is never held. */
  private skipping = 0;

  constructor(private readonly maxJobBytes: number) {}

  /** Part of a command has arrived, not all of it (a stop waits for the rest). */
  get midCommand(): boolean { return this.buf.length > 0 || this.pending !== null || this.skipping > 0; }

  push(chunk: Buffer): Read[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Read[] = [];
    for (;;) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, this.buf.length);
        this.skipping -= n;
        this.buf = this.buf.subarray(n);
        if (this.skipping > 0) break;
        out.push({ error: 'JOB_TOO_BIG' });
        continue;
      }
      if (this.pending) {
        const { head, bytes } = this.pending;
        if (this.buf.length < bytes + 2) break;
        this.pending = null;
        const body = Buffer.from(this.buf.subarray(0, bytes));
        const crlf = this.buf.subarray(bytes, bytes + 2).equals(CRLF);
        this.buf = this.buf.subarray(bytes + 2);
        out.push(crlf ? { command: { ...head, body } } : { error: 'EXPECTED_CRLF' });
        continue;
      }
      const end = this.buf.indexOf(CRLF);
      if (end < 0) {
        if (this.buf.length >= MAX_LINE_BYTES) { this.buf = Buffer.alloc(0); out.push({ fatal: 'BAD_FORMAT' }); }
        break;
      }
      if (end + 2 > MAX_LINE_BYTES) { this.buf = Buffer.alloc(0); out.push({ fatal: 'BAD_FORMAT' }); break; }
      const line = this.buf.subarray(0, end).toString('latin1');
      this.buf = this.buf.subarray(end + 2);
      const read = parseLine(line);
      if ('put' in read) {
        if (read.put.bytes > this.maxJobBytes) this.skipping = read.put.bytes + 2;
        else this.pending = read.put;
        continue;
      }
      out.push(read);
    }
    return out;
  }
}

type LineRead = Read | { put: { head: Omit<Extract<Command, { name: 'put' }>, 'body'>; bytes: number } };

function parseLine(line: string): LineRead {
  const words = line.split(' ');
  const name = words[0]!;
  const shape = SHAPES[name];
  if (shape === undefined) return { error: 'UNKNOWN_COMMAND' };
  const args = words.slice(1);
  if (args.length !== shape.length) return { error: 'BAD_FORMAT' };
  const nums: number[] = [];
  let tube = '';
  for (const [i, kind] of [...shape].entries()) {
    const a = args[i]!;
    if (kind === 't') {
      if (!TUBE_NAME.test(a)) return { error: 'BAD_FORMAT' };
      tube = a;
    } else {
      if (!UINT.test(a)) return { error: 'BAD_FORMAT' };
      const n = Number(a);
      if (!Number.isSafeInteger(n)) return { error: 'BAD_FORMAT' };
      nums.push(n);
    }
  }
  switch (name) {
    case 'put': return { put: { head: { name, pri: nums[0]!, delay: nums[1]!, ttr: nums[2]! }, bytes: nums[3]! } };
    case 'use': case 'watch': case 'ignore': case 'stats-tube': return { command: { name, tube } };
    case 'pause-tube': return { command: { name, tube, delay: nums[0]! } };
    case 'reserve-with-timeout': return { command: { name, timeout: nums[0]! } };
    case 'delete': case 'touch': case 'peek': case 'stats-job': case 'kick-job': return { command: { name, id: nums[0]! } };
    case 'release': return { command: { name, id: nums[0]!, pri: nums[1]!, delay: nums[2]! } };
    case 'bury': return { command: { name, id: nums[0]!, pri: nums[1]! } };
    case 'kick': return { command: { name, bound: nums[0]! } };
    default: return { command: { name } as Command };
  }
}

/** A reply line. */
export const line = (text: string): Buffer => Buffer.from(`${text}\r\n`, 'latin1');

/** A reply that carries data (RESERVED, FOUND, OK): the line, the bytes, CRLF. */
export const withData = (head: string, data: Buffer): Buffer => Buffer.concat([Buffer.from(`${head} ${data.length}\r\n`, 'latin1'), data, CRLF]);

/** beanstalkd's YAML: a dictionary of scalars, or a list of names. */
export function yamlDict(fields: Record<string, string | number | boolean>): Buffer {
  return Buffer.from(`---\n${Object.entries(fields).map(([k, v]) => `${k}: ${typeof v === 'boolean' ? String(v) : v}`).join('\n')}\n`);
}

export function yamlList(items: readonly string[]): Buffer {
  return Buffer.from(`---\n${items.map((i) => `- ${i}\n`).join('')}`);
}

export function isTubeName(s: string): boolean {
  return TUBE_NAME.test(s);
}
