import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { criticalViolations, ensureConsoleBuilt, goTo, openBrowser, screenshot, signIn, startRig, stopRig, skipWithoutChromium, type Browser, type Rig } from './browser-rig';

/** Presses Tab until the focused element is the one labelled `label` (bounded), proving it is reachable by keyboard. */
async function tabTo(page: Page, label: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(`(() => {
      const el = document.activeElement;
      if (!el) return '';
      const byFor = el.id ? document.querySelector('label[for="' + el.id + '"]')?.textContent : null;
      return (byFor ?? el.closest('label')?.textContent ?? el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
    })()`);
    if (focused === label) return;
  }
  throw new Error(`"${label}" not reached with ${max} Tabs`);
}

describe('console: the operator sets up a client through the forms (headless Chromium)', function () {
  this.timeout(360_000);
  let rig: Rig | undefined;
  let browser: Browser | undefined;
  before(function () {
    skipWithoutChromium(this);
    this.timeout(360_000);
    ensureConsoleBuilt();
  });
  afterEach(async () => {
    await browser?.close();
    await stopRig(rig);
    browser = undefined;
    rig = undefined;
  });

  it('when the operator signs in and creates a rate table, client, channel with numbers and extension, then assigns two caller IDs and a default in the table, then the API holds them', async () => {
    rig = await startRig();
    browser = await openBrowser();
    const { page } = browser;
    const base = rig.base;
    await signIn(page, base);
    assert.equal(await page.evaluate('document.cookie'), '', 'no cookie is set');
    assert.ok(!page.url().includes('test-admin-key'), 'the key is not in the URL');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.locator('.chart canvas').first().waitFor();
    assert.deepEqual(await criticalViolations(page), []);

    // Rate table with the keyboard only.
    await goTo(page, base, '/rate-tables/new', 'New rate table');
    await tabTo(page, 'Rate table name');
    await page.keyboard.type('Standard');
    await tabTo(page, 'Rates');
    await page.keyboard.type('+1, 0.0100, 30, 6\n+44, 0.0200');
    await tabTo(page, 'Create rate table');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Rate table Standard' }).waitFor();
    const tables = (await rig.admin.get('/api/rate-tables').expect(200)).body.items;
    assert.deepEqual(
      tables[0].rates.map((r: { prefix: string; perMinute: string; initialSeconds: number }) => [r.prefix, r.perMinute, r.initialSeconds]),
      [
        ['+1', '0.01', 30],
        ['+44', '0.02', 60],
      ],
    );
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'rate-table');

    // Client.
    await goTo(page, base, '/clients', 'Clients');
    await page.getByLabel('Client name').fill('Acme');
    await page.getByLabel('Rate table').selectOption({ label: 'Standard (USD)' });
    await page.getByLabel('Initial credit').fill('25.00');
    await page.getByRole('button', { name: 'Create client' }).click();
    await page.getByRole('heading', { name: 'Client Acme' }).waitFor();
    await page.getByLabel('Top-up amount').fill('5.00');
    await page.getByRole('button', { name: 'Add credit' }).click();
    await page.getByText('Added 5.00.').waitFor();
    await page.locator('td', { hasText: 'recharge' }).waitFor();
    const client = (await rig.admin.get('/api/clients').expect(200)).body.items[0];
    assert.equal(client.name, 'Acme');
    assert.equal(client.balance, '30.00');
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'client');

    // Channel and two numbers for the client.
    await goTo(page, base, '/channels', 'Channels');
    await page.getByLabel('Channel name').fill('PSTN');
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.getByRole('heading', { name: 'Channel PSTN' }).waitFor();
    for (const n of ['+12025550100', '+12025550101']) {
      await page.getByLabel('Phone number').fill(n);
      await page.getByLabel('Assigned to client').selectOption({ label: 'Acme' });
      await page.getByRole('button', { name: 'Add number' }).click();
      await page.getByRole('cell', { name: n, exact: true }).waitFor();
    }
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'channel');

    // Extension: the fixed number only for "fixed", and the API's field error beside its field.
    await goTo(page, base, '/extensions/new', 'New callback extension');
    const fixed = page.getByLabel('Number where calls should be returned');
    assert.equal(await fixed.isDisabled(), true, 'disabled while "Coming from the authorized callerIDs" is chosen');
    // The radio group by keyboard: Tab reaches the chosen radio, the arrows move the choice.
    await tabTo(page, 'Coming from the authorized callerIDs');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getByLabel('To the caller callerID').isChecked(), true);
    assert.equal(await fixed.isDisabled(), true, 'disabled for "To the caller callerID"');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getByLabel('To a fixed number').isChecked(), true);
    assert.equal(await fixed.isDisabled(), false, 'enabled for "To a fixed number"');
    await page.keyboard.press('Tab');
    assert.equal(await fixed.evaluate((el) => el === el.ownerDocument.activeElement), true, 'Tab goes on to the fixed number');
    await page.getByLabel('Client', { exact: true }).selectOption({ label: 'Acme' });
    await page.getByLabel('Extension number').fill('100');
    await page.getByLabel('Contact name').fill('Front desk');
    await fixed.fill('12');
    await page.getByRole('button', { name: 'Create extension' }).click();
    await page.locator('.field-error').first().waitFor();
    const describedBy = await fixed.getAttribute('aria-describedby');
    const errorId = describedBy!.split(' ').find((s) => s.endsWith('-error'))!;
    const fieldError = page.locator(`[id="${errorId}"]`);
    await fieldError.waitFor();
    assert.match((await fieldError.textContent())!, /E\.164|phone|number/i);
    assert.equal(await fixed.getAttribute('aria-invalid'), 'true');
    // The message sits in the fixed number's own field, not elsewhere on the form.
    assert.equal(await fieldError.evaluate((el) => el.parentElement!.querySelector('label')!.textContent), 'Number where calls should be returned');
    await screenshot(page, 'extension-field-error');
    await fixed.fill('+442071838750');
    await page.getByRole('button', { name: 'Create extension' }).click();
    await page.getByRole('heading', { name: 'Callback setup: extension 100' }).waitFor();
    const ext = (await rig.admin.get('/api/extensions').expect(200)).body.items[0];
    assert.equal(ext.callback.returnCalls, 'fixed');
    assert.equal(ext.callback.fixedNumber, '+442071838750');
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'extension');

    // Caller ID management: select both numbers, assign, then set one as default.
    await page.getByRole('link', { name: 'CallerID management' }).first().click();
    await page.getByRole('heading', { name: /CallerID management: extension 100/ }).waitFor();
    await page.getByRole('columnheader', { name: 'Rings back to' }).waitFor();
    await page.getByLabel('Select +12025550100').check();
    await page.getByLabel('Select +12025550101').check();
    await page.getByRole('button', { name: 'Assign CallerIDs' }).click();
    await page.getByText('CallerIDs assigned.').waitFor();
    await page.getByRole('button', { name: 'Set +12025550101 as default' }).click();
    await page.getByText('+12025550101 is the default.').waitFor();
    const row = page.locator('table.caller-ids tr', { hasText: '+12025550101' });
    assert.equal(await row.locator('strong').textContent(), '+12025550101', 'the default is in bold');
    assert.equal((await row.locator('td').nth(4).textContent())!.trim(), 'Yes');
    assert.equal(await page.locator('table.caller-ids tr', { hasText: '+12025550100' }).getByRole('button', { name: 'Set +12025550100 as default' }).count(), 1);
    const stored = (await rig.admin.get(`/api/extensions/${ext.id}`).expect(200)).body;
    assert.deepEqual([...stored.callerId.numbers].sort(), ['+12025550100', '+12025550101']);
    assert.equal(stored.callerId.defaultNumber, '+12025550101');
    assert.deepEqual(await criticalViolations(page), []);
    await screenshot(page, 'caller-ids');

    // Remove selected: the other number goes; the default stays.
    await page.getByLabel('Select +12025550100').check();
    await page.getByRole('button', { name: 'Remove selected' }).click();
    await page.getByText('Selected CallerIDs removed.').waitFor();
    assert.deepEqual((await rig.admin.get(`/api/extensions/${ext.id}`).expect(200)).body.callerId.numbers, ['+12025550101']);
    assert.deepEqual(
      browser.problems.filter((p) => !/status of 40\d/.test(p)),
      [],
      'no script errors or CSP violations',
    );
  });
});
