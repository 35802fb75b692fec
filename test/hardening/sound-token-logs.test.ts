import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import supertest from 'supertest';
import { createLogger } from '../../src/logger';
import { createClientWithKey } from '../support/api';
import { createTestApp, TEST_ADMIN_KEY, TEST_PUBLIC_BASE_URL } from '../support/harness';

/** Issue 15, item 3: the unguessable token of a public sound URL is never written to a log line. */

class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) this.lines.push(l);
    cb();
  }
}

/** A PCM WAV of a few samples. */
function wav(): Buffer {
  const b = Buffer.alloc(44 + 16);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + 16, 4);
  b.write('WAVE', 8, 'latin1');
  b.write('fmt ', 12, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(8000, 28);
  b.writeUInt16LE(1, 32);
  b.writeUInt16LE(8, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(16, 40);
  return b;
}

describe('hardening: sound tokens in logs (issue 15, item 3)', () => {
  it('when a sound is uploaded, fetched, fetched with a wrong token and logged about, then no log line holds a token', async () => {
    const capture = new LogCapture();
    const t = createTestApp({ logger: createLogger('trace', capture) });
    const c = await createClientWithKey(t.app, {});
    const up = await supertest(t.app)
      .post('/api/sounds')
      .set('Authorization', `Bearer ${TEST_ADMIN_KEY}`)
      .field('name', 'disconnect')
      .field('clientId', c.clientId)
      .attach('file', wav(), { filename: 'd.wav', contentType: 'audio/wav' })
      .expect(201);
    const url = up.body.url as string;
    const token = url.slice(`${TEST_PUBLIC_BASE_URL}/sounds/`.length);
    assert.equal(token.length, 43);
    await supertest(t.app).get(`/sounds/${token}`).expect(200);
    await supertest(t.app).get(`/sounds/${token}?x=1`).expect(200);
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    await supertest(t.app).get(`/sounds/${wrong}`).expect(404);
    t.deps.logger.warn({ url, detail: { at: `GET /sounds/${token}` } }, `a line about ${url}`);

    const lines = capture.lines;
    assert.ok(lines.filter((l) => l.includes('/sounds/[redacted]')).length >= 4, `access log lines missing:\n${lines.join('\n')}`);
    for (const line of lines) {
      assert.ok(!line.includes(token) && !line.includes(wrong), `a sound token in a log line: ${line}`);
    }
  });
});
