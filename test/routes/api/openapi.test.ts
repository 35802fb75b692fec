import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import supertest from 'supertest';
import { apiRouteTable } from '../../../routes/api';
import { createTestApp, TEST_PUBLIC_BASE_URL } from '../../support/harness';
import { conformanceProblems } from '../../support/openapi-conformance';

describe('config API: OpenAPI document', () => {
  it('when /api/openapi.json is fetched without a key, then it is a valid OpenAPI 3.1 document', async () => {
    const { app } = createTestApp();
    const res = await supertest(app).get('/api/openapi.json').expect(200).expect('Content-Type', /json/);
    assert.equal(res.body.openapi, '3.1.0');
    const result = await new Validator().validate(res.body);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  });

  it('when the route table is compared with the document, then every route is documented with its responses', async () => {
    const { app } = createTestApp();
    const doc = (await supertest(app).get('/api/openapi.json').expect(200)).body;
    for (const r of apiRouteTable(TEST_PUBLIC_BASE_URL)) {
      const p = `/api${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
      const op = doc.paths[p]?.[r.method];
      assert.ok(op, `${r.method} ${p} missing`);
      assert.deepEqual(Object.keys(op.responses).sort(), Object.keys(r.responses).sort());
    }
  });

  it('when /api/docs is opened, then an HTML page lists the operations', async () => {
    const { app } = createTestApp();
    const res = await supertest(app).get('/api/docs').expect(200).expect('Content-Type', /html/);
    assert.match(res.text, /\/api\/extensions\/:id\/caller-ids/);
  });

  it('when a response does not match its documented schema, then the conformance check reports it', () => {
    const problems = conformanceProblems('GET', '/api/clients/0123456789abcdef01234567', 200, 'application/json', { id: 1 });
    assert.ok(problems.length > 0);
    assert.match(problems[0]!, /does not match/);
    const undocumented = conformanceProblems('POST', '/api/clients', 418, 'application/json', {});
    assert.match(undocumented[0]!, /does not list/);
  });
});
