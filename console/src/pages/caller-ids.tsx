import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage, fieldErrors, type Schemas } from '../api';
import { CheckField, FormMessage, SelectField, TextField } from '../ui/form';
import { must, useLoad } from '../ui/load';

type Mode = Schemas['Extension']['callerId']['name']['mode'];
const MODES: Array<[string, string]> = [
  ['server', 'Set by server'],
  ['equipment', 'Set by equipment'],
  ['user', 'Set by user'],
];

/** The spec's "CallerID management" page of an extension. */
export function CallerIdPage({ id }: { id: string }) {
  const ext = useLoad(async () => must(await api.GET('/api/extensions/{id}', { params: { path: { id } } })), [id]);
  const rows = useLoad(async () => must(await api.GET('/api/extensions/{id}/caller-ids', { params: { path: { id }, query: { limit: 200 } } })).items, [id]);
  const reload = () => {
    ext.reload();
    rows.reload();
  };
  return (
    <section>
      <h1>CallerID management: extension {ext.data?.extensionNumber}</h1>
      <p class="links">
        <a href={`#/extensions/${id}`}>Callback setup</a> <a href={`#/extensions/${id}/authorized-callers`}>Authorized CallerIDs</a>
      </p>
      {ext.error && <p class="form-error">{ext.error}</p>}
      {(ext.data?.warnings ?? []).map((w) => (
        <p class="warning" key={w} role="note">
          ⚠ {w}
        </p>
      ))}
      {ext.data && <CallerIdOptions ext={ext.data} onSaved={reload} />}
      {ext.data && <CallerIdTable ext={ext.data} rows={rows.data ?? []} onSaved={reload} />}
    </section>
  );
}

function CallerIdOptions({ ext, onSaved }: { ext: Schemas['Extension']; onSaved: () => void }) {
  const c = ext.callerId;
  const [f, setF] = useState({
    nameMode: c.name.mode,
    name: c.name.value ?? '',
    numberMode: c.number.mode,
    number: c.number.value ?? '',
    hide: c.hide,
    headers: c.sendIdentityHeaders,
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  useEffect(() => setErrors({}), [ext.id]);
  const save = async (e: Event) => {
    e.preventDefault();
    const callerId = {
      name: { mode: f.nameMode, value: f.nameMode === 'user' ? f.name : null },
      number: { mode: f.numberMode, value: f.numberMode === 'user' ? f.number : null },
      hide: f.hide,
      sendIdentityHeaders: f.headers,
    };
    const res = await api.PATCH('/api/extensions/{id}', { params: { path: { id: ext.id } }, body: { callerId } });
    setErrors(res.error ? fieldErrors(res.error) : {});
    setMessage(res.error ? { error: errorMessage(res.error) } : { ok: 'Saved.' });
    if (!res.error) onSaved();
  };
  return (
    <form onSubmit={save} noValidate>
      <fieldset>
        <legend>CallerID name in public calls</legend>
        <SelectField label="CallerID name" value={f.nameMode} onChange={(v) => setF({ ...f, nameMode: v as Mode })} options={MODES} error={errors['callerId.name.mode']} />
        <TextField
          label="CallerID name set by user"
          value={f.name}
          disabled={f.nameMode !== 'user'}
          onInput={(v) => setF({ ...f, name: v })}
          error={errors['callerId.name.value']}
        />
      </fieldset>
      <fieldset>
        <legend>CallerID number in public calls</legend>
        <SelectField label="CallerID number" value={f.numberMode} onChange={(v) => setF({ ...f, numberMode: v as Mode })} options={MODES} error={errors['callerId.number.mode']} />
        <TextField
          label="CallerID number set by user"
          value={f.number}
          disabled={f.numberMode !== 'user'}
          onInput={(v) => setF({ ...f, number: v })}
          hint="Three or more digits."
          error={errors['callerId.number.value']}
        />
      </fieldset>
      <CheckField label="Do not send CallerID on public calls" checked={f.hide} onChange={(v) => setF({ ...f, hide: v })} error={errors['callerId.hide']} />
      <CheckField
        label="Send SIP P-Asserted-Identity and P-Preferred-Identity headers"
        checked={f.headers}
        onChange={(v) => setF({ ...f, headers: v })}
        error={errors['callerId.sendIdentityHeaders']}
      />
      <FormMessage {...message} />
      <button type="submit">Save CallerID options</button>
    </form>
  );
}

function CallerIdTable({ ext, rows, onSaved }: { ext: Schemas['Extension']; rows: Schemas['CallerIdRow'][]; onSaved: () => void }) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  const current = ext.callerId;
  const put = async (numbers: string[], defaultNumber: string | null, ok: string) => {
    const res = await api.PUT('/api/extensions/{id}/caller-ids', { params: { path: { id: ext.id } }, body: { numbers, defaultNumber } });
    setMessage(res.error ? { error: errorMessage(res.error) } : { ok });
    if (!res.error) {
      setSelected(new Set());
      onSaved();
    }
  };
  const toggle = (n: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(n);
    else next.delete(n);
    setSelected(next);
  };
  const assign = () => put([...new Set([...current.numbers, ...selected])], current.defaultNumber, 'CallerIDs assigned.');
  const remove = () =>
    put(
      current.numbers.filter((n) => !selected.has(n)),
      current.defaultNumber,
      'Selected CallerIDs removed.',
    );
  return (
    <>
      <h2>Currently Using CallerID Numbers</h2>
      <p class="in-use">
        {current.numbers.length === 0 && current.defaultNumber === null ? 'none' : null}
        {[...new Set([...(current.defaultNumber ? [current.defaultNumber] : []), ...current.numbers])].map((n, i) => (
          <span key={n}>
            {i > 0 && ', '}
            {n === current.defaultNumber ? <strong>{n}</strong> : n}
          </span>
        ))}
      </p>
      <table class="caller-ids">
        <caption>Public numbers of the client</caption>
        <thead>
          <tr>
            <th scope="col">
              <span class="visually-hidden">Select</span>
            </th>
            <th scope="col">CallerID number</th>
            <th scope="col">Rings back to</th>
            <th scope="col">Resource</th>
            <th scope="col">Default</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.number} class={r.default === 'yes' ? 'default' : undefined}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${r.number}`}
                  checked={selected.has(r.number)}
                  onChange={(e) => toggle(r.number, (e.currentTarget as HTMLInputElement).checked)}
                />
              </td>
              <td>{r.default === 'yes' ? <strong>{r.number}</strong> : r.number}</td>
              <td>{r.ringsBackTo ? r.ringsBackTo.extensionNumber : '-'}</td>
              <td>{r.channel.name}</td>
              <td>
                {r.default === 'yes' && 'Yes'}
                {r.default === '-' && '-'}
                {r.default === 'set-as-default' && (
                  <button type="button" class="link" aria-label={`Set ${r.number} as default`} onClick={() => put(current.numbers, r.number, `${r.number} is the default.`)}>
                    Set as default
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p>The client has no public numbers: add them to a channel and assign them to the client.</p>}
      <p class="links">
        <button type="button" class="link" disabled={selected.size === 0} onClick={assign}>
          Assign CallerIDs
        </button>{' '}
        <button type="button" class="link" disabled={selected.size === 0} onClick={remove}>
          Remove selected
        </button>
      </p>
      <FormMessage {...message} />
    </>
  );
}
