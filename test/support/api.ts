import type { Express } from 'express';
import supertest from 'supertest';
import { TEST_ADMIN_KEY } from './harness';
import { conformanceProblems } from './openapi-conformance';

/** supertest with a bearer key, so tests read like API calls. */
export interface ApiAs {
  get(path: string): supertest.Test;
  post(path: string, body?: object): supertest.Test;
  put(path: string, body?: object): supertest.Test;
  patch(path: string, body?: object): supertest.Test;
  delete(path: string): supertest.Test;
}

export function apiAs(app: Express, key: string = TEST_ADMIN_KEY): ApiAs {
  // Every response is also checked against the published OpenAPI document.
  const auth = (t: supertest.Test) =>
    t.set('Authorization', `Bearer ${key}`).expect((res) => {
      const req = (res as unknown as { req: { method: string; path: string } }).req;
      const problems = conformanceProblems(req.method, req.path, res.status, String(res.headers['content-type'] ?? ''), res.body);
      if (problems.length) throw new Error(problems.join('\n'));
    });
  const agent = supertest(app);
  return {
    get: (p) => auth(agent.get(p)),
    post: (p, b) => auth(agent.post(p)).send(b ?? {}),
    put: (p, b) => auth(agent.put(p)).send(b ?? {}),
    patch: (p, b) => auth(agent.patch(p)).send(b ?? {}),
    delete: (p) => auth(agent.delete(p)),
  };
}

let seq = 0;
const unique = (s: string) => `${s} ${++seq}-${Math.random().toString(36).slice(2, 7)}`;

/** Creates a rate table directly through the API (operator). */
export async function createRateTable(admin: ApiAs, body: Record<string, unknown> = {}): Promise<{ id: string }> {
  const res = await admin
    .post('/api/rate-tables', {
      name: unique('rates'),
      currency: 'USD',
      rates: [
        { prefix: '+44', perMinute: '0.0200' },
        { prefix: '+1', perMinute: '0.0100' },
      ],
      ...body,
    })
    .expect(201);
  return res.body as { id: string };
}

/** Creates a client (with a rate table) and a client API key; returns both. */
export async function createClientWithKey(app: Express, body: Record<string, unknown> = {}): Promise<{ clientId: string; key: string; rateTableId: string; api: ApiAs }> {
  const admin = apiAs(app);
  const rateTableId = (body.rateTableId as string | undefined) ?? (await createRateTable(admin)).id;
  const client = await admin.post('/api/clients', { name: unique('client'), credit: '10.00', rateTableId, ...body }).expect(201);
  const key = await admin.post(`/api/clients/${client.body.id}/api-keys`, { name: 'test' }).expect(201);
  return { clientId: client.body.id, key: key.body.key, rateTableId, api: apiAs(app, key.body.key) };
}
