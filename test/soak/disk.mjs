// The disk-full fault. Where the machine allows it (root, mount), the SQLite file lives on a small
// tmpfs of its own, and filling is real: a filler file takes every free byte until ENOSPC, and
// freeing deletes it. Elsewhere, the brokers start with a preload (full-disk-preload.mjs) that makes
// every SQLite write fail with SQLITE_FULL while a flag file exists.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE_MB = 1024;
const preload = path.join(path.dirname(fileURLToPath(import.meta.url)), 'full-disk-preload.mjs');

export class Disk {
  constructor(scratch) {
    this.dir = path.join(scratch, 'disk');
    mkdirSync(this.dir, { recursive: true });
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE_MB}m`, 'tmpfs', this.dir], { encoding: 'utf8' });
    this.mounted = m.status === 0;
    this.flag = path.join(scratch, 'disk-full.flag');
    this.filler = path.join(this.dir, 'filler');
    this.kind = this.mounted ? `a ${SIZE_MB} MB tmpfs filled to ENOSPC` : `writes failing with SQLITE_FULL (could not mount a tmpfs: ${(m.stderr || m.error?.message || '').trim().split('\n')[0]})`;
  }

  /** What the brokers need: the file's place, and the preload where nothing is mounted. */
  brokerSetup() {
    return { db: path.join(this.dir, 'sy.db'), env: this.mounted ? {} : { SOAK_DISK_FULL_FLAG: this.flag }, execArgv: this.mounted ? [] : ['--import', preload] };
  }

  /** Fills the disk; answers how many MB it took. */
  fill() {
    if (!this.mounted) { writeFileSync(this.flag, ''); return 0; }
    const fd = openSync(this.filler, 'w');
    const chunk = Buffer.alloc(1 << 20);
    let mb = 0;
    try { for (;;) { writeSync(fd, chunk); mb++; } } catch (e) { if (e.code !== 'ENOSPC') throw e; } finally { closeSync(fd); }
    return mb;
  }

  free() {
    rmSync(this.mounted ? this.filler : this.flag, { force: true });
  }

  close() {
    this.free();
    if (this.mounted) spawnSync('umount', ['-l', this.dir]);
  }
}
