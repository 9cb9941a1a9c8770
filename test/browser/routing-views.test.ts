// The page's routing views in real headless Chromium against the real broker: the what-if preview
// beside the interest editor, each interest's match count, the unrouted events view (replay,
// delete) and the overview's unmatched-interest warning; untrusted text shown as text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { eachTestPage, SKIP_WITHOUT_CHROMIUM, type PageWatch } from '../helpers/browser.js';
const XSS = '<img src=x onerror="window.__xss=1">';

describe('routing views of the page (Chromium)', { skip: SKIP_WITHOUT_CHROMIUM }, () => {
  let s: TestServer;
  let page: Page;
  let watch: PageWatch;
  let shiftMs = 0;
  eachTestPage(() => { shiftMs = 0; return startTestServer({}, { now: () => Date.now() + shiftMs }); }, (t) => { ({ s, page, watch } = t); });

  const open = async (hash: string) => { await page.goto(`${s.url}/#/${hash}`); };
  const main = () => page.locator('main');
  const noScriptRan = async () => assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);

  it('the interest editor shows what a draft would gain and lose over recent events before it is saved; each interest shows its matches', async () => {
    await s.api.interest('mail', { type: '^userCreated$' });
    for (let i = 0; i < 10; i++) await s.api.publish({ type: 'userCreated', n: i });
    for (let i = 0; i < 4; i++) await s.api.publish({ type: 'orderPlaced', note: XSS });
    await open('interests');
    await page.getByLabel('Queue', { exact: true }).fill('mail');
    await page.getByLabel('Interests ("*", a JSON object of patterns, or a list of clauses)').fill('{"type": "^(userCreated|orderPlaced)$"}');
    await main().getByText('What-if over the last 14 event(s): "mail" gets 10 now, 14 with this draft (gains 4, loses 0); events going nowhere: 4 now, 0 with it.').waitFor();
    await page.getByText('Would gain: 4').click();
    await main().locator('.what-if li').first().getByText('<img src=x onerror=').waitFor();
    await noScriptRan();
    assert.deepEqual((await s.api.status('?interests')).interests.mail, { type: '^userCreated$' }, 'nothing saved by asking');

    // The list: mail's one interest took the ten (counted once a second, on every node).
    const row = main().locator('tr', { hasText: 'Edit the interests of mail' }).or(main().locator('tbody tr', { hasText: '^userCreated$' }));
    for (let i = 0; !(await row.first().innerText()).includes(' 10 (last '); i++) {
      assert.ok(i < 100, 'the match count shows');
      await page.reload();
      await row.first().waitFor();
    }
  });

  it('the unrouted view lists what no queue wanted, replays the selected through new interests and deletes the rest', async () => {
    const kept = (await s.api.call('PUT', '/task', { publisher: XSS, data: { type: 'refund', note: XSS } })).body.eventId as string;
    await s.api.publish({ type: 'chargeback' });
    await open('unrouted');
    const rows = main().locator('tbody tr');
    await rows.nth(1).waitFor();
    assert.ok((await rows.nth(1).innerText()).includes(XSS), 'publisher and data show as text');
    await noScriptRan();
    await page.getByRole('link', { name: 'Unrouted' }).waitFor();

    await s.api.interest('refunds', { type: '^refund$' });
    await page.getByRole('checkbox', { name: `Select event ${kept}` }).check();
    watch.acceptNextDialog();
    await page.getByRole('button', { name: 'Replay selected' }).click();
    await page.getByText('Replayed 1: 1 routed, 0 still unrouted.').waitFor();
    assert.equal((await s.api.status('?queue=refunds')).counts.ready, 1);
    await page.getByLabel('Data (field = value, or text)').fill('type = chargeback');
    await page.getByRole('button', { name: 'Filter' }).click();
    await rows.first().getByText('chargeback', { exact: false }).waitFor();
    watch.acceptNextDialog();
    await page.getByRole('button', { name: 'Delete all matching' }).click();
    await page.getByText('Deleted 1 event(s).').waitFor();
    assert.equal((await s.api.call('GET', '/unrouted')).body.total, 0);
  });

  it('the overview warns of an interest that took nothing in the last hour while events flowed', async () => {
    await s.api.interest('stale', [{ type: { equals: 'never' } }]);
    await s.api.interest('mail', { type: '^userCreated$' });
    await s.api.worker(['mail', 'stale']);
    shiftMs = 2 * 3_600_000;
    await s.api.publish({ type: 'userCreated' });
    await open('');
    for (let i = 0; !(await main().innerText()).includes('took none of the'); i++) {
      assert.ok(i < 100, 'the unmatched warning shows');
      await page.reload();
      await main().locator('h1').waitFor();
    }
    await main().getByText(/: its interest \{"type":\{"equals":"never"\}\} took none of the 1 task\(s\) published in the last hour \(last match: never\)\./).waitFor();
  });
});
