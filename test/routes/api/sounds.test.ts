import assert from 'node:assert/strict';
import type { Express } from 'express';
import { Types } from 'mongoose';
import supertest from 'supertest';
import { extensionModel } from '../../../models/extension';
import { soundModel } from '../../../models/sound';
import { apiAs, createClientWithKey } from '../../support/api';
import { testDb } from '../../support/database';
import { TEST_ADMIN_KEY, TEST_PUBLIC_BASE_URL, createTestApp } from '../../support/harness';
import { conformanceProblems } from '../../support/openapi-conformance';

const MB5 = 5 * 1024 * 1024;

/** A PCM WAV: the 44-byte RIFF/WAVE header and `samples` 8-bit mono samples. */
function wav(samples = 16, pad = 0): Buffer {
  const dataLen = samples + pad;
  const b = Buffer.alloc(44 + dataLen);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + dataLen, 4);
  b.write('WAVE', 8, 'latin1');
  b.write('fmt ', 12, 'latin1');
  b.writeUInt32LE(16, 16); // fmt chunk size
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(8000, 24); // sample rate
  b.writeUInt32LE(8000, 28); // byte rate
  b.writeUInt16LE(1, 32); // block align
  b.writeUInt16LE(8, 34); // bits per sample
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(dataLen, 40);
  for (let i = 0; i < samples; i++) b[44 + i] = (128 + Math.round(100 * Math.sin(i / 2))) & 0xff;
  return b;
}

/** An MPEG-1 Layer III frame header (128 kbit/s, 44.1 kHz) and a few zero bytes. */
const mp3Frame = () => Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(60)]);
/** An ID3v2.4 tag header (empty tag) before an MP3 frame. */
const mp3WithId3 = () => Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([4, 0, 0, 0, 0, 0, 0]), mp3Frame()]);

/** No stored bytes and no raw token ever appear in a JSON answer. */
function assertNoStoredInternals(body: unknown): void {
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        assert.ok(!['data', 'token', '_id'].includes(k), `response has a "${k}" field`);
        walk(x);
      }
    }
  };
  walk(body);
}

/** A multipart upload with the given key; fields first, then the file part "file" (unless null). */
function upload(
  app: Express,
  fields: Record<string, string>,
  file: { data: Buffer; filename?: string; contentType?: string; field?: string } | null,
  key: string = TEST_ADMIN_KEY,
): supertest.Test {
  // checked against the OpenAPI document like every apiAs call
  let t = supertest(app)
    .post('/api/sounds')
    .set('Authorization', `Bearer ${key}`)
    .expect((res) => {
      const problems = conformanceProblems('POST', '/api/sounds', res.status, String(res.headers['content-type'] ?? ''), res.body);
      if (problems.length) throw new Error(problems.join('\n'));
    });
  for (const [k, v] of Object.entries(fields)) t = t.field(k, v);
  if (file) t = t.attach(file.field ?? 'file', file.data, { filename: file.filename ?? 'sound.wav', contentType: file.contentType ?? 'audio/wav' });
  return t;
}

/** GETs a public sound URL and keeps the body as bytes. */
function fetchBytes(app: Express, url: string): supertest.Test {
  assert.ok(url.startsWith(`${TEST_PUBLIC_BASE_URL}/sounds/`), url);
  return supertest(app)
    .get(url.slice(TEST_PUBLIC_BASE_URL.length))
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
}

function extensionPlaying(clientId: string, disconnectSound: string) {
  return extensionModel(testDb()).create({
    clientId: new Types.ObjectId(clientId),
    extensionNumber: `0003*${Math.floor(Math.random() * 900) + 100}`,
    name: 'Front desk',
    callback: {
      triggerAfterSeconds: 5,
      returnCalls: 'caller',
      disconnectSound,
      dialWindowSeconds: 15,
      retry: { attempts: 2, delaySeconds: 30, ringTimeoutSeconds: 30, detectMachine: true },
      language: 'en-US',
    },
    callerId: { name: { mode: 'server' }, number: { mode: 'server' } },
  });
}

describe('config API: sounds', () => {
  it('when the operator adds a sound by https URL, then it is stored as an operator-library url sound', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const res = await admin.post('/api/sounds', { name: 'Credit is zero', url: 'https://media.example.com/zero.mp3' }).expect(201);
    assertNoStoredInternals(res.body);
    assert.deepEqual(
      { ...res.body, id: undefined, createdAt: undefined, updatedAt: undefined },
      {
        id: undefined,
        name: 'Credit is zero',
        clientId: null,
        source: 'url',
        url: 'https://media.example.com/zero.mp3',
        contentType: null,
        size: null,
        createdAt: undefined,
        updatedAt: undefined,
      },
    );
    const read = await admin.get(`/api/sounds/${res.body.id}`).expect(200);
    assert.deepEqual(read.body, res.body);
  });

  it('when the URL is not absolute https, or fields are missing or unknown, then 400 names each field', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    for (const url of ['http://media.example.com/zero.mp3', '/sounds/zero.mp3', 'javascript:alert(1)', 'ftp://media.example.com/a.mp3']) {
      const res = await admin.post('/api/sounds', { name: 'x', url }).expect(400);
      assert.deepEqual(
        res.body.error.fields.map((f: { path: string }) => f.path),
        ['url'],
        url,
      );
    }
    const missing = await admin.post('/api/sounds', { name: 'x' }).expect(400);
    assert.deepEqual(missing.body.error.fields, [{ path: 'url', message: 'required' }]);
    const bad = await admin.post('/api/sounds', { name: { $gt: '' }, url: 'https://a.example/x.mp3', data: 'AAAA', file: 'x' }).expect(400);
    assert.deepEqual(bad.body.error.fields.map((f: { path: string }) => f.path).sort(), ['data', 'file', 'name']);
    assert.equal(await soundModel(testDb()).countDocuments(), 0);
  });

  it('when a WAV file is uploaded, then it is stored and served back byte-identical at its public URL', async () => {
    const { app } = createTestApp();
    const a = await createClientWithKey(app);
    const bytes = wav(200);
    const res = await upload(app, { name: 'Goodbye' }, { data: bytes, filename: 'goodbye.wav' }, a.key).expect(201);
    assertNoStoredInternals(res.body);
    assert.equal(res.body.source, 'upload');
    assert.equal(res.body.clientId, a.clientId);
    assert.equal(res.body.contentType, 'audio/wav');
    assert.equal(res.body.size, bytes.length);
    const token = res.body.url.slice(`${TEST_PUBLIC_BASE_URL}/sounds/`.length);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, 'a 256-bit base64url token');

    const served = await fetchBytes(app, res.body.url).expect(200);
    assert.equal(served.headers['content-type'], 'audio/wav');
    assert.equal(served.headers['content-length'], String(bytes.length));
    assert.equal(served.headers['cache-control'], 'public, max-age=86400');
    assert.ok(Buffer.compare(served.body as Buffer, bytes) === 0, 'same bytes');

    const stored = await soundModel(testDb()).findById(res.body.id);
    assert.equal(stored!.token, token);
    assert.ok(Buffer.compare(Buffer.from(stored!.data!), bytes) === 0, 'the bytes are in the database');
  });

  it('when MP3 files (with an ID3 tag, or a bare frame sync) are uploaded, then both are served as audio/mpeg', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    for (const [i, data] of [mp3WithId3(), mp3Frame()].entries()) {
      // the declared type and file name are ignored: the content decides
      const res = await upload(app, { name: `mp3 ${i}` }, { data, filename: 'whatever.bin', contentType: 'application/octet-stream' }).expect(201);
      assert.equal(res.body.contentType, 'audio/mpeg');
      assert.equal(res.body.clientId, null);
      const served = await fetchBytes(app, res.body.url).expect(200);
      assert.equal(served.headers['content-type'], 'audio/mpeg');
      assert.ok(Buffer.compare(served.body as Buffer, data) === 0);
    }
    const list = await admin.get('/api/sounds?name=mp3').expect(200);
    assert.equal(list.body.items.length, 2);
  });

  it('when a text file is renamed .wav (or the bytes are not WAV/MP3), then 415 on the field file and nothing is stored', async () => {
    const { app } = createTestApp();
    const fakes = [
      Buffer.from('this is not a sound at all, just text\n'),
      Buffer.from('RIFF\0\0\0\0AVI LIST'),
      Buffer.from([0xff, 0xf1, 0x50, 0x80]), // AAC (ADTS), not MP3
      Buffer.alloc(0),
    ];
    for (const data of fakes) {
      const res = await upload(app, { name: 'fake' }, { data, filename: 'fake.wav', contentType: 'audio/wav' });
      assert.equal(res.status, 415, data.toString('latin1'));
      assert.equal(res.body.error.code, 'unsupported_media_type');
      assert.deepEqual(
        res.body.error.fields.map((f: { path: string }) => f.path),
        ['file'],
      );
    }
    assert.equal(await soundModel(testDb()).countDocuments(), 0);
  });

  it('when the file is larger than 5 MB, then 413 and no document is stored; exactly 5 MB is accepted', async () => {
    const { app } = createTestApp();
    const tooBig = await upload(app, { name: 'big' }, { data: wav(16, MB5 - 44 - 16 + 1) }).expect(413);
    assert.equal(tooBig.body.error.code, 'payload_too_large');
    assert.equal(await soundModel(testDb()).countDocuments(), 0);
    const max = await upload(app, { name: 'max' }, { data: wav(16, MB5 - 44 - 16) }).expect(201);
    assert.equal(max.body.size, MB5);
  });

  it('when the body is neither JSON nor a well-formed upload, then 415 or 400, and anonymous uploads are not read', async () => {
    const { app } = createTestApp();
    const auth = `Bearer ${TEST_ADMIN_KEY}`;
    const text = await supertest(app).post('/api/sounds').set('Authorization', auth).type('text/plain').send('name=x').expect(415);
    assert.equal(text.body.error.code, 'unsupported_media_type');
    await supertest(app).post('/api/sounds').set('Authorization', auth).type('form').send({ name: 'x' }).expect(415);
    const noBoundary = await supertest(app).post('/api/sounds').set('Authorization', auth).set('Content-Type', 'multipart/form-data').send('x').expect(400);
    assert.equal(noBoundary.body.error.code, 'invalid_multipart');
    const cut = await supertest(app)
      .post('/api/sounds')
      .set('Authorization', auth)
      .set('Content-Type', 'multipart/form-data; boundary=XYZ')
      .send('--XYZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nhalf')
      .expect(400);
    assert.equal(cut.body.error.code, 'invalid_multipart');
    const wrongPart = await upload(app, { name: 'x' }, { data: wav(), field: 'sound' }).expect(400);
    assert.deepEqual(
      wrongPart.body.error.fields.map((f: { path: string }) => f.path),
      ['file'],
    );
    const noFile = await upload(app, { name: 'x' }, null).expect(400);
    assert.deepEqual(noFile.body.error.fields, [{ path: 'file', message: 'required' }]);
    const both = await upload(app, { name: 'x', url: 'https://a.example/x.wav' }, { data: wav() }).expect(400);
    assert.deepEqual(
      both.body.error.fields.map((f: { path: string }) => f.path),
      ['url', 'file'],
    );
    const unknown = await upload(app, { name: 'x', colour: 'red' }, { data: wav() }).expect(400);
    assert.deepEqual(
      unknown.body.error.fields.map((f: { path: string }) => f.path),
      ['colour'],
    );
    const anonymous = await supertest(app).post('/api/sounds').field('name', 'x').attach('file', wav(), 'a.wav').expect(401);
    assert.equal(anonymous.body.error.code, 'unauthorized');
    await upload(app, { name: 'x' }, { data: wav() }, 'cbk_not-a-real-key-000000000000').expect(401);
    assert.equal(await soundModel(testDb()).countDocuments(), 0);
  });

  it('when sounds are searched by a part of their name, then case-insensitive literal matches come back, paginated', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    for (const name of ['Credit Low', 'credit zero', 'Goodbye', 'Promo .* special', 'a+b']) {
      await admin.post('/api/sounds', { name, url: 'https://media.example.com/x.mp3' }).expect(201);
    }
    const names = async (q: string) => {
      const res = await admin.get(`/api/sounds?${q}`).expect(200);
      assertNoStoredInternals(res.body);
      return res.body.items.map((s: { name: string }) => s.name).sort();
    };
    assert.deepEqual(await names('name=CREDIT'), ['Credit Low', 'credit zero']);
    assert.deepEqual(await names('name=dit%20z'), ['credit zero']);
    assert.deepEqual(await names(`name=${encodeURIComponent('.*')}`), ['Promo .* special']);
    assert.deepEqual(await names(`name=${encodeURIComponent('a+b')}`), ['a+b']);
    assert.deepEqual(await names(`name=${encodeURIComponent('(')}`), []);
    assert.deepEqual(await names('name=nothing'), []);
    assert.equal((await names('')).length, 5);
    const first = await admin.get('/api/sounds?name=e&limit=2').expect(200);
    assert.equal(first.body.items.length, 2);
    const second = await admin.get(`/api/sounds?name=e&limit=2&cursor=${first.body.nextCursor}`).expect(200);
    assert.equal(second.body.items.length, 2);
    assert.equal(second.body.nextCursor, null);
    await admin.get('/api/sounds?name[$regex]=.').expect(400);
    await admin.get('/api/sounds?limit=201').expect(400);
  });

  it('when client keys use sounds, then each sees its own and the operator library, and changes only its own', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const a = await createClientWithKey(app);
    const b = await createClientWithKey(app);
    const lib = (await admin.post('/api/sounds', { name: 'library', url: 'https://media.example.com/lib.mp3' }).expect(201)).body;
    const forA = (await admin.post('/api/sounds', { name: 'for a', url: 'https://media.example.com/a.mp3', clientId: a.clientId }).expect(201)).body;
    assert.equal(forA.clientId, a.clientId);
    const ofB = (await upload(app, { name: 'of b' }, { data: wav() }, b.key).expect(201)).body;
    assert.equal(ofB.clientId, b.clientId);

    const listA = await a.api.get('/api/sounds').expect(200);
    assert.deepEqual(listA.body.items.map((s: { name: string }) => s.name).sort(), ['for a', 'library']);
    await a.api.get(`/api/sounds?clientId=${a.clientId}`).expect(200);
    await a.api.get(`/api/sounds?clientId=${b.clientId}`).expect(404);
    const operatorForB = await admin.get(`/api/sounds?clientId=${b.clientId}`).expect(200);
    assert.deepEqual(operatorForB.body.items.map((s: { name: string }) => s.name).sort(), ['library', 'of b']);

    // another client's sound does not exist for A
    await a.api.get(`/api/sounds/${ofB.id}`).expect(404);
    await a.api.patch(`/api/sounds/${ofB.id}`, { name: 'mine' }).expect(404);
    await a.api.delete(`/api/sounds/${ofB.id}`).expect(404);
    // the operator library is readable, not changeable
    await a.api.get(`/api/sounds/${lib.id}`).expect(200);
    await a.api.patch(`/api/sounds/${lib.id}`, { name: 'mine' }).expect(404);
    await a.api.delete(`/api/sounds/${lib.id}`).expect(404);
    // a client key cannot create for another client or for the library
    await a.api.post('/api/sounds', { name: 'x', url: 'https://a.example/x.mp3', clientId: b.clientId }).expect(404);
    await upload(app, { name: 'x', clientId: b.clientId }, { data: wav() }, a.key).expect(404);
    const toLibrary = await a.api.post('/api/sounds', { name: 'x', url: 'https://a.example/x.mp3', clientId: null }).expect(400);
    assert.equal(toLibrary.body.error.fields[0].path, 'clientId');
    await a.api.post('/api/sounds', { name: 'own', url: 'https://a.example/x.mp3', clientId: a.clientId }).expect(201);
    // the operator names a client that does not exist
    const ghost = await admin.post('/api/sounds', { name: 'x', url: 'https://a.example/x.mp3', clientId: '0123456789abcdef01234567' }).expect(400);
    assert.equal(ghost.body.error.fields[0].path, 'clientId');

    const renamed = await b.api.patch(`/api/sounds/${ofB.id}`, { name: 'renamed' }).expect(200);
    assert.equal(renamed.body.name, 'renamed');
    assert.equal(renamed.body.url, ofB.url);
    assertNoStoredInternals(renamed.body);
    await b.api.patch(`/api/sounds/${ofB.id}`, { name: 'x', url: 'https://a.example/y.mp3' }).expect(400);
    await b.api.delete(`/api/sounds/${ofB.id}`).expect(204);
    await b.api.get(`/api/sounds/${ofB.id}`).expect(404);
    await fetchBytes(app, ofB.url).expect(404);
    await admin.get('/api/sounds/not-an-id').expect(404);
    const operatorUpload = await upload(app, { name: 'for b', clientId: b.clientId }, { data: mp3Frame() }).expect(201);
    assert.equal(operatorUpload.body.clientId, b.clientId);
  });

  it('when an extension plays the sound before disconnecting, then deleting it is 409 until it no longer does', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const a = await createClientWithKey(app);
    const byId = (await admin.post('/api/sounds', { name: 'zero', url: 'https://media.example.com/zero.mp3' }).expect(201)).body;
    const byUrl = (await upload(app, { name: 'bye' }, { data: wav() }, a.key).expect(201)).body;
    const e1 = await extensionPlaying(a.clientId, byId.id);
    const e2 = await extensionPlaying(a.clientId, byUrl.url);
    const refused = await admin.delete(`/api/sounds/${byId.id}`).expect(409);
    assert.equal(refused.body.error.code, 'in_use');
    await a.api.delete(`/api/sounds/${byUrl.id}`).expect(409);
    await extensionModel(testDb()).updateOne({ _id: e1._id }, { $set: { 'callback.disconnectSound': null } });
    await extensionModel(testDb()).deleteOne({ _id: e2._id });
    await admin.delete(`/api/sounds/${byId.id}`).expect(204);
    await a.api.delete(`/api/sounds/${byUrl.id}`).expect(204);
  });

  it('when a public sound URL is malformed or unknown, then 404 without authentication being asked', async () => {
    const { app } = createTestApp();
    const res = await upload(app, { name: 'x' }, { data: wav() }).expect(201);
    const token: string = res.body.url.split('/').pop();
    const other = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    await supertest(app).get(`/sounds/${other}`).expect(404);
    await supertest(app).get('/sounds/short').expect(404);
    await supertest(app)
      .get(`/sounds/${'.'.repeat(43)}`)
      .expect(404);
    await supertest(app).get(`/sounds/${token}`).expect(200);
  });
});
