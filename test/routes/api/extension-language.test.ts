import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { extensionModel } from '../../../models/extension';
import { soundModel } from '../../../models/sound';
import { LANGUAGES } from '../../../src/callflow/i18n/languages';
import { newSoundToken } from '../../../src/domain/sounds';
import { apiAs, createClientWithKey, createRateTable } from '../../support/api';
import { testDb } from '../../support/database';
import { createTestApp } from '../../support/harness';

const ext = (callback: Record<string, unknown>) => ({ extensionNumber: `7${Math.floor(Math.random() * 1e6)}`, name: 'Desk', callback: { returnCalls: 'caller', ...callback } });

async function setup() {
  const { app } = createTestApp();
  const a = await createClientWithKey(app);
  return { app, admin: apiAs(app), ...a };
}

const fieldsOf = (res: { body: { error: { fields: { path: string; message: string }[] } } }) => res.body.error.fields;

describe('config API: languages, voices and recorded prompts of an extension', () => {
  it('when the language has no catalog, then 400 names callback.language and lists the available ones', async () => {
    const { api } = await setup();
    const res = await api.post('/api/extensions', ext({ language: 'sv-SE' })).expect(400);
    const [field] = fieldsOf(res);
    assert.equal(field!.path, 'callback.language');
    for (const l of LANGUAGES) assert.ok(field!.message.includes(l), `${l} missing from: ${field!.message}`);
    assert.match(field!.message, /auto/);
  });

  it('when every catalog language is set, then it is stored; a patch to one without a catalog is refused and changes nothing', async () => {
    const { api } = await setup();
    const created = await api.post('/api/extensions', ext({ language: 'fr-FR', voice: 'Polly.Lea' })).expect(201);
    for (const language of LANGUAGES) {
      const res = await api.patch(`/api/extensions/${created.body.id}`, { callback: { language, voice: null } }).expect(200);
      assert.equal(res.body.callback.language, language);
    }
    const bad = await api.patch(`/api/extensions/${created.body.id}`, { callback: { language: 'fr' } }).expect(400);
    assert.equal(fieldsOf(bad)[0]!.path, 'callback.language');
    assert.equal((await extensionModel(testDb()).findById(created.body.id).lean())!.callback.language, 'pl-PL');
  });

  it('when the voice does not speak the language, then 400 on callback.voice lists the voices that do', async () => {
    const { api } = await setup();
    const res = await api.post('/api/extensions', ext({ language: 'fr-FR', voice: 'Polly.Hans' })).expect(400);
    const [field] = fieldsOf(res);
    assert.equal(field!.path, 'callback.voice');
    assert.match(field!.message, /Polly\.Celine/);
    assert.match(field!.message, /Polly\.Lea/);
    await api.post('/api/extensions', ext({ language: 'de-DE', voice: 'Polly.Hans' })).expect(201);
    await api.post('/api/extensions', ext({ language: 'pl-PL', voice: 'Polly.Ewa' })).expect(201);
    // A patch that changes the language alone is checked against the stored voice.
    const de = await api.post('/api/extensions', ext({ language: 'de-DE', voice: 'Polly.Vicki' })).expect(201);
    const moved = await api.patch(`/api/extensions/${de.body.id}`, { callback: { language: 'it-IT' } }).expect(400);
    assert.equal(fieldsOf(moved)[0]!.path, 'callback.voice');
  });

  it('when the language is "auto", then defaultLanguage is required and a fixed voice is refused', async () => {
    const { api } = await setup();
    const noDefault = await api.post('/api/extensions', ext({ language: 'auto' })).expect(400);
    assert.equal(fieldsOf(noDefault)[0]!.path, 'callback.defaultLanguage');
    const withVoice = await api.post('/api/extensions', ext({ language: 'auto', defaultLanguage: 'en-GB', voice: 'Polly.Amy' })).expect(400);
    assert.equal(fieldsOf(withVoice)[0]!.path, 'callback.voice');
    const badDefault = await api.post('/api/extensions', ext({ language: 'auto', defaultLanguage: 'auto' })).expect(400);
    assert.equal(fieldsOf(badDefault)[0]!.path, 'callback.defaultLanguage');
    const ok = await api.post('/api/extensions', ext({ language: 'auto', defaultLanguage: 'en-GB' })).expect(201);
    assert.equal(ok.body.callback.language, 'auto');
    assert.equal(ok.body.callback.defaultLanguage, 'en-GB');
  });

  it("when a prompt key is unknown or its sound does not exist (or is another client's), then 400 names the field", async () => {
    const { app, api, admin } = await setup();
    const unknownKey = await api.post('/api/extensions', ext({ prompts: { enterPin: 'https://s.example/a.mp3' } })).expect(400);
    assert.deepEqual(
      fieldsOf(unknownKey).map((f) => f.path),
      ['callback.prompts.enterPin'],
    );
    const missing = await api.post('/api/extensions', ext({ prompts: { enterPassword: new Types.ObjectId().toHexString() } })).expect(400);
    assert.deepEqual(
      fieldsOf(missing).map((f) => f.path),
      ['callback.prompts.enterPassword'],
    );
    const notASound = await api.post('/api/extensions', ext({ prompts: { menu: 'ftp://x' } })).expect(400);
    assert.equal(fieldsOf(notASound)[0]!.path, 'callback.prompts.menu');
    const other = await createClientWithKey(app);
    const theirs = await other.api.post('/api/sounds', { name: 'theirs', url: 'https://s.example/theirs.mp3' }).expect(201);
    const stolen = await api.post('/api/extensions', ext({ prompts: { goodbye: theirs.body.id } })).expect(400);
    assert.equal(fieldsOf(stolen)[0]!.path, 'callback.prompts.goodbye');
    // The operator's library is everyone's.
    const shared = await admin.post('/api/sounds', { name: 'shared', url: 'https://s.example/shared.mp3' }).expect(201);
    await api.post('/api/extensions', ext({ prompts: { goodbye: shared.body.id } })).expect(201);
  });

  it('when prompts name sounds, then they are stored as given and resolved once to what Twilio plays; a used sound cannot be deleted', async () => {
    const { api, clientId } = await setup();
    const byUrl = await api.post('/api/sounds', { name: 'pin', url: 'https://s.example/pin.mp3' }).expect(201);
    const token = newSoundToken();
    const uploaded = await soundModel(testDb()).create({
      clientId: new Types.ObjectId(clientId),
      name: 'menu',
      data: Buffer.from('RIFF'),
      contentType: 'audio/wav',
      size: 4,
      token,
    });
    const prompts = { enterPassword: byUrl.body.id, menu: String(uploaded._id), goodbye: 'https://s.example/bye.mp3' };
    const res = await api.post('/api/extensions', ext({ prompts })).expect(201);
    assert.deepEqual(res.body.callback.prompts, prompts);
    const stored = await extensionModel(testDb()).findById(res.body.id).lean();
    assert.deepEqual(stored!.callback.promptPlay, { enterPassword: 'https://s.example/pin.mp3', menu: `/sounds/${token}`, goodbye: 'https://s.example/bye.mp3' });
    assert.equal((await api.delete(`/api/sounds/${byUrl.body.id}`).expect(409)).body.error.code, 'in_use');
    // A patch replaces the map: the sound is free again.
    const patched = await api.patch(`/api/extensions/${res.body.id}`, { callback: { prompts: { goodbye: 'https://s.example/bye.mp3' } } }).expect(200);
    assert.deepEqual(patched.body.callback.prompts, { goodbye: 'https://s.example/bye.mp3' });
    assert.deepEqual((await extensionModel(testDb()).findById(res.body.id).lean())!.callback.promptPlay, { goodbye: 'https://s.example/bye.mp3' });
    await api.delete(`/api/sounds/${byUrl.body.id}`).expect(204);
  });

  it('when GET /api/prompts is read with a client key, then every prompt key has its text in every language', async () => {
    const { api } = await setup();
    const res = await api.get('/api/prompts').expect(200);
    const keys = res.body.prompts.map((p: { key: string }) => p.key);
    for (const k of ['enterPassword', 'wrongPassword', 'menu', 'enterDestination', 'invalidNumber', 'deniedNumber', 'noCredit', 'goodbye', 'connecting', 'creditEnded']) {
      assert.ok(keys.includes(k), `${k} is not a prompt key`);
    }
    const pin = res.body.prompts.find((p: { key: string }) => p.key === 'enterPassword');
    assert.deepEqual(Object.keys(pin.text).sort(), [...LANGUAGES].sort());
    assert.match(pin.text['fr-FR'], /dièse/);
    const credit = res.body.prompts.find((p: { key: string }) => p.key === 'yourCredit');
    assert.equal(credit.value, 'amount');
    assert.equal(credit.text['de-DE'], 'Ihr Guthaben beträgt {amount}.');
    assert.ok(res.body.languages.find((l: { language: string }) => l.language === 'es-MX').voices.includes('Polly.Mia'));
  });

  it('when a rate table is in yen or Kuwaiti dinars, then it is accepted; a code outside ISO 4217 is 400', async () => {
    const { admin } = await setup();
    await createRateTable(admin, { currency: 'JPY' });
    await createRateTable(admin, { currency: 'KWD' });
    const bad = await admin.post('/api/rate-tables', { name: 'x', currency: 'XYZ', rates: [] }).expect(400);
    assert.equal(fieldsOf(bad)[0]!.path, 'currency');
  });
});
