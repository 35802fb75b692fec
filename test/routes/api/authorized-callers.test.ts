import assert from 'node:assert/strict';
import type { Express } from 'express';
import { Types } from 'mongoose';
import supertest from 'supertest';
import { authorizedCallerModel } from '../../../models/authorized-caller';
import { creditEntryModel } from '../../../models/credit-entry';
import { EXPORT_MAX_ROWS } from '../../../src/domain/authorized-callers';
import { verifyPin } from '../../../src/security/pin-hash';
import { apiAs, createClientWithKey, createRateTable, type ApiAs } from '../../support/api';
import { testDb } from '../../support/database';
import { createTestApp } from '../../support/harness';

const NUMBER = '+442071838750';
const OTHER = '+14155550123';

async function createExtension(api: ApiAs, extensionNumber = '0003*003'): Promise<string> {
  const res = await api.post('/api/extensions', { extensionNumber, name: 'Front desk', callback: { returnCalls: 'authorized' } }).expect(201);
  return res.body.id as string;
}

/** A client with a key and one extension, created through the API as that client. */
async function tenant(app: Express, body: Record<string, unknown> = {}) {
  const c = await createClientWithKey(app, body);
  const extId = await createExtension(c.api);
  return { ...c, extId, base: `/api/extensions/${extId}/authorized-callers` };
}

const rawCaller = (id: string) =>
  testDb()
    .db!.collection('authorized_callers')
    .findOne({ _id: new Types.ObjectId(id) });

/**
 * The CSV export bypasses `apiAs`: its OpenAPI conformance check knows one media type per status, and
 * GET .../authorized-callers answers JSON or (format=csv) text/csv with the same 200.
 */
const csvAs = (app: Express, key: string) => ({
  get: (path: string) => supertest(app).get(path).set('Authorization', `Bearer ${key}`),
});

const described = (r: supertest.Response) => {
  const req = (r as unknown as { req: { method: string; path: string } }).req;
  return `${req.method} ${req.path}`;
};

function fieldPaths(res: supertest.Response): string[] {
  return (res.body.error.fields as { path: string }[]).map((f) => f.path).sort();
}

describe('config API: authorized caller IDs', () => {
  it('when a caller ID is created, read, listed, changed and deleted, then each step shows the stored state', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const created = await a.api.post(a.base, { number: '+44 20 7183 8750', name: 'Alice', credit: '5.00' }).expect(201);
    const c = created.body;
    assert.deepEqual(Object.keys(c).sort(), ['availableCredit', 'createdAt', 'credit', 'enabled', 'extensionId', 'id', 'name', 'number', 'pinSet', 'totalCredit', 'updatedAt']);
    assert.equal(c.number, NUMBER);
    assert.equal(c.extensionId, a.extId);
    assert.equal(c.enabled, true);
    assert.equal(c.pinSet, false);
    assert.deepEqual([c.credit, c.totalCredit, c.availableCredit], ['limited', '5.00', '5.00']);

    const unlimited = await a.api.post(a.base, { number: OTHER }).expect(201);
    assert.deepEqual([unlimited.body.name, unlimited.body.credit, unlimited.body.totalCredit, unlimited.body.availableCredit], [null, 'unlimited', 'unlimited', 'unlimited']);

    const read = await a.api.get(`${a.base}/${c.id}`).expect(200);
    assert.deepEqual(read.body, c);
    const list = await a.api.get(a.base).expect(200);
    assert.deepEqual(
      list.body.items.map((i: { id: string }) => i.id),
      [unlimited.body.id, c.id],
    );
    assert.equal(list.body.nextCursor, null);

    const patched = await a.api.patch(`${a.base}/${c.id}`, { name: 'Alice B', enabled: false, number: '+33 1 42 68 53 00' }).expect(200);
    assert.deepEqual([patched.body.name, patched.body.enabled, patched.body.number], ['Alice B', false, '+33142685300']);
    assert.equal(patched.body.availableCredit, '5.00');
    const cleared = await a.api.patch(`${a.base}/${c.id}`, { name: null }).expect(200);
    assert.equal(cleared.body.name, null);
    assert.equal(cleared.body.enabled, false);

    await a.api.delete(`${a.base}/${c.id}`).expect(204);
    await a.api.get(`${a.base}/${c.id}`).expect(404);
    await a.api.delete(`${a.base}/${c.id}`).expect(404);
    const after = await a.api.get(a.base).expect(200);
    assert.deepEqual(
      after.body.items.map((i: { id: string }) => i.id),
      [unlimited.body.id],
    );
  });

  it('when the operator manages an extension of a client, then it may, with the same routes', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const a = await tenant(app);
    const c = await admin.post(a.base, { number: NUMBER }).expect(201);
    await admin.get(`${a.base}/${c.body.id}`).expect(200);
    await admin.post(`${a.base}/${c.body.id}/credit`, { amount: '1.00' }).expect(201);
    const mine = await a.api.get(`${a.base}/${c.body.id}`).expect(200);
    assert.equal(mine.body.availableCredit, '1.00');
  });

  it('when create fields are invalid, unknown or operator objects, then 400 names each field', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const res = await a.api.post(a.base, { number: '12345', password: '12a4', name: 'x'.repeat(101), enabled: 'yes', credit: '-1.00', colour: 'red' }).expect(400);
    assert.equal(res.body.error.code, 'validation_failed');
    assert.deepEqual(fieldPaths(res), ['colour', 'credit', 'enabled', 'name', 'number', 'password']);

    const cases: [Record<string, unknown>, string][] = [
      [{}, 'number'],
      [{ number: { $gt: '' } }, 'number'],
      [{ number: '+4420718387501234567890123456789012' }, 'number'],
      [{ number: NUMBER, password: '123' }, 'password'],
      [{ number: NUMBER, password: '1234567890123' }, 'password'],
      [{ number: NUMBER, password: 1234 }, 'password'],
      [{ number: NUMBER, name: '   ' }, 'name'],
      [{ number: NUMBER, name: 'two\nlines' }, 'name'],
      [{ number: NUMBER, credit: 'abc' }, 'credit'],
      [{ number: NUMBER, credit: '1.00001' }, 'credit'],
      [{ number: NUMBER, credit: 5 }, 'credit'],
      [{ number: NUMBER, credit: 'Unlimited' }, 'credit'],
      [{ number: NUMBER, unlimited: true }, 'unlimited'],
      [{ number: NUMBER, availableCredit: '9.00' }, 'availableCredit'],
    ];
    for (const [body, path] of cases) {
      const r = await a.api.post(a.base, body).expect(400);
      assert.deepEqual([...new Set(fieldPaths(r))], [path], JSON.stringify(body));
    }
    const stored = await authorizedCallerModel(testDb()).countDocuments({});
    assert.equal(stored, 0);
  });

  it('when the edges of the rules are used, then they are accepted: 4 and 12 digit PINs, a 100-character name, credit "0.00"', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const four = await a.api.post(a.base, { number: NUMBER, password: '0000', name: 'n'.repeat(100), credit: '0.00' }).expect(201);
    assert.deepEqual([four.body.pinSet, four.body.name.length, four.body.credit, four.body.availableCredit], [true, 100, 'limited', '0.00']);
    const twelve = await a.api.post(a.base, { number: OTHER, password: '123456789012', enabled: false, credit: 'unlimited' }).expect(201);
    assert.deepEqual([twelve.body.pinSet, twelve.body.enabled, twelve.body.credit], [true, false, 'unlimited']);
  });

  it('when a patch is invalid or tries to change credit, then 400 names each field and nothing changes', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const c = await a.api.post(a.base, { number: NUMBER, credit: '5.00' }).expect(201);
    const res = await a.api.patch(`${a.base}/${c.body.id}`, { number: 'nope', password: '12', name: '', enabled: null, credit: 'unlimited', availableCredit: '99.00' }).expect(400);
    assert.deepEqual(fieldPaths(res), ['availableCredit', 'credit', 'enabled', 'name', 'number', 'password']);
    const after = await a.api.get(`${a.base}/${c.body.id}`).expect(200);
    assert.deepEqual(after.body, c.body);
  });

  it('when a number is authorized twice on one extension, then 409 duplicate, also by a patch; another extension may use it', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    await a.api.post(a.base, { number: NUMBER }).expect(201);
    const dup = await a.api.post(a.base, { number: '+44 (20) 7183-8750' }).expect(409);
    assert.equal(dup.body.error.code, 'duplicate');
    assert.deepEqual(fieldPaths(dup), ['number']);

    const other = await a.api.post(a.base, { number: OTHER }).expect(201);
    const dupPatch = await a.api.patch(`${a.base}/${other.body.id}`, { number: NUMBER }).expect(409);
    assert.equal(dupPatch.body.error.code, 'duplicate');
    // Patching a caller to its own number is not a conflict.
    await a.api.patch(`${a.base}/${other.body.id}`, { number: OTHER }).expect(200);

    const ext2 = await createExtension(a.api, '0003*004');
    await a.api.post(`/api/extensions/${ext2}/authorized-callers`, { number: NUMBER }).expect(201);
  });

  it('when a duplicate is refused with a limited credit, then its initial ledger entry is refused, never applied', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const first = await a.api.post(a.base, { number: NUMBER, credit: '5.00' }).expect(201);
    await a.api.post(a.base, { number: NUMBER, credit: '7.00' }).expect(409);
    const entries = await creditEntryModel(testDb())
      .find({ authorizedCallerId: { $ne: null } })
      .sort({ _id: 1 })
      .lean();
    assert.deepEqual(
      entries.map((e) => [e.kind, e.amount, e.state]),
      [
        ['initial', 50_000, 'applied'],
        ['initial', 70_000, 'refused'],
      ],
    );
    assert.equal(String(entries[0]!.authorizedCallerId), first.body.id);
    const raw = await rawCaller(first.body.id);
    assert.deepEqual(raw!.pendingEntryIds, []);
  });

  it('when a PIN is set, then it is stored as a slow salted hash and only pinSet is ever shown; null clears it', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const pin = '73915';
    const created = await a.api.post(a.base, { number: NUMBER, password: pin, name: 'Pinned' }).expect(201);
    assert.equal(created.body.pinSet, true);
    const raw = await rawCaller(created.body.id);
    assert.notEqual(raw!.pinHash, pin);
    assert.ok(!String(raw!.pinHash).includes(pin));
    assert.match(String(raw!.pinHash), /^scrypt\$/);
    assert.equal(await verifyPin(pin, raw!.pinHash as string), true);
    assert.equal(raw!.password, undefined);

    const responses = [
      created,
      await a.api.get(`${a.base}/${created.body.id}`).expect(200),
      await a.api.get(a.base).expect(200),
      await csvAs(app, a.key).get(`${a.base}?format=csv`).expect(200),
      await a.api.patch(`${a.base}/${created.body.id}`, { password: '24680' }).expect(200),
      await a.api.get(`${a.base}/${created.body.id}/credit`).expect(200),
    ];
    for (const r of responses) {
      const text = r.text;
      for (const secret of [pin, '24680', 'pinHash', 'scrypt', 'password', '"pin"']) assert.ok(!text.includes(secret), `${secret} in ${text}`);
    }
    const changed = await rawCaller(created.body.id);
    assert.notEqual(changed!.pinHash, raw!.pinHash);
    assert.equal(await verifyPin('24680', changed!.pinHash as string), true);

    const cleared = await a.api.patch(`${a.base}/${created.body.id}`, { password: null }).expect(200);
    assert.equal(cleared.body.pinSet, false);
    assert.equal((await rawCaller(created.body.id))!.pinHash, null);
    // A patch without password keeps it.
    await a.api.patch(`${a.base}/${created.body.id}`, { password: '1111' }).expect(200);
    const kept = await a.api.patch(`${a.base}/${created.body.id}`, { name: 'Renamed' }).expect(200);
    assert.equal(kept.body.pinSet, true);
  });

  it('when the list is searched with q, then it matches number or name case-insensitively and metacharacters literally', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    await a.api.post(a.base, { number: NUMBER, name: 'Alice (home)' }).expect(201);
    await a.api.post(a.base, { number: OTHER, name: 'Bob' }).expect(201);
    await a.api.post(a.base, { number: '+33142685300', name: 'a.c' }).expect(201);
    const names = async (q: string) => {
      const res = await a.api.get(`${a.base}?q=${encodeURIComponent(q)}`).expect(200);
      return res.body.items.map((i: { name: string }) => i.name).sort();
    };
    assert.deepEqual(await names('ALICE'), ['Alice (home)']);
    assert.deepEqual(await names('+44'), ['Alice (home)']);
    assert.deepEqual(await names('+1'), ['Bob']);
    assert.deepEqual(await names('2071838'), ['Alice (home)']);
    assert.deepEqual(await names('+44 20 7183'), ['Alice (home)']);
    assert.deepEqual(await names('(20) 7183-87'), ['Alice (home)']);
    assert.deepEqual(await names('(home'), ['Alice (home)']);
    assert.deepEqual(await names('a.c'), ['a.c']);
    assert.deepEqual(await names('.*'), []);
    assert.deepEqual(await names('^B'), []);
    assert.deepEqual(await names('[a-z]'), []);
    assert.deepEqual(await names('  '), ['Alice (home)', 'Bob', 'a.c']);
    assert.deepEqual(await names('nobody'), []);

    const long = await a.api.get(`${a.base}?q=${'x'.repeat(51)}`).expect(400);
    assert.deepEqual(fieldPaths(long), ['q']);
    await a.api.get(`${a.base}?q=${'x'.repeat(50)}`).expect(200);
    const injected = await a.api.get(`${a.base}?q[$regex]=.*`).expect(400);
    assert.equal(injected.body.error.code, 'validation_failed');
    const unknown = await a.api.get(`${a.base}?sort=name`).expect(400);
    assert.deepEqual(fieldPaths(unknown), ['sort']);
  });

  it('when the list is long, then it is paginated with a cursor and a hard limit', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    for (const n of ['+14155550101', '+14155550102', '+14155550103']) await a.api.post(a.base, { number: n }).expect(201);
    const first = await a.api.get(`${a.base}?limit=2`).expect(200);
    assert.deepEqual(
      first.body.items.map((i: { number: string }) => i.number),
      ['+14155550103', '+14155550102'],
    );
    const second = await a.api.get(`${a.base}?limit=2&cursor=${first.body.nextCursor}`).expect(200);
    assert.deepEqual(
      second.body.items.map((i: { number: string }) => i.number),
      ['+14155550101'],
    );
    assert.equal(second.body.nextCursor, null);
    await a.api.get(`${a.base}?limit=201`).expect(400);
    await a.api.get(`${a.base}?cursor=abc`).expect(400);
  });

  it('when exported as CSV, then a header, RFC 4180 quoting, formula-safe names and the same filter apply', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const smith = await a.api.post(a.base, { number: NUMBER, name: 'Smith, "Jr"', credit: '5.00', password: '1234' }).expect(201);
    await a.api.post(a.base, { number: OTHER, name: '=HYPERLINK("http://x.test","click")' }).expect(201);
    await a.api.post(a.base, { number: '+33142685300', name: '+cmd', enabled: false }).expect(201);
    await a.api.post(a.base, { number: '+33142685301' }).expect(201);

    const all = await csvAs(app, a.key).get(`${a.base}?format=csv&limit=1`).expect(200);
    assert.match(String(all.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.match(String(all.headers['content-disposition']), /^attachment; filename="authorized-callers-[0-9a-f]{24}\.csv"$/);
    assert.equal(all.headers['x-export-truncated'], undefined);
    const lines = all.text.split('\r\n');
    assert.equal(lines.pop(), '', 'ends with CRLF');
    assert.equal(lines[0], 'id,extensionId,number,name,enabled,pinSet,credit,totalCredit,availableCredit,createdAt,updatedAt');
    assert.equal(lines.length, 5, 'header and every row, whatever the limit');
    const row = lines.find((l) => l.startsWith(smith.body.id))!;
    assert.equal(row, [smith.body.id, a.extId, NUMBER, '"Smith, ""Jr"""', 'true', 'true', 'limited', '5.00', '5.00', smith.body.createdAt, smith.body.updatedAt].join(','));
    assert.ok(
      lines.some((l) => l.includes(`,${OTHER},"'=HYPERLINK(""http://x.test"",""click"")",`)),
      all.text,
    );
    assert.ok(
      lines.some((l) => l.includes(",+33142685300,'+cmd,false,false,unlimited,unlimited,unlimited,")),
      all.text,
    );
    assert.ok(
      lines.some((l) => l.includes(',+33142685301,,true,false,unlimited,')),
      all.text,
    );

    const filtered = await csvAs(app, a.key)
      .get(`${a.base}?format=csv&q=${encodeURIComponent('+33')}`)
      .expect(200);
    const fl = filtered.text.trimEnd().split('\r\n');
    assert.equal(fl.length, 3);
    assert.ok(fl.slice(1).every((l) => l.includes(',+3314268530')));
    const none = await csvAs(app, a.key).get(`${a.base}?format=csv&q=zzz`).expect(200);
    assert.equal(none.text, 'id,extensionId,number,name,enabled,pinSet,credit,totalCredit,availableCredit,createdAt,updatedAt\r\n');
    const json = await a.api.get(`${a.base}?format=json&q=smith`).expect(200);
    assert.equal(json.body.items.length, 1);
    const bad = await a.api.get(`${a.base}?format=xlsx`).expect(400);
    assert.deepEqual(fieldPaths(bad), ['format']);
  });

  it(`when more than ${EXPORT_MAX_ROWS} callers match, then the CSV holds the newest ${EXPORT_MAX_ROWS} and says it was cut`, async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const ext = await a.api.get(`/api/extensions/${a.extId}`).expect(200);
    const now = new Date();
    const docs = Array.from({ length: EXPORT_MAX_ROWS + 1 }, (_, i) => ({
      extensionId: new Types.ObjectId(a.extId),
      clientId: new Types.ObjectId(ext.body.clientId as string),
      number: `+1415${String(1_000_000 + i).padStart(7, '0')}`,
      name: null,
      pinHash: null,
      enabled: true,
      unlimited: true,
      initialCredit: 0,
      recharged: 0,
      available: 0,
      pendingEntryIds: [],
      createdAt: now,
      updatedAt: now,
    }));
    await testDb().db!.collection('authorized_callers').insertMany(docs);
    const res = await csvAs(app, a.key).get(`${a.base}?format=csv`).expect(200);
    assert.equal(res.text.trimEnd().split('\r\n').length, EXPORT_MAX_ROWS + 1);
    assert.match(String(res.headers['x-export-truncated']), /10000/);
    assert.ok(!res.text.includes(docs[0]!.number), 'the oldest row is the one left out');
  });

  it('when credit is given, recharged and corrected, then totals, available credit and newest-first history follow, never below zero', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const eur = await createRateTable(admin, { currency: 'EUR' });
    const a = await tenant(app, { currency: 'EUR', rateTableId: eur.id });
    const c = await a.api.post(a.base, { number: NUMBER, credit: '5.00' }).expect(201);
    const url = `${a.base}/${c.body.id}/credit`;

    const initial = await a.api.get(url).expect(200);
    assert.deepEqual(
      { ...initial.body, entries: initial.body.entries.map((e: Record<string, unknown>) => [e.kind, e.amount, e.balanceAfter, e.note]) },
      { availableCredit: '5.00', totalCredit: '5.00', credit: 'limited', currency: 'EUR', entries: [['initial', '5.00', '5.00', 'initial credit']], nextCursor: null },
    );

    const recharge = await a.api.post(url, { amount: '2.0125', note: 'top-up' }).expect(201);
    assert.deepEqual(
      [recharge.body.kind, recharge.body.amount, recharge.body.balanceAfter, recharge.body.note, recharge.body.callId],
      ['recharge', '2.0125', '7.0125', 'top-up', null],
    );
    await a.api.post(url, { amount: '-1.5125', note: 'correction' }).expect(201);
    const refused = await a.api.post(url, { amount: '-5.5001' }).expect(409);
    assert.equal(refused.body.error.code, 'insufficient_credit');
    assert.deepEqual(fieldPaths(refused), ['amount']);

    const credit = await a.api.get(url).expect(200);
    assert.deepEqual([credit.body.availableCredit, credit.body.totalCredit, credit.body.credit], ['5.50', '5.50', 'limited']);
    assert.deepEqual(
      credit.body.entries.map((e: { amount: string; balanceAfter: string }) => [e.amount, e.balanceAfter]),
      [
        ['-1.5125', '5.50'],
        ['2.0125', '7.0125'],
        ['5.00', '5.00'],
      ],
    );
    const row = await a.api.get(`${a.base}/${c.body.id}`).expect(200);
    assert.deepEqual([row.body.totalCredit, row.body.availableCredit], ['5.50', '5.50']);

    // Everything down to exactly zero is allowed.
    await a.api.post(url, { amount: '-5.50' }).expect(201);
    const zero = await a.api.get(url).expect(200);
    assert.equal(zero.body.availableCredit, '0.00');

    // The client's own balance is a separate ledger: untouched.
    const client = await a.api.get(`/api/clients/${a.clientId}/credit`).expect(200);
    assert.equal(client.body.balance, '10.00');
    assert.equal(client.body.entries.length, 1);

    const pageOne = await a.api.get(`${url}?limit=2`).expect(200);
    assert.equal(pageOne.body.entries.length, 2);
    const pageTwo = await a.api.get(`${url}?limit=2&cursor=${pageOne.body.nextCursor}`).expect(200);
    assert.equal(pageTwo.body.entries.length, 2);
    assert.equal(pageTwo.body.nextCursor, null);
    await a.api.get(`${url}?limit=201`).expect(400);
  });

  it('when a credit amount is zero, malformed or comes with unknown fields, then 400 on that field', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const c = await a.api.post(a.base, { number: NUMBER }).expect(201);
    const url = `${a.base}/${c.body.id}/credit`;
    for (const [body, paths] of [
      [{ amount: '0.00' }, ['amount']],
      [{ amount: '1.00001' }, ['amount']],
      [{ amount: 5 }, ['amount']],
      [{}, ['amount']],
      [{ amount: 'unlimited' }, ['amount']],
      [{ amount: '1.00', note: 'n'.repeat(501) }, ['note']],
      [{ amount: '1.00', kind: 'initial' }, ['kind']],
    ] as [Record<string, unknown>, string[]][]) {
      const res = await a.api.post(url, body).expect(400);
      assert.deepEqual(fieldPaths(res), paths, JSON.stringify(body));
    }
    const still = await a.api.get(`${a.base}/${c.body.id}`).expect(200);
    assert.equal(still.body.credit, 'unlimited');
  });

  it('when a negative amount is applied to an unlimited caller ID, then it becomes limited at 0; a positive one at that amount', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const c = await a.api.post(a.base, { number: NUMBER }).expect(201);
    const entry = await a.api.post(`${a.base}/${c.body.id}/credit`, { amount: '-2.00' }).expect(201);
    assert.deepEqual([entry.body.amount, entry.body.balanceAfter], ['-2.00', '0.00']);
    const after = await a.api.get(`${a.base}/${c.body.id}`).expect(200);
    assert.deepEqual([after.body.credit, after.body.totalCredit, after.body.availableCredit], ['limited', '0.00', '0.00']);
    await a.api.post(`${a.base}/${c.body.id}/credit`, { amount: '-0.01' }).expect(409);

    const d = await a.api.post(a.base, { number: OTHER }).expect(201);
    await a.api.post(`${a.base}/${d.body.id}/credit`, { amount: '3.00' }).expect(201);
    const credit = await a.api.get(`${a.base}/${d.body.id}/credit`).expect(200);
    assert.deepEqual([credit.body.credit, credit.body.totalCredit, credit.body.availableCredit], ['limited', '3.00', '3.00']);
  });

  it('when 20 recharges of one caller ID run at once, then the credit is exact and every entry applied', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const c = await a.api.post(a.base, { number: NUMBER, credit: '1.00' }).expect(201);
    const url = `${a.base}/${c.body.id}/credit`;
    await Promise.all(Array.from({ length: 20 }, () => a.api.post(url, { amount: '0.0125' }).expect(201)));
    const credit = await a.api.get(`${url}?limit=50`).expect(200);
    assert.deepEqual([credit.body.availableCredit, credit.body.totalCredit], ['1.25', '1.25']);
    assert.equal(credit.body.entries.length, 21);
    const balances = credit.body.entries.map((e: { balanceAfter: string }) => e.balanceAfter).sort();
    assert.equal(new Set(balances).size, 21, 'each entry saw its own balance');
    const raw = await rawCaller(c.body.id);
    assert.deepEqual([raw!.available, raw!.pendingEntryIds], [12_500, []]);
    assert.equal(await creditEntryModel(testDb()).countDocuments({ state: { $ne: 'applied' } }), 0);
  });

  it('when concurrent negative changes race on one caller ID, then it never goes below zero', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const c = await a.api.post(a.base, { number: NUMBER, credit: '1.00' }).expect(201);
    const url = `${a.base}/${c.body.id}/credit`;
    const results = await Promise.all(Array.from({ length: 15 }, () => a.api.post(url, { amount: '-0.10' })));
    assert.equal(results.filter((r) => r.status === 201).length, 10);
    assert.equal(results.filter((r) => r.status === 409).length, 5);
    const credit = await a.api.get(url).expect(200);
    assert.equal(credit.body.availableCredit, '0.00');
  });

  it("when another client uses any route on this client's extension or caller ID, then 404 and nothing changes", async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const b = await tenant(app);
    const caller = await a.api.post(a.base, { number: NUMBER, name: 'A', credit: '5.00' }).expect(201);
    const item = `${a.base}/${caller.body.id}`;

    const attempts = [
      await b.api.post(a.base, { number: OTHER }),
      await b.api.get(a.base),
      await b.api.get(`${a.base}?format=csv`),
      await b.api.get(item),
      await b.api.patch(item, { name: 'B was here', enabled: false }),
      await b.api.delete(item),
      await b.api.post(`${item}/credit`, { amount: '100.00' }),
      await b.api.get(`${item}/credit`),
    ];
    for (const r of attempts) {
      assert.equal(r.status, 404, described(r));
      assert.equal(r.body.error.code, 'not_found');
      assert.ok(!r.text.includes(NUMBER));
    }
    const after = await a.api.get(item).expect(200);
    assert.deepEqual(after.body, caller.body);
    const list = await a.api.get(a.base).expect(200);
    assert.equal(list.body.items.length, 1);
  });

  it('when a client names its own extension but a caller ID of another client or extension, then 404 on every caller route', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    const b = await tenant(app);
    const bCaller = await b.api.post(b.base, { number: NUMBER, credit: '5.00' }).expect(201);
    const ext2 = await createExtension(a.api, '0003*004');
    const aOther = await a.api.post(`/api/extensions/${ext2}/authorized-callers`, { number: OTHER }).expect(201);

    for (const foreign of [bCaller.body.id, aOther.body.id, '0123456789abcdef01234567', 'not-an-id']) {
      const item = `${a.base}/${foreign}`;
      for (const r of [
        await a.api.get(item),
        await a.api.patch(item, { name: 'hijacked', number: '+33142685300' }),
        await a.api.delete(item),
        await a.api.post(`${item}/credit`, { amount: '100.00' }),
        await a.api.get(`${item}/credit`),
      ]) {
        assert.equal(r.status, 404, described(r));
      }
    }
    const bAfter = await b.api.get(`${b.base}/${bCaller.body.id}`).expect(200);
    assert.deepEqual(bAfter.body, bCaller.body);
    const bCredit = await b.api.get(`${b.base}/${bCaller.body.id}/credit`).expect(200);
    assert.equal(bCredit.body.entries.length, 1);
    await a.api.get(`/api/extensions/${ext2}/authorized-callers/${aOther.body.id}`).expect(200);
    // The extension itself: a malformed or unknown id is 404 too.
    await a.api.get('/api/extensions/not-an-id/authorized-callers').expect(404);
    await a.api.get('/api/extensions/0123456789abcdef01234567/authorized-callers').expect(404);
  });

  it('when no key is sent, then 401 on the caller routes', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    await supertest(app).get(a.base).expect(401);
    await supertest(app).post(a.base).send({ number: NUMBER }).expect(401);
  });

  it('when the extension is deleted, then its caller IDs go with it', async () => {
    const { app } = createTestApp();
    const a = await tenant(app);
    await a.api.post(a.base, { number: NUMBER }).expect(201);
    await a.api.delete(`/api/extensions/${a.extId}`).expect(204);
    assert.equal(await authorizedCallerModel(testDb()).countDocuments({}), 0);
    await a.api.get(a.base).expect(404);
  });
});
