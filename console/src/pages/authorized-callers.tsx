import { useState } from 'preact/hooks';
import { api, errorMessage, fieldErrors, type Schemas } from '../api';
import { CheckField, FormMessage, TextField } from '../ui/form';
import { must, useLoad } from '../ui/load';
import { Ledger, TopUp } from './clients';

type Caller = Schemas['AuthorizedCaller'];

/** The extension's authorized caller IDs: add, edit, enable/disable, password, credit; CSV export. */
export function AuthorizedCallersPage({ id }: { id: string }) {
  const ext = useLoad(async () => must(await api.GET('/api/extensions/{id}', { params: { path: { id } } })), [id]);
  const [q, setQ] = useState('');
  const list = useLoad(
    async () => must(await api.GET('/api/extensions/{id}/authorized-callers', { params: { path: { id }, query: { limit: 200, ...(q ? { q } : {}) } } })),
    [id, q],
  );
  const [open, setOpen] = useState<string | null>(null);
  const [csvError, setCsvError] = useState<string>();
  const exportCsv = async () => {
    const res = await api.GET('/api/extensions/{id}/authorized-callers', { params: { path: { id }, query: { format: 'csv' } }, parseAs: 'text' });
    if (res.error) return setCsvError(errorMessage(res.error));
    // The key never goes into a link: the file is fetched with it and handed over as a blob.
    const url = URL.createObjectURL(new Blob([res.data as unknown as string], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `authorized-callers-${id}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };
  const items = (list.data as { items?: Caller[] } | undefined)?.items ?? [];
  return (
    <section>
      <h1>Authorized CallerIDs: extension {ext.data?.extensionNumber}</h1>
      <p class="links">
        <a href={`#/extensions/${id}`}>Callback setup</a> <a href={`#/extensions/${id}/caller-ids`}>CallerID management</a>{' '}
        <button type="button" class="link" onClick={exportCsv}>
          Export CSV
        </button>
      </p>
      <FormMessage error={csvError} />
      <div class="inline">
        <TextField label="Search" value={q} onInput={setQ} hint="Part of a number or name." />
      </div>
      <table>
        <thead>
          <tr>
            <th>CallerID</th>
            <th>Name</th>
            <th>Enabled</th>
            <th>Password</th>
            <th>Credit</th>
            <th>Edit</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id}>
              <td>{c.number}</td>
              <td>{c.name ?? ''}</td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${c.number} enabled`}
                  checked={c.enabled}
                  onChange={async (e) => {
                    await api.PATCH('/api/extensions/{id}/authorized-callers/{callerId}', {
                      params: { path: { id, callerId: c.id } },
                      body: { enabled: (e.currentTarget as HTMLInputElement).checked },
                    });
                    list.reload();
                  }}
                />
              </td>
              <td>{c.pinSet ? 'set' : '-'}</td>
              <td class="num">{c.credit === 'unlimited' ? 'unlimited' : `${c.availableCredit} of ${c.totalCredit}`}</td>
              <td>
                <button type="button" class="small" aria-expanded={open === c.id} onClick={() => setOpen(open === c.id ? null : c.id)}>
                  Edit {c.number}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && items.find((c) => c.id === open) && <EditCaller extId={id} caller={items.find((c) => c.id === open)!} onSaved={list.reload} />}
      <h2>Add authorized CallerID</h2>
      <AddCaller extId={id} onSaved={list.reload} />
    </section>
  );
}

function AddCaller({ extId, onSaved }: { extId: string; onSaved: () => void }) {
  const blank = { number: '', name: '', password: '', credit: 'unlimited', enabled: true };
  const [f, setF] = useState(blank);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  const save = async (e: Event) => {
    e.preventDefault();
    const body = { number: f.number, name: f.name || null, password: f.password || null, credit: f.credit, enabled: f.enabled };
    const res = await api.POST('/api/extensions/{id}/authorized-callers', { params: { path: { id: extId } }, body });
    setErrors(res.error ? fieldErrors(res.error) : {});
    setMessage(res.error ? { error: errorMessage(res.error) } : { ok: `${f.number} added.` });
    if (!res.error) {
      setF(blank);
      onSaved();
    }
  };
  return (
    <form onSubmit={save} noValidate>
      <TextField label="CallerID number" value={f.number} onInput={(v) => setF({ ...f, number: v })} hint="E.164, e.g. +12025550143" error={errors.number} />
      <TextField label="Name" value={f.name} onInput={(v) => setF({ ...f, name: v })} error={errors.name} />
      <TextField label="Password" type="password" value={f.password} onInput={(v) => setF({ ...f, password: v })} hint="4 to 12 digits; empty for none." error={errors.password} />
      <TextField label="Credit" value={f.credit} onInput={(v) => setF({ ...f, credit: v })} hint="“unlimited” or an amount like 5.00." error={errors.credit} />
      <CheckField label="Enabled" checked={f.enabled} onChange={(v) => setF({ ...f, enabled: v })} />
      <FormMessage {...message} />
      <button type="submit">Add authorized CallerID</button>
    </form>
  );
}

function EditCaller({ extId, caller, onSaved }: { extId: string; caller: Caller; onSaved: () => void }) {
  const [f, setF] = useState({ number: caller.number, name: caller.name ?? '', password: '', clearPassword: false });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  const path = { id: extId, callerId: caller.id };
  const credit = useLoad(async () => must(await api.GET('/api/extensions/{id}/authorized-callers/{callerId}/credit', { params: { path } })), [caller.id]);
  const save = async (e: Event) => {
    e.preventDefault();
    const password = f.clearPassword ? null : f.password || undefined;
    const body = { number: f.number, name: f.name || null, ...(password !== undefined ? { password } : {}) };
    const res = await api.PATCH('/api/extensions/{id}/authorized-callers/{callerId}', { params: { path }, body });
    setErrors(res.error ? fieldErrors(res.error) : {});
    setMessage(res.error ? { error: errorMessage(res.error) } : { ok: 'Saved.' });
    if (!res.error) onSaved();
  };
  return (
    <div class="panel">
      <h2>Edit {caller.number}</h2>
      <form onSubmit={save} noValidate>
        <TextField label="CallerID number" value={f.number} onInput={(v) => setF({ ...f, number: v })} error={errors.number} />
        <TextField label="Name" value={f.name} onInput={(v) => setF({ ...f, name: v })} error={errors.name} />
        <TextField
          label="New password"
          type="password"
          value={f.password}
          disabled={f.clearPassword}
          onInput={(v) => setF({ ...f, password: v })}
          hint={caller.pinSet ? 'Set; leave empty to keep it.' : 'None set.'}
          error={errors.password}
        />
        {caller.pinSet && <CheckField label="Remove the password" checked={f.clearPassword} onChange={(v) => setF({ ...f, clearPassword: v })} />}
        <FormMessage {...message} />
        <button type="submit">Save {caller.number}</button>
      </form>
      <h3>Credit</h3>
      <p>
        Available: <strong>{credit.data?.availableCredit}</strong> of {credit.data?.totalCredit} {credit.data?.currency}
      </p>
      <TopUp
        onTopUp={async (amount, note) => {
          const res = await api.POST('/api/extensions/{id}/authorized-callers/{callerId}/credit', { params: { path }, body: { amount, ...(note ? { note } : {}) } });
          if (!res.error) {
            credit.reload();
            onSaved();
          }
          return res.error;
        }}
      />
      <Ledger entries={credit.data?.entries ?? []} />
    </div>
  );
}
