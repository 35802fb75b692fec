import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startBackgroundWork } from '../../src/callflow/background';
import { fastClock, scriptedKeys } from '../../src/twilio-sim/interpreter';
import { runScenario } from '../../src/twilio-sim/scenario';
import { LocalTwilio } from '../../src/twilio-sim/simulator';
import { createClientWithKey } from '../support/api';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/harness';
import { criticalViolations, ensureConsoleBuilt, goTo, openBrowser, screenshot, signIn, startRig, stopRig, skipWithoutChromium, type Browser, type Rig } from './browser-rig';

const SERVICE_NUMBER = '+12025550100';
const CALLER = '+12025550143';

describe('console: tenants, calls and the other pages (headless Chromium)', function () {
  this.timeout(360_000);
  let rig: Rig | undefined;
  let browser: Browser | undefined;
  let stops: Array<() => Promise<void>> = [];
  before(function () {
    skipWithoutChromium(this);
    this.timeout(360_000);
    ensureConsoleBuilt();
  });
  afterEach(async () => {
    await browser?.close();
    for (const stop of stops.reverse()) await stop();
    stops = [];
    await stopRig(rig);
    browser = undefined;
    rig = undefined;
  });

  it("when a client's key signs in, then it sees only its own extension and no operator pages", async () => {
    rig = await startRig();
    const mine = await createClientWithKey(rig.t.app, { name: 'Mine' });
    const other = await createClientWithKey(rig.t.app, { name: 'Other' });
    await rig.admin.post('/api/extensions', { clientId: mine.clientId, extensionNumber: '200', name: 'My desk', callback: { returnCalls: 'caller' } }).expect(201);
    await rig.admin.post('/api/extensions', { clientId: other.clientId, extensionNumber: '300', name: 'Their desk', callback: { returnCalls: 'caller' } }).expect(201);
    browser = await openBrowser();
    const { page } = browser;
    await signIn(page, rig.base, mine.key);
    await goTo(page, rig.base, '/extensions', 'Extensions');
    await page.getByRole('link', { name: '200' }).waitFor();
    assert.deepEqual(await page.locator('tbody tr td:nth-child(2)').allTextContents(), ['My desk']);
    assert.equal(await page.getByText('Their desk').count(), 0);
    assert.equal(await page.getByRole('navigation').getByRole('link', { name: 'Clients' }).count(), 0, 'no operator pages in the menu');
    assert.equal(await page.locator('.who').textContent(), 'Client');
    assert.equal(await page.evaluate("sessionStorage.getItem('callback-console.key')"), mine.key);
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'extensions-client-key');

    // Sign out forgets the key.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    assert.equal(await page.evaluate('sessionStorage.length'), 0);
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'sign-in');
    // A wrong key is refused.
    await page.getByLabel('API key').fill('not-a-key-0123456789abcdefghijkl');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This API key was not accepted.').waitFor();
  });

  it('when a call is placed with the phone simulator, then the calls list shows it and its page shows the timeline picture with the inbound and callback legs and the dial', async () => {
    const sim = new LocalTwilio({
      accountSid: TEST_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      clock: fastClock(),
      keys: scriptedKeys(['1234#', '2025550186#']),
      party: () => ({ outcome: 'answer', answerAfterS: 2, talkS: 60 }),
      phone: { kind: 'auto', afterS: 2 },
    });
    const twilioBase = await sim.start();
    stops.push(() => sim.stop());
    rig = await startRig({ twilioApiBaseUrl: twilioBase });
    const background = startBackgroundWork(rig.t.deps, { pollMs: 100, owner: 'console-test' });
    stops.push(() => background.stop());
    const rt = await rig.admin
      .post('/api/rate-tables', { name: 'Demo', currency: 'USD', rates: [{ prefix: '+1', perMinute: '0.0100', initialSeconds: 30, incrementSeconds: 6 }] })
      .expect(201);
    const c = await createClientWithKey(rig.t.app, { credit: '10.00', rateTableId: rt.body.id });
    const ch = await rig.admin.post('/api/channels', { name: 'Local PSTN', type: 'twilio', prefixes: [] }).expect(201);
    const ext = await rig.admin
      .post('/api/extensions', {
        clientId: c.clientId,
        extensionNumber: '100',
        name: 'Demo desk',
        callback: { returnCalls: 'authorized', triggerAfterSeconds: 1, requireCallerPassword: true },
      })
      .expect(201);
    await rig.admin.post(`/api/channels/${ch.body.id}/numbers`, { number: SERVICE_NUMBER, clientId: c.clientId, extensionId: ext.body.id }).expect(201);
    await rig.admin.post(`/api/extensions/${ext.body.id}/authorized-callers`, { number: CALLER, password: '1234', credit: 'unlimited' }).expect(201);
    const r = await runScenario(sim, { serviceUrl: rig.base, from: CALLER, to: SERVICE_NUMBER, callbackWaitMs: 10_000 }, () => undefined);
    assert.equal(r.outcome, 'completed', r.errors.join('; '));
    sim.standin.assertNoViolations();

    browser = await openBrowser();
    const { page } = browser;
    await signIn(page, rig.base);
    await goTo(page, rig.base, '/calls', 'Calls');
    const link = page.locator('tbody tr a').first();
    await link.waitFor();
    assert.equal(await page.locator('tbody tr').count(), 1);
    assert.equal(await page.locator('tbody tr td').nth(3).textContent(), 'ring');
    assert.equal(await page.locator('tbody tr td').nth(4).textContent(), 'completed');
    await page.getByLabel('Status').selectOption('refused');
    await page.getByRole('cell', { name: 'completed', exact: true }).waitFor({ state: 'detached' });
    await page.getByLabel('Status').selectOption('');
    await link.waitFor();
    // The origin filter is the API's: a rung call is not among the API-requested ones.
    await page.getByLabel('Origin').selectOption('api');
    await page.getByRole('cell', { name: 'completed', exact: true }).waitFor({ state: 'detached' });
    await page.getByLabel('Origin').selectOption('ring');
    await link.waitFor();
    await page.getByLabel('Origin').selectOption('');
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'calls');
    await link.click();
    await page.getByRole('heading', { name: `Call from ${CALLER} to ${SERVICE_NUMBER}` }).waitFor();
    const svg = page.locator('svg.timeline');
    await svg.waitFor();
    // Each leg is a lane with its bars on the one time axis.
    const lane = (name: string) => svg.locator(`g.lane[data-lane="${name}"]`);
    assert.equal(await lane('Inbound call').locator('g.bar-ring').count(), 1, 'the held ring');
    assert.equal(await lane('Callback').locator('g.bar-attempt').count(), 1, 'the callback attempt');
    assert.equal(await lane('Callback').locator('g.bar-answered').count(), 1, 'the answered callback');
    assert.equal(await lane('Dial').locator('g.bar-dial').count(), 1, 'the dial');
    assert.match((await lane('Dial').locator('text.bar-label').textContent())!, /\+12025550186 completed/);
    const markers = await lane('Callback').locator('g.marker title').allTextContents();
    assert.ok(markers.includes('PIN accepted'), markers.join(', '));
    assert.ok(markers.includes('destination'), markers.join(', '));
    // The ring starts the axis; the callback's bars come after it ends.
    const xOf = (loc: ReturnType<typeof lane>) =>
      loc
        .locator('rect')
        .first()
        .evaluate((el) => Number(el.getAttribute('x')));
    const ringX = await xOf(lane('Inbound call').locator('g.bar-ring'));
    const attemptX = await xOf(lane('Callback').locator('g.bar-attempt'));
    const dialX = await xOf(lane('Dial').locator('g.bar-dial'));
    assert.ok(ringX < attemptX && attemptX < dialX, `${ringX} < ${attemptX} < ${dialX}`);
    // Charges and the caller ID trace beside it.
    await page.getByRole('heading', { name: 'Charges' }).waitFor();
    // One row per leg: the callback leg (to the caller) and the dial, each with its charge.
    const rows = page.locator('.beside table tbody tr');
    assert.equal(await rows.count(), 2);
    // The rows come in the API's order of the legs' reservations, which the test does not fix: compare as a set.
    const legs = await rows.locator('td:nth-child(1)').allTextContents();
    const destinations = await rows.locator('td:nth-child(2)').allTextContents();
    assert.deepEqual(legs.map((leg, i) => `${leg} ${destinations[i]}`).sort(), [`callback ${CALLER}`, 'dial +12025550186']);
    assert.ok((await page.locator('ol.trace li').count()) > 0, 'the caller ID trace');
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'call');
    await goTo(page, rig.base, '/', 'Dashboard');
    await page.locator('.chart canvas').nth(1).waitFor();
    assert.match((await page.locator('.chart').first().getAttribute('aria-label'))!, /completed 1/);
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'dashboard');
    assert.deepEqual(browser.problems, []);
  });

  it('when the operator manages authorized caller IDs, sounds and numbers, then the forms change the API, the chooser lists matching sounds, and the CSV export downloads', async () => {
    rig = await startRig();
    const c = await createClientWithKey(rig.t.app, { name: 'Acme' });
    const ext = await rig.admin.post('/api/extensions', { clientId: c.clientId, extensionNumber: '100', name: 'Desk', callback: { returnCalls: 'authorized' } }).expect(201);
    const ch = await rig.admin.post('/api/channels', { name: 'PSTN', type: 'twilio', prefixes: [] }).expect(201);
    const num = await rig.admin.post(`/api/channels/${ch.body.id}/numbers`, { number: SERVICE_NUMBER, clientId: c.clientId }).expect(201);
    await rig.admin.post('/api/sounds', { name: 'Credit ended', url: 'https://sounds.example.test/credit-ended.mp3' }).expect(201);
    await rig.admin.post('/api/sounds', { name: 'Welcome', url: 'https://sounds.example.test/welcome.mp3' }).expect(201);
    browser = await openBrowser();
    const { page } = browser;
    await signIn(page, rig.base);

    await goTo(page, rig.base, `/extensions/${ext.body.id}/authorized-callers`, /Authorized CallerIDs/);
    await page.getByLabel('CallerID number').fill('+4420');
    await page.getByRole('button', { name: 'Add authorized CallerID' }).click();
    await page.locator('.field-error').first().waitFor();
    await page.getByLabel('CallerID number').fill(CALLER);
    await page.getByLabel('Password', { exact: true }).fill('4321');
    await page.getByLabel('Credit').fill('5.00');
    await page.getByRole('button', { name: 'Add authorized CallerID' }).click();
    await page.getByRole('cell', { name: CALLER, exact: true }).waitFor();
    await page.getByLabel(`${CALLER} enabled`).uncheck();
    // The PATCH is sent on change: read the API until it has landed (bounded by count, 100 ms apart).
    let callers: Array<{ number: string; enabled: boolean; pinSet: boolean; totalCredit: string }> = [];
    for (let i = 0; i < 100; i++) {
      callers = (await rig.admin.get(`/api/extensions/${ext.body.id}/authorized-callers`).expect(200)).body.items;
      if (!callers[0]?.enabled) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(
      callers.map((x) => [x.number, x.enabled, x.pinSet, x.totalCredit]),
      [[CALLER, false, true, '5.00']],
    );
    await page.getByRole('button', { name: `Edit ${CALLER}` }).click();
    await page.getByLabel('Top-up amount').fill('2.50');
    await page.getByRole('button', { name: 'Add credit' }).click();
    await page.getByText('Added 2.50.').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    assert.match(csv, new RegExp(`\\${CALLER}`));
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'authorized-callers');

    // The sound chooser of "Play before disconnecting": typing part of a name lists the matches.
    await goTo(page, rig.base, `/extensions/${ext.body.id}`, /Callback setup/);
    const chooser = page.getByLabel('Play before disconnecting the call during conversation');
    await chooser.fill('cred');
    await page.getByRole('button', { name: 'Play Credit ended' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Play Welcome' }).count(), 0);
    await page.getByRole('button', { name: 'Choose Credit ended' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const sound = (await rig.admin.get('/api/sounds?name=Credit').expect(200)).body.items[0];
    assert.equal((await rig.admin.get(`/api/extensions/${ext.body.id}`).expect(200)).body.callback.disconnectSound, sound.id);

    await goTo(page, rig.base, '/sounds', 'Sounds');
    await page.getByLabel('Sound name').fill('Goodbye');
    await page.getByLabel('https URL').fill('https://sounds.example.test/bye.mp3');
    await page.getByRole('button', { name: 'Add sound' }).click();
    await page.getByRole('cell', { name: 'Goodbye', exact: true }).waitFor();
    await page.getByLabel('Sound', { exact: true }).fill('Good');
    await page.getByRole('button', { name: 'Play Goodbye' }).nth(1).waitFor();
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'sounds');

    // Numbers: "rings back to" set in place.
    await goTo(page, rig.base, '/numbers', 'Numbers');
    await page.getByLabel(`Extension ${SERVICE_NUMBER} rings back to`).selectOption({ label: '100 Desk' });
    await page.getByText(`${SERVICE_NUMBER} saved.`).waitFor();
    assert.equal((await rig.admin.get(`/api/numbers/${num.body.id}`).expect(200)).body.extensionId, ext.body.id);
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'numbers');
    await goTo(page, rig.base, '/extensions', 'Extensions');
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'extensions');
    await goTo(page, rig.base, '/clients', 'Clients');
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'clients');

    // The API reference: Swagger UI from the service itself.
    await page.goto(`${rig.base}/api/docs`);
    await page.locator('.swagger-ui .opblock').first().waitFor();
    assert.equal(await page.locator('script[src^="http"]').count(), 0, 'no script from another origin');
    assert.ok((await page.locator('.swagger-ui .opblock').count()) > 20);
    await screenshot(page, 'api-docs', { fullPage: false });
    assert.deepEqual(
      browser.problems.filter((p) => !/status of 40\d/.test(p)),
      [],
    );
  });
});
