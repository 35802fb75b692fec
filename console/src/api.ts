import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './api/openapi';

/** The console's typed client of our own API (types generated from /api/openapi.json). */
export type Schemas = components['schemas'];
export type ApiErrorBody = Schemas['Error'];

const KEY = 'callback-console.key';
const ROLE = 'callback-console.role';
export type Role = 'operator' | 'client';

// The key lives in this tab's session storage only: never in a URL, never in a cookie.
export const session = {
  key: () => sessionStorage.getItem(KEY),
  role: () => sessionStorage.getItem(ROLE) as Role | null,
  set(key: string, role: Role) {
    sessionStorage.setItem(KEY, key);
    sessionStorage.setItem(ROLE, role);
  },
  clear() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ROLE);
  },
};

const bearer: Middleware = {
  onRequest({ request }) {
    const key = session.key();
    if (key) request.headers.set('Authorization', `Bearer ${key}`);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(bearer);

/** Field path ("callback.fixedNumber") to its message, from an API error body. */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const fields = (error as ApiErrorBody | undefined)?.error?.fields ?? [];
  for (const f of fields) out[f.path] ??= f.message;
  return out;
}

export function errorMessage(error: unknown): string {
  const e = (error as ApiErrorBody | undefined)?.error;
  return e ? e.message : String(error);
}

/** Finds out what a key may do: the operator lists clients, a client key only its own objects. */
export async function probeRole(key: string): Promise<Role | null> {
  const headers = { Authorization: `Bearer ${key}` };
  const asOperator = await api.GET('/api/clients', { params: { query: { limit: 1 } }, headers });
  if (asOperator.response.ok) return 'operator';
  const asClient = await api.GET('/api/extensions', { params: { query: { limit: 1 } }, headers });
  return asClient.response.ok ? 'client' : null;
}
