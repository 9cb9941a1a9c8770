// Takes the README's screenshots of the management page: a broker on a temp SQLite file with a
// little traffic, headless Chromium, PNGs into docs/. Run: npx tsx docs/screenshots.ts
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../test/helpers/server.js';
import { launchChromium } from '../test/helpers/browser.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const s = await startTestServer();
try {
  const api = s.api;
  await api.interest('email', { type: '^userCreated$' });
  await api.interest('points', { 'user\\.karma': '^[0-9]+$' });
  await api.interest('audit', '*');
  await api.call('PATCH', '/queue', { queue: 'points', maxAttempts: 1 });
  await api.call('PATCH', '/queue', { queue: 'audit', rateLimit: 50, concurrency: 4 });
  const w = await api.worker(['email', 'points'], 'mailer-1');
  await api.worker(['audit'], 'auditor-1');
  for (let i = 0; i < 40; i++) await api.publish({ type: 'userCreated', user: { id: i, email: `user${i}@example.com`, karma: i % 7 } });
  for (let i = 0; i < 30; i++) {
    const t = await api.take(w);
    await api.report(w, t.taskId, 'success');
  }
  const p = await api.worker(['points'], 'points-1');
  for (let i = 0; i < 12; i++) {
    const t = await api.take(p);
    if (i % 3) await api.report(p, t.taskId, 'success');
    else await api.report(p, t.taskId, 'fail', { failReason: `points service answered 503 (request ${i})` });
  }
  const chromium = await launchChromium();
  const page = await chromium.newPage({ width: 1280, height: 800 });
  for (const [view, file] of [['', 'page-overview.png'], ['failed', 'page-failed.png'], ['interests', 'page-interests.png']] as const) {
    await page.goto(`${s.url}/#/${view}`);
    await page.locator('main h1').waitFor();
    if (view === 'interests') {
      await page.getByRole('button', { name: 'Dry run' }).click();
      await page.getByText(/queue\(s\) would get this event/).waitFor();
      await page.evaluate(() => window.scrollTo(0, document.querySelector('form[aria-label="Dry run"]')!.getBoundingClientRect().top + window.scrollY - 80));
    }
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(HERE, file) });
    console.log(`docs/${file}`);
  }
  await chromium.close();
} finally {
  await s.stop();
}
