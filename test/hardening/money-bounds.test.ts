import assert from 'node:assert/strict';
import { clientModel } from '../../models/client';
import { MAX_MONEY, MAX_MONEY_TEXT, parseMoney } from '../../src/money';
import { apiAs, createClientWithKey, createRateTable } from '../support/api';
import { testDb } from '../support/database';
import { createTestApp } from '../support/harness';

/** Issue 15, item 9: every money field is bounded to what is exact in ten-thousandths. */

const TOO_BIG = '999999999999.9999'; // 9999999999999999 ten-thousandths: beyond 2^53, stored as 1000000000000.00

function assertNames(res: { status: number; body: { error: { fields?: { path: string; message: string }[] } } }, path: string): void {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  const field = res.body.error.fields?.find((f) => f.path === path);
  assert.ok(field, `${path} not named: ${JSON.stringify(res.body)}`);
  assert.match(field.message, new RegExp(MAX_MONEY_TEXT.replace('.', '\\.')));
}

describe('hardening: money bounds (issue 15, item 9)', () => {
  it('when the documented maximum is parsed, then it is exact and the sum of nine hundred stays a safe integer', () => {
    assert.equal(parseMoney(MAX_MONEY_TEXT), MAX_MONEY);
    assert.ok(Number.isSafeInteger(MAX_MONEY * 900));
    assert.equal(parseMoney(TOO_BIG), undefined);
  });

  it('when a money field on any route is beyond the maximum, then 400 names it; at the maximum it is stored exactly', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const rt = await createRateTable(admin);
    assertNames(await admin.post('/api/clients', { name: 'rich', credit: TOO_BIG, rateTableId: rt.id }), 'credit');
    const ok = await admin.post('/api/clients', { name: 'max', credit: MAX_MONEY_TEXT, rateTableId: rt.id }).expect(201);
    assert.equal(ok.body.balance, MAX_MONEY_TEXT);
    assert.equal((await clientModel(testDb()).findById(ok.body.id).lean())!.balance, MAX_MONEY);

    const rate = { prefix: '+44', perMinute: '0.02', initialSeconds: 60, incrementSeconds: 60 };
    assertNames(await admin.post('/api/rate-tables', { name: 'r1', currency: 'USD', rates: [{ ...rate, perMinute: TOO_BIG }] }), 'rates.0.perMinute');
    assertNames(await admin.post('/api/rate-tables', { name: 'r2', currency: 'USD', rates: [{ ...rate, connectFee: TOO_BIG }] }), 'rates.0.connectFee');

    const c = await createClientWithKey(app, {});
    assertNames(await admin.post(`/api/clients/${c.clientId}/credit`, { amount: TOO_BIG }), 'amount');
    assertNames(await admin.post(`/api/clients/${c.clientId}/credit`, { amount: `-${TOO_BIG}` }), 'amount');

    const ext = await admin
      .post('/api/extensions', { clientId: c.clientId, extensionNumber: '7', name: 'x', callback: { returnCalls: 'authorized', triggerAfterSeconds: 5 } })
      .expect(201);
    const base = `/api/extensions/${ext.body.id}/authorized-callers`;
    assertNames(await admin.post(base, { number: '+12025550143', credit: TOO_BIG }), 'credit');
    const caller = await admin.post(base, { number: '+12025550143', credit: '1.00' }).expect(201);
    assertNames(await admin.post(`${base}/${caller.body.id}/credit`, { amount: TOO_BIG }), 'amount');
  });

  it('when a top-up would take a balance beyond the maximum, then it is refused naming amount and nothing moves', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const c = await createClientWithKey(app, { credit: MAX_MONEY_TEXT });
    const res = await admin.post(`/api/clients/${c.clientId}/credit`, { amount: '0.0001' });
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.equal(res.body.error.fields[0].path, 'amount');
    assert.equal((await clientModel(testDb()).findById(c.clientId).lean())!.balance, MAX_MONEY);
  });
});
