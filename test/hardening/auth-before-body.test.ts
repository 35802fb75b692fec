import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp } from '../support/harness';

/**
 * Issue 15, item 6: the configuration API authenticates before it reads a body. Each request here sends
 * its headers and a first chunk, then stalls the body: only an answer given without reading the body
 * can arrive.
 */

function stalledPost(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, headers: { ...headers, 'Content-Length': String(5 * 1024 * 1024) } });
    // A wide margin: an answer that needs the body never comes, whatever the machine's speed.
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer to ${path} while its body was stalled`));
    }, 8_000);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', () => {}); // destroyed after the answer
    req.write(headers['Content-Type']!.startsWith('multipart') ? '--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF' : '{"name":');
  });
}

describe('hardening: authentication before the body (issue 15, item 6)', () => {
  let server: http.Server;
  let port = 0;
  beforeEach(async () => {
    const t = createTestApp();
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('when an upload to POST /api/sounds carries a bad key, then 401 comes while the body is still unsent', async () => {
    const res = await stalledPost(port, '/api/sounds', { Authorization: 'Bearer junk-junk-junk-junk-junk', 'Content-Type': 'multipart/form-data; boundary=b' });
    assert.equal(res.status, 401);
    assert.equal(JSON.parse(res.body).error.code, 'unauthorized');
  });

  it('when a JSON write carries a bad key, then 401 comes while the body is still unsent', async () => {
    const res = await stalledPost(port, '/api/clients', { Authorization: 'Bearer junk-junk-junk-junk-junk', 'Content-Type': 'application/json' });
    assert.equal(res.status, 401);
  });
});
