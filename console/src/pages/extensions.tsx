import { api, type Role } from '../api';
import { must, useLoad } from '../ui/load';

export function ExtensionsPage({ role }: { role: Role }) {
  const list = useLoad(async () => must(await api.GET('/api/extensions', { params: { query: { limit: 200 } } })).items, []);
  return (
    <section>
      <h1>Extensions</h1>
      <p>
        <a class="button" href="#/extensions/new">
          New callback extension
        </a>
      </p>
      {list.error && <p class="form-error">{list.error}</p>}
      <table>
        <thead>
          <tr>
            <th>Extension</th>
            <th>Name</th>
            {role === 'operator' && <th>Client</th>}
            <th>Return calls</th>
            <th>Pages</th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((e) => (
            <tr key={e.id}>
              <td>
                <a href={`#/extensions/${e.id}`}>{e.extensionNumber}</a>
              </td>
              <td>{e.name}</td>
              {role === 'operator' && (
                <td>
                  <a href={`#/clients/${e.clientId}`}>{e.clientId}</a>
                </td>
              )}
              <td>{e.callback.returnCalls}</td>
              <td class="links">
                <a href={`#/extensions/${e.id}`}>Callback setup</a> <a href={`#/extensions/${e.id}/caller-ids`}>CallerID management</a>{' '}
                <a href={`#/extensions/${e.id}/authorized-callers`}>Authorized CallerIDs</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.length === 0 && <p>No extensions yet.</p>}
    </section>
  );
}
