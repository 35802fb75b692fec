import assert from 'node:assert/strict';
import { guardedPost } from '../../src/events/guarded-post';
import { EventReceiver } from '../support/event-receiver';

const opts = (allowPrivate: boolean, timeoutMs = 5_000) => ({ allowPrivate, timeoutMs, headers: {} });

describe('events: the SSRF guard of a delivery (real sockets on loopback)', () => {
  let receiver: EventReceiver;
  let internal: EventReceiver;
  beforeEach(async () => {
    receiver = new EventReceiver();
    internal = new EventReceiver();
    await receiver.start();
    await internal.start();
  });
  afterEach(async () => {
    await receiver.stop();
    await internal.stop();
  });

  it('when private networks are allowed, then the POST reaches a loopback receiver', async () => {
    const r = await guardedPost(receiver.url(), '{"x":1}', opts(true));
    assert.deepEqual(r, { ok: true, status: 200 });
    assert.equal(receiver.received[0]!.body, '{"x":1}');
    assert.equal(receiver.received[0]!.headers['content-type'], 'application/json');
  });

  it('when private networks are not allowed, then a loopback IP, a name resolving to one (localhost) and http: are refused without a connection', async () => {
    const literal = await guardedPost(`https://127.0.0.1:${receiver.port}/hook`, '{}', opts(false));
    assert.equal(literal.ok, false);
    assert.match(!literal.ok ? literal.error : '', /not a public address/);
    const named = await guardedPost(`https://localhost:${receiver.port}/hook`, '{}', opts(false));
    assert.equal(named.ok, false);
    assert.match(!named.ok ? named.error : '', /localhost does not resolve to a public address/);
    const mapped = await guardedPost(`https://[::ffff:127.0.0.1]:${receiver.port}/hook`, '{}', opts(false));
    assert.equal(mapped.ok, false);
    const plain = await guardedPost(receiver.url(), '{}', opts(false));
    assert.match(!plain.ok ? plain.error : '', /scheme/);
    assert.equal(receiver.received.length, 0, 'nothing reached the receiver');
  });

  it('when the receiver answers a redirect, then it is not followed and the attempt fails with its status', async () => {
    receiver.redirectTo = internal.url('/admin');
    const r = await guardedPost(receiver.url(), '{}', opts(true));
    assert.deepEqual(r, { ok: false, status: 302, error: 'HTTP 302' });
    assert.equal(receiver.received.length, 1);
    assert.equal(internal.received.length, 0, 'the redirect target was never asked');
  });

  it('when the receiver does not answer in time, then the attempt fails as a timeout', async () => {
    receiver.hang = true;
    const r = await guardedPost(receiver.url(), '{}', opts(true, 300));
    assert.deepEqual(r, { ok: false, status: null, error: 'timeout after 300 ms' });
  });

  it('when the receiver answers 500, then the attempt fails with that status', async () => {
    receiver.answer(500);
    const r = await guardedPost(receiver.url(), '{}', opts(true));
    assert.deepEqual(r, { ok: false, status: 500, error: 'HTTP 500' });
  });
});
