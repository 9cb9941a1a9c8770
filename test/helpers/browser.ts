// Real headless Chromium (Debian's package) through playwright-core, with the flags this offline
// machine needs; a fresh profile per launch. chromiumPath() is null when it is not installed.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { TestServer } from './server.js';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];

export function chromiumPath(): string | null {
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export interface RunningBrowser {
  context: BrowserContext;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<RunningBrowser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium is not installed (apt-get install chromium)');
  const profile = mkdtempSync(path.join(tmpdir(), 'switchyard-chromium-'));
  // A persistent context is how playwright takes --user-data-dir: a fresh directory each launch.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, headless: true, viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface PageWatch {
  /** Page errors, console errors and dialogs nobody expected: a test asserts this stays empty. */
  errors: string[];
  /** Messages of the confirm() dialogs the test accepted. */
  confirmed: string[];
  /** Accept the next confirm() dialog (the page asks before anything it cannot undo). */
  acceptNextDialog(): void;
  /** Chromium logs every 4xx answer as a console error; a test that provokes one on purpose says so. */
  allowRefusedRequests(): void;
}

export function watchPage(page: Page): PageWatch {
  let accept = 0;
  let refusedOk = false;
  const w: PageWatch = { errors: [], confirmed: [], acceptNextDialog: () => { accept++; }, allowRefusedRequests: () => { refusedOk = true; } };
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (refusedOk && /^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return;
    w.errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    if (accept > 0 && d.type() === 'confirm') { accept--; w.confirmed.push(d.message()); void d.accept(); return; }
    w.errors.push(`unexpected ${d.type()} dialog: ${d.message()}`);
    void d.dismiss();
  });
  return w;
}

/** Why a browser suite is skipped, or false when Chromium is here to run it. */
export const SKIP_WITHOUT_CHROMIUM = chromiumPath() ? false : 'skipped: Chromium not found at /usr/bin/chromium (.ci/run installs Debian\'s chromium)';

export interface PageUnderTest { s: TestServer; page: Page; watch: PageWatch }

/** A browser suite's hooks: one Chromium for the suite; for each test a broker from start, a page and
 *  its watch (handed to use), closed after the test, which fails on any script error, console error
 *  or unexpected dialog. Call it inside the suite's describe. */
export function eachTestPage(start: () => Promise<TestServer>, use: (t: PageUnderTest) => void): void {
  let chromium: RunningBrowser | undefined;
  let t: PageUnderTest | undefined;
  before(async () => { chromium = await launchChromium(); });
  after(async () => { await chromium?.close(); });
  beforeEach(async () => {
    const s = await start();
    const page = await chromium!.newPage();
    t = { s, page, watch: watchPage(page) };
    use(t);
  });
  afterEach(async () => {
    await t!.page.close();
    await t!.s.stop();
    assert.deepEqual(t!.watch.errors, [], 'no script error, console error or unexpected dialog');
  });
}
