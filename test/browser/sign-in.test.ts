// The page on a broker that needs tokens, in real headless Chromium: it asks for one, keeps it for
// the tab, shows who is signed in, and shows no control the token may not use.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { client } from '../helpers/http.js';
import { eachTestPage, SKIP_WITHOUT_CHROMIUM, type PageWatch } from '../helpers/browser.js';
const ADMIN = 'page-admin-token-0123456789';

describe('management page with tokens (Chromium)', { skip: SKIP_WITHOUT_CHROMIUM }, () => {
  let s: TestServer;
  let page: Page;
  let watch: PageWatch;
  const tokens: Record<string, string> = {};
  eachTestPage(async () => {
    const server = await startTestServer({ SWITCHYARD_ADMIN_TOKEN: ADMIN });
    const admin = client(server.url, ADMIN);
    for (const [name, role] of [['viewer', 'read'], ['ops', 'admin']] as [string, string][]) tokens[name] = (await admin.call('PUT', '/token', { name, role })).body.token;
    await admin.interest('mail', '*');
    await admin.call('PATCH', '/queue', { queue: 'mail', maxAttempts: 1 });
    await admin.publish({ n: 1 });
    return server;
  }, (t) => {
    ({ s, page, watch } = t);
    watch.allowRefusedRequests(); // the first /whoami with a wrong token is a 401
  });

  async function signIn(secret: string) {
    await page.goto(`${s.url}/#/queue/mail`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Token').fill(secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  /** Visible buttons and forms that change something (everything but pagers and filters). */
  const changeControls = () => page.locator('main button:not(.look):visible, main form:not([role="search"]):visible').count();

  it('a read token sees the queue but no control that changes anything', async () => {
    await signIn(tokens.viewer!);
    await page.getByRole('heading', { name: /mail/ }).first().waitFor();
    await page.getByText('signed in as viewer (read)').waitFor();
    assert.equal(await changeControls(), 0);
    await page.goto(`${s.url}/#/failed`);
    await page.getByRole('heading', { name: /Failed/ }).first().waitFor();
    assert.equal(await changeControls(), 0);
    assert.equal(await page.locator('nav a[data-view="audit"]').isVisible(), false, 'the audit trail is not a reader\'s');
    assert.equal(await page.evaluate(() => document.cookie), '', 'no cookie');
    assert.ok(!page.url().includes(tokens.viewer!), 'not in the URL');
  });

  it('an admin token sees the controls; signing out asks again', async () => {
    await signIn(tokens.ops!);
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    assert.ok(await changeControls() > 0);
    await page.getByRole('link', { name: 'Audit' }).click();
    const row = page.locator('main tbody tr', { hasText: 'PATCH /queue' });
    await row.waitFor();
    assert.match((await row.textContent())!, /admin \(SWITCHYARD_ADMIN_TOKEN\).*127\.0\.0\.1.*mail.*maxAttempts, queue/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('an admin makes a token in the Tokens view (its secret shown once), and revokes it', async () => {
    await signIn(tokens.ops!);
    await page.getByRole('link', { name: 'Tokens' }).click();
    // Exact: until the Tokens view is drawn, the queue view's "Tasks may name their own target" matches too.
    await page.getByLabel('Name', { exact: true }).fill('ci');
    await page.getByLabel('Role').selectOption('read');
    await page.getByLabel('Queues (comma-separated)').fill('mail');
    await page.getByRole('button', { name: 'Make token' }).click();
    const secret = (await page.getByLabel('The new token').textContent())!;
    assert.match(secret, /^sy_/);
    assert.equal((await client(s.url, secret).call('GET', '/queue/tasks?queue=mail&state=ready')).status, 200);
    assert.equal((await client(s.url, secret).call('GET', '/queue/tasks?queue=other&state=ready')).status, 403);
    await page.locator('main tbody tr', { hasText: 'ci' }).waitFor();
    watch.acceptNextDialog();
    await page.getByRole('button', { name: 'Revoke token ci' }).click();
    await page.getByText('Token revoked.').waitFor();
    assert.equal((await client(s.url, secret).call('GET', '/status')).status, 401);
    assert.deepEqual(watch.confirmed.map((c) => c.startsWith('Revoke token "ci"')), [true]);
  });

  it('a wrong token is not kept: the page asks again', async () => {
    await signIn('sy_not-a-token');
    // The form is on screen before and after the refusal; the alert is what says the answer came.
    await page.getByRole('alert').getByText('That token was not accepted').waitFor();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('switchyard-token')), null);
  });
});
