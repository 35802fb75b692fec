import { useState } from 'preact/hooks';
import { api, errorMessage, type Role, type Schemas } from '../api';
import { FormMessage } from '../ui/form';
import { must, useLoad } from '../ui/load';

export function NumbersPage({ role }: { role: Role }) {
  const numbers = useLoad(async () => must(await api.GET('/api/numbers', { params: { query: { limit: 200 } } })).items, []);
  return (
    <section>
      <h1>Numbers</h1>
      {numbers.error && <p class="form-error">{numbers.error}</p>}
      <NumberTable numbers={numbers.data ?? []} keyRole={role} onChange={numbers.reload} />
      {role === 'operator' && <p>Add numbers from a channel's page.</p>}
    </section>
  );
}

/** Numbers with their "rings back to" extension, changeable in place (the client only by the operator). */
// `keyRole`, not `role`: the signed-in key's role, kept apart from the ARIA attribute of the same name.
export function NumberTable({ numbers, keyRole: role, onChange }: { numbers: Schemas['PhoneNumber'][]; keyRole: Role; onChange: () => void }) {
  const clients = useLoad(async () => (role === 'operator' ? must(await api.GET('/api/clients', { params: { query: { limit: 200 } } })).items : []), [role]);
  const exts = useLoad(async () => must(await api.GET('/api/extensions', { params: { query: { limit: 200 } } })).items, []);
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  const patch = async (n: Schemas['PhoneNumber'], body: { clientId?: string | null; extensionId?: string | null }) => {
    const res = await api.PATCH('/api/numbers/{id}', { params: { path: { id: n.id } }, body });
    setMessage(res.error ? { error: errorMessage(res.error) } : { ok: `${n.number} saved.` });
    onChange();
  };
  return (
    <>
      <table>
        <thead>
          <tr>
            <th>Number</th>
            <th>Resource</th>
            {role === 'operator' && <th>Client</th>}
            <th>Rings back to</th>
          </tr>
        </thead>
        <tbody>
          {numbers.map((n) => (
            <tr key={n.id}>
              <td>{n.number}</td>
              <td>{n.channel.name}</td>
              {role === 'operator' && (
                <td>
                  <select
                    aria-label={`Client of ${n.number}`}
                    value={n.clientId ?? ''}
                    onChange={(e) => patch(n, { clientId: (e.currentTarget as HTMLSelectElement).value || null, extensionId: null })}
                  >
                    <option value="">nobody (pool)</option>
                    {(clients.data ?? []).map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                </td>
              )}
              <td>
                <select
                  aria-label={`Extension ${n.number} rings back to`}
                  value={n.extensionId ?? ''}
                  disabled={!n.clientId}
                  onChange={(e) => patch(n, { extensionId: (e.currentTarget as HTMLSelectElement).value || null })}
                >
                  <option value="">-</option>
                  {(exts.data ?? [])
                    .filter((x) => x.clientId === n.clientId)
                    .map((x) => (
                      <option key={x.id} value={x.id}>
                        {x.extensionNumber} {x.name}
                      </option>
                    ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <FormMessage {...message} />
    </>
  );
}
