// The management page in real headless Chromium against the real broker: every view driven as an
// operator would, and untrusted text shown as text. Skipped, saying so, when Chromium is missing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { eachTestPage, SKIP_WITHOUT_CHROMIUM, type PageWatch } from '../helpers/browser.js';
const XSS = '<img src=x onerror="window.__xss=1">';

describe('management page (Chromium)', { skip: SKIP_WITHOUT_CHROMIUM }, () => {
  let s: TestServer;
  let page: Page;
  let watch: PageWatch;
  eachTestPage(() => startTestServer({ SWITCHYARD_PUSH_ALLOW: '127.0.0.1' }), (t) => { ({ s, page, watch } = t); });

  const open = async (hash: string) => { await page.goto(`${s.url}/#/${hash}`); };
  const main = () => page.locator('main');

  async function failOne(queue: string, reason: string, data: Record<string, unknown>) {
    await s.api.call('PATCH', '/queue', { queue, maxAttempts: 1 });
    await s.api.interest(queue, '*');
    await s.api.publish(data);
    const w = await s.api.worker([queue]);
    const t = await s.api.take(w);
    await s.api.report(w, t.taskId, 'fail', { failReason: reason });
    await s.api.call('DELETE', `/worker?workerId=${w}`);
    await s.api.call('DELETE', `/interest?queue=${encodeURIComponent(queue)}`);
    return t.taskId as string;
  }

  it('publish from the form, then see the task in its queue and open it', async () => {
    await s.api.interest('emails', { type: '^userCreated$' });
    await open('publish');
    await page.getByLabel('Publisher').fill('signup-form');
    await page.getByLabel('Data (JSON object)').fill('{"type": "userCreated", "user": {"email": "ann@example.com"}}');
    await page.getByRole('button', { name: 'Publish' }).click();
    await main().getByText(/Event .* enqueued\./).waitFor();
    const taskId = (await main().locator('a[href^="#/task/"]').first().textContent())!;
    const stored = await s.api.status(`?task=${taskId}`);
    assert.equal(stored.task.publisher, 'signup-form');
    assert.deepEqual(stored.task.data, { type: 'userCreated', user: { email: 'ann@example.com' } });

    await open('queue/emails');
    await main().getByRole('link', { name: taskId }).click();
    await main().getByRole('heading', { name: `Task ${taskId}` }).waitFor();
    await main().getByText('ann@example.com').first().waitFor();
    await main().getByText(/field type matched key pattern/).waitFor();

    // A task published straight into its queue says so, where a routed one names its interest.
    const direct = await s.api.call('PUT', '/task', { publisher: 'p', queue: 'jobs', data: { n: 1 } });
    await open(`task/${direct.body.tasks[0].taskId}`);
    await main().getByText('published straight into this queue (no interest asked)').waitFor();
  });

  it('a bad publish shows the broker\'s error and stores nothing', async () => {
    watch.allowRefusedRequests();
    await open('publish');
    await page.getByLabel('Publisher').fill('');
    await page.getByLabel('Data (JSON object)').fill('{"a": 1}');
    await page.evaluate(() => { (document.querySelector('input[name=publisher]') as HTMLInputElement).required = false; });
    await page.getByRole('button', { name: 'Publish' }).click();
    await main().locator('.bad').getByText(/publisher/).waitFor();
    assert.equal((await s.api.status()).queues.length, 0);
  });

  it('the overview lists queues with their counts and updates live', async () => {
    await s.api.interest('points', '*');
    await s.api.publish({ n: 1 });
    await open('');
    const row = main().locator('tr', { has: page.getByRole('link', { name: 'points' }) });
    await row.locator('td').nth(1).getByText('1', { exact: true }).waitFor();
    await s.api.publish({ n: 2 });
    await s.api.publish({ n: 3 });
    // No reload: the page polls every 2 s while visible.
    await row.locator('td').nth(1).getByText('3', { exact: true }).waitFor({ timeout: 8000 });
    assert.ok(await main().locator('.uplot').count() >= 2, 'a rates chart and a sparkline are drawn');
  });

  it('pause and resume a queue, edit its policy, purge it and delete it with a confirmation naming what is lost', async () => {
    await s.api.interest('jobs', '*');
    for (let i = 0; i < 3; i++) await s.api.publish({ i });
    await open('queue/jobs');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    assert.equal((await s.api.status('?queue=jobs')).policy.paused, true);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    assert.equal((await s.api.status('?queue=jobs')).policy.paused, false);

    await page.getByLabel('Max attempts').fill('7');
    await page.getByLabel('Concurrency').fill('2');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Policy saved.').waitFor();
    const policy = (await s.api.status('?queue=jobs')).policy;
    assert.deepEqual([policy.maxAttempts, policy.concurrency], [7, 2]);

    watch.acceptNextDialog();
    await page.getByRole('button', { name: 'Purge waiting tasks' }).click();
    await page.getByText('Purged 3 waiting task(s).').waitFor();
    assert.match(watch.confirmed[0]!, /3 waiting task\(s\)/);
    assert.equal((await s.api.status('?queue=jobs')).length, 0);

    await s.api.publish({ i: 4 });
    watch.acceptNextDialog();
    await page.getByRole('button', { name: 'Delete queue' }).click();
    await page.waitForURL(/#\/$/);
    assert.match(watch.confirmed[1]!, /Delete queue "jobs"\? Its interests and 1 waiting task\(s\) will be lost/);
    assert.equal((await s.api.call('GET', '/status?queue=jobs')).status, 404);
  });

  it('retry a failed task with an edited payload: the original stays in its history', async () => {
    const taskId = await failOne('mail', 'smtp timeout', { to: 'bob@exampel.com' });
    await open('failed');
    await main().getByText('smtp timeout').waitFor();
    await main().getByRole('link', { name: taskId }).click();
    await main().getByText('Edit the payload, or pick another queue, then retry').click();
    await page.getByLabel('Payload (JSON object)').fill('{"to": "bob@example.com"}');
    await page.getByRole('button', { name: 'Retry with these' }).click();
    await page.getByText(/Retried with the edited payload/).waitFor();
    const t = (await s.api.status(`?task=${taskId}`)).task;
    assert.equal(t.state, 'ready');
    assert.deepEqual(t.data, { to: 'bob@example.com' });
    assert.deepEqual(t.history.at(-1).originalData, { to: 'bob@exampel.com' });
    await main().getByText('original payload').waitFor();
  });

  it('the failed view filters by field = value and retries all matching into another queue', async () => {
    await failOne('a', 'boom', { user: { id: 7 } });
    await failOne('a', 'boom', { user: { id: 8 } });
    await failOne('b', 'other', { user: { id: 7 } });
    await open('failed');
    await page.getByLabel('Payload (field = value, or text)').fill('user.id = 7');
    await page.getByLabel('Reason contains').fill('boom');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/payload=user.id/);
    await main().getByText('1–1 of 1').waitFor();
    await page.getByLabel('Retry into queue').fill('c');
    watch.acceptNextDialog();
    await page.getByRole('button', { name: 'Retry all matching' }).click();
    await page.getByText('Retried 1 task(s).').waitFor();
    assert.match(watch.confirmed[0]!, /all 1 matching/);
    assert.equal((await s.api.status('?queue=c')).counts.ready, 1);
    assert.equal((await s.api.call('GET', '/failed')).body.total, 2);
  });

  it('edit an interest with live validation, then dry-run an event against it', async () => {
    await open('interests');
    await page.getByLabel('Queue', { exact: true }).fill('signups');
    const map = page.getByLabel('Interests ("*", a JSON object of patterns, or a list of clauses)');
    await map.fill('{"type": "(a)\\\\1"}'); // a backreference: it cannot be matched in linear time
    await main().locator('.problems').getByText(/refused/).waitFor();
    await page.getByRole('button', { name: 'Save interests' }).click();
    assert.deepEqual((await s.api.status('?interests')).interests, {}, 'a refused map is not saved');
    await map.fill('{"type": "^user(Created|Invited)$"}');
    await main().getByText('Every pattern is valid and safe.').waitFor();
    await page.getByRole('button', { name: 'Save interests' }).click();
    await page.getByText('Interests of "signups" saved.').waitFor();
    assert.deepEqual((await s.api.status('?interests')).interests, { signups: { type: '^user(Created|Invited)$' } });

    await page.getByLabel('Event data (JSON object)').fill('{"type": "userInvited"}');
    await page.getByRole('button', { name: 'Dry run' }).click();
    const verdict = page.getByRole('form', { name: 'Dry run' }).locator('tr', { hasText: 'signups' });
    await verdict.getByText('yes').waitFor();
    assert.equal(await verdict.locator('td').nth(2).innerText(), 'field type matched key pattern type and value pattern ^user(Created|Invited)$');
    await page.getByLabel('Event data (JSON object)').fill('{"type": "orderPlaced"}');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await verdict.getByText(/fields matching "type" have no value matching/).waitFor();
    await page.getByRole('form', { name: 'Dry run' }).getByText('No queue would get this event: it would be discarded.').waitFor();
    await main().getByText('Queues with interests but no worker:').waitFor();

    // The clause form: checked live (naming the clause), saved, and the dry run names the clause.
    await map.fill('[{"type": "^orderPlaced$", "total": {"numeric": [">", "lots"]}}]');
    await main().locator('.problems').getByText(/interests\[0\]\.total/).waitFor();
    await map.fill('[{"type": "^orderPlaced$", "total": {"numeric": [">", 100]}}]');
    await main().getByText('Every pattern is valid and safe.').waitFor();
    await page.getByRole('button', { name: 'Save interests' }).click();
    await page.getByText('Interests of "signups" saved.').waitFor();
    await page.getByLabel('Event data (JSON object)').fill('{"type": "orderPlaced", "total": 250}');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await verdict.getByText('yes').waitFor();
    assert.equal(await verdict.locator('td').nth(2).innerText(), 'clause 0: {"type":"^orderPlaced$","total":{"numeric":[">",100]}}');

    // Its history: both saves (not the refused one), newest first; the first one put back.
    const history = main().locator('table').filter({ hasText: 'Revision' });
    await history.locator('tbody tr').nth(1).waitFor();
    assert.equal(await history.locator('tbody tr').count(), 2);
    assert.match(await history.locator('tbody tr').nth(1).innerText(), /open\s+\{"type":"\^user\(Created\|Invited\)\$"\}/);
    const first = (await s.api.call('GET', '/interest/history?queue=signups')).body.changes[1].revision;
    watch.acceptNextDialog();
    await page.getByRole('button', { name: `Put back revision ${first} of signups` }).click();
    await page.getByText(`Interests of "signups" put back to revision ${first}.`).waitFor();
    assert.match(watch.confirmed.at(-1)!, /Put back the interests "signups" had at revision/);
    assert.deepEqual((await s.api.status('?interests')).interests, { signups: { type: '^user(Created|Invited)$' } });
    await history.getByText(`(put back revision ${first})`).waitFor();
  });

  it('live: each routing decision as it happens, by which interest or none; pause holds it; filters; text stays text', async () => {
    await s.api.interest('mail', { type: '^userCreated$' });
    await s.api.interest('vip', [{ type: '^userCreated$', tier: { equals: 'gold' } }]);
    await open('live');
    await main().getByText('live', { exact: true }).waitFor();
    await s.api.call('PUT', '/task', { publisher: XSS, data: { type: 'userCreated', tier: 'gold' } });
    await s.api.publish({ type: 'nobodyWantsThis' });
    const rows = main().locator('tbody tr');
    await rows.nth(1).waitFor();
    assert.match(await rows.nth(0).innerText(), /no queue wanted it/);
    const routed = await rows.nth(1).innerText();
    assert.match(routed, /mail by type ~ \^userCreated\$; vip by clause 0/);
    assert.ok(routed.includes(XSS), 'the publisher shows as text');
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);

    await page.getByRole('button', { name: 'Pause' }).click();
    await s.api.publish({ type: 'whilePaused' });
    // Its decision reaches the page after the publish is answered: resumed before then, it was shown.
    await main().getByText('paused: 1 new decision not shown', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await s.api.publish({ type: 'userCreated' });
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), 3, 'the decision made while paused is not shown');

    await page.getByLabel('Queue').fill('vip');
    await page.getByRole('button', { name: 'Filter' }).click();
    // The filtered view is a new one (no rows yet) with a new stream: publishing before it says
    // "live" again raced the old view's "live" and lost the events to the gap between the streams.
    await page.waitForFunction(() => document.querySelectorAll('main tbody tr').length === 0);
    await main().getByText('live', { exact: true }).waitFor();
    await s.api.publish({ type: 'userCreated' });
    await s.api.publish({ type: 'userCreated', tier: 'gold' });
    await rows.nth(0).waitFor();
    await main().locator('tbody tr', { hasText: 'vip by clause 0' }).waitFor();
    assert.equal(await rows.count(), 1, 'only what went to vip');
  });

  it('the overview warns of a queue nobody serves and of one starved by workers\' order, with the figures', async () => {
    await s.api.interest('orphan', { type: '^lost$' });
    await s.api.publish({ type: 'lost' });
    for (const q of ['high', 'low']) await s.api.call('PUT', '/task', { publisher: 'p', queue: q, data: {} });
    await s.api.worker(['high', 'low']);
    await open('');
    await main().getByText(': no worker serves it and it pushes nowhere; 1 task(s) waiting, and its interests keep sending more.').waitFor();
    await main().getByText(': 1 ready task(s) wait while every worker serving it takes high first.').waitFor();
    assert.deepEqual((await s.api.status()).warnings.map((w: { kind: string; queue: string }) => [w.kind, w.queue]), [['starved', 'low'], ['unserved', 'orphan']].sort((a, b) => (a[1]! < b[1]! ? -1 : 1)));
  });

  it('schedules: a bad cron is refused with its reason; a good one is listed with its next run, paused, deleted', async () => {
    watch.allowRefusedRequests();
    await open('schedules');
    await page.getByLabel('Name', { exact: true }).fill('nightly');
    await page.getByLabel('Cron').fill('0 25 * * *');
    await page.getByLabel('Time zone (IANA)').fill('Europe/Paris');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await main().getByText(/cron "0 25 \* \* \*" is not valid: hour/).waitFor();
    await page.getByLabel('Cron').fill('0 3 * * *');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await main().getByText(/Saved "nightly"\. Next run:/).waitFor();
    const row = main().locator('tr', { hasText: 'nightly' });
    await row.getByText('Europe/Paris').waitFor();
    const s1 = (await s.api.call('GET', '/schedule?name=nightly')).body.schedule;
    assert.deepEqual([s1.cron, s1.timezone, s1.event.publisher], ['0 3 * * *', 'Europe/Paris', 'scheduler']);
    await row.getByRole('button', { name: 'Pause schedule nightly' }).click();
    await row.getByText('paused').waitFor();
    assert.equal((await s.api.call('GET', '/schedule?name=nightly')).body.schedule.paused, true);
    watch.acceptNextDialog();
    await row.getByRole('button', { name: 'Delete schedule nightly' }).click();
    await main().getByText('No schedules yet.').waitFor();
  });

  it('a queue\'s push settings: URL, timeout and a secret that is never shown back', async () => {
    await s.api.interest('hooks', '*');
    await open('queue/hooks');
    await page.getByLabel('Push URL').fill('http://127.0.0.1:9/hook');
    await page.getByLabel('Push timeout (s)').fill('5');
    await page.getByLabel('Push secret').fill('s3cret');
    await page.getByLabel('Tasks may name their own target').check();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Policy saved.').waitFor();
    const policy = (await s.api.status('?queue=hooks')).policy;
    assert.deepEqual([policy.pushUrl, policy.pushTimeoutSeconds, policy.hasPushSecret, policy.allowTaskPushUrl], ['http://127.0.0.1:9/hook', 5, true, true]);
    assert.equal(await page.getByLabel('Tasks may name their own target').isChecked(), true, 'shown as saved');
    assert.equal(await page.getByLabel('Push secret').inputValue(), '', 'the secret is not put back into the page');
    assert.equal(await page.content().then((html) => html.includes('s3cret')), false);
    await s.api.call('PATCH', '/queue', { queue: 'hooks', pushUrl: null, allowTaskPushUrl: false });
  });

  it('workers: see each with its queues and tasks, unregister one', async () => {
    await s.api.interest('q1', '*');
    await s.api.publish({ n: 1 });
    const w = await s.api.worker(['q1', 'q2'], 'box-7');
    const t = await s.api.take(w);
    await open('workers');
    const row = main().locator('tr', { hasText: 'box-7' });
    await row.getByRole('link', { name: t.taskId }).waitFor();
    assert.deepEqual(await row.locator('ol li').allTextContents(), ['q1', 'q2']);
    watch.acceptNextDialog();
    await row.getByRole('button', { name: /Unregister worker box-7/ }).click();
    await page.getByText(/Unregistered; 1 task\(s\) went back/).waitFor();
    assert.equal((await s.api.status('?workers')).workers.length, 0);
    assert.equal((await s.api.status(`?task=${t.taskId}`)).task.state, 'ready');
  });

  it('untrusted text in data, a queue name and a failure reason shows as text and never runs', async () => {
    const taskId = await failOne(XSS, XSS, { html: XSS });
    await s.api.worker([XSS], XSS);
    for (const view of ['', `queue/${encodeURIComponent(XSS)}?state=failed`, 'failed', `task/${taskId}`, 'workers', 'interests']) {
      await open(view);
      await main().getByText(XSS).first().waitFor();
      await page.waitForTimeout(300);
      assert.equal(await main().locator('img').count(), 0, `no <img> element made in ${view || 'overview'}`);
      assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, `nothing ran in ${view || 'overview'}`);
    }
  });

  it('every form control has a label, and the page fits a 390px phone screen', async () => {
    await s.api.interest('a-rather-long-queue-name-for-a-small-screen', '*');
    await failOne('mail', 'a long failure reason '.repeat(10), { text: 'x'.repeat(300) });
    await page.setViewportSize({ width: 390, height: 800 });
    for (const view of ['', 'queue/mail', 'failed', 'workers', 'interests', 'schedules', 'publish']) {
      await open(view);
      await main().locator('h1').waitFor();
      await page.waitForTimeout(300);
      const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
        .filter((el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute('aria-label')).map((el) => el.outerHTML));
      assert.deepEqual(unlabelled, [], `every control is labelled in ${view || 'overview'}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling of the page in ${view || 'overview'} (${overflow}px too wide)`);
    }
    // Keyboard: on a fresh load the first Tab stop is the skip link, then the views.
    await page.goto('about:blank');
    await open('');
    await main().locator('h1').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Overview');
  });

  it('the failed view pages on the server: 50 rows of many', async () => {
    await s.api.call('PATCH', '/queue', { queue: 'bulk', maxAttempts: 1 });
    await s.api.interest('bulk', '*');
    await s.api.call('PUT', '/tasks', { events: Array.from({ length: 120 }, (_, i) => ({ publisher: 't', data: { i } })) });
    const w = await s.api.worker(['bulk']);
    for (let i = 0; i < 2; i++) {
      const { tasks } = (await s.api.call('GET', `/task?workerId=${w}&count=100`)).body;
      await s.api.call('POST', '/tasks', { workerId: w, reports: tasks.map((t: { taskId: string }) => ({ taskId: t.taskId, state: 'fail', failReason: 'nope' })) });
    }
    await open('failed');
    await main().getByText('1–50 of 120').waitFor();
    assert.equal(await main().locator('tbody tr').count(), 50);
    await page.getByRole('button', { name: 'Older →' }).click();
    await main().getByText('51–100 of 120').waitFor();
    assert.match(page.url(), /offset=50/);
  });
});
