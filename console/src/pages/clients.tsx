import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage, fieldErrors, type Schemas } from '../api';
import { go } from '../router';
import { CheckField, FormMessage, SelectField, TextField } from '../ui/form';
import { joinList, listError, splitList, when } from '../ui/lists';
import { must, useLoad } from '../ui/load';

const CURRENCIES: Array<[string, string]> = ['USD', 'EUR', 'GBP', 'CAD', 'AUD'].map((c) => [c, c]);

function useRateTables() {
  return useLoad(async () => must(await api.GET('/api/rate-tables', { params: { query: { limit: 200 } } })).items, []);
}

export function ClientsPage() {
  const list = useLoad(async () => must(await api.GET('/api/clients', { params: { query: { limit: 200 } } })).items, []);
  return (
    <section>
      <h1>Clients</h1>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Balance</th>
            <th>Unlimited</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((c) => (
            <tr key={c.id}>
              <td>
                <a href={`#/clients/${c.id}`}>{c.name}</a>
              </td>
              <td class="num">
                {c.balance} {c.currency}
              </td>
              <td>{c.unlimitedCredit ? 'yes' : 'no'}</td>
              <td>{when(c.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>New client</h2>
      <ClientForm client={null} onSaved={(c) => go(`/clients/${c.id}`)} />
    </section>
  );
}

function ClientForm({ client, onSaved }: { client: Schemas['Client'] | null; onSaved: (c: Schemas['Client']) => void }) {
  const rateTables = useRateTables();
  const init = () => ({
    name: client?.name ?? '',
    currency: client?.currency ?? 'USD',
    rateTableId: client?.rateTableId ?? '',
    credit: '0.00',
    unlimitedCredit: client?.unlimitedCredit ?? false,
    maxConcurrentCalls: client?.maxConcurrentCalls == null ? '' : String(client.maxConcurrentCalls),
    allowPrefixes: joinList(client?.allowPrefixes ?? []),
    denyPrefixes: joinList(client?.denyPrefixes ?? []),
  });
  const [f, setF] = useState(init);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  useEffect(() => setF(init()), [client?.id, client?.updatedAt]);
  const set = (k: keyof typeof f) => (v: string | boolean) => setF((o) => ({ ...o, [k]: v }));
  const save = async (e: Event) => {
    e.preventDefault();
    const common = {
      name: f.name,
      currency: f.currency as 'USD',
      rateTableId: f.rateTableId,
      unlimitedCredit: f.unlimitedCredit,
      maxConcurrentCalls: f.maxConcurrentCalls === '' ? null : Number(f.maxConcurrentCalls),
      allowPrefixes: splitList(f.allowPrefixes),
      denyPrefixes: splitList(f.denyPrefixes),
    };
    const res = client
      ? await api.PATCH('/api/clients/{id}', { params: { path: { id: client.id } }, body: common })
      : await api.POST('/api/clients', { body: { ...common, credit: f.credit } });
    setErrors(res.error ? fieldErrors(res.error) : {});
    setMessage(res.error ? { error: errorMessage(res.error) } : { ok: 'Saved.' });
    if (res.data) onSaved(res.data);
  };
  return (
    <form onSubmit={save} noValidate>
      <TextField label="Client name" value={f.name} onInput={set('name')} error={errors.name} />
      <SelectField label="Currency" value={f.currency} onChange={set('currency')} options={CURRENCIES} error={errors.currency} />
      <SelectField
        label="Rate table"
        value={f.rateTableId}
        onChange={set('rateTableId')}
        error={errors.rateTableId}
        options={[['', 'Choose a rate table'], ...(rateTables.data ?? []).map((r): [string, string] => [r.id, `${r.name} (${r.currency})`])]}
      />
      {!client && <TextField label="Initial credit" value={f.credit} onInput={set('credit')} error={errors.credit} />}
      <CheckField label="Unlimited credit" checked={f.unlimitedCredit} onChange={set('unlimitedCredit')} error={errors.unlimitedCredit} />
      <TextField label="Maximum concurrent calls" value={f.maxConcurrentCalls} onInput={set('maxConcurrentCalls')} hint="Empty: no limit." error={errors.maxConcurrentCalls} />
      <TextField
        label="Allowed destination prefixes"
        value={f.allowPrefixes}
        onInput={set('allowPrefixes')}
        hint="Comma-separated, e.g. +44, +1; empty: all."
        error={listError(errors, 'allowPrefixes')}
      />
      <TextField label="Denied destination prefixes" value={f.denyPrefixes} onInput={set('denyPrefixes')} error={listError(errors, 'denyPrefixes')} />
      <FormMessage {...message} />
      <button type="submit">{client ? 'Save client' : 'Create client'}</button>
    </form>
  );
}

export function ClientPage({ id }: { id: string }) {
  const client = useLoad(async () => must(await api.GET('/api/clients/{id}', { params: { path: { id } } })), [id]);
  const credit = useLoad(async () => must(await api.GET('/api/clients/{id}/credit', { params: { path: { id }, query: { limit: 50 } } })), [id]);
  const keys = useLoad(async () => must(await api.GET('/api/clients/{id}/api-keys', { params: { path: { id } } })), [id]);
  return (
    <section>
      <h1>Client {client.data?.name}</h1>
      {client.error && <p class="form-error">{client.error}</p>}
      {client.data && <ClientForm client={client.data} onSaved={() => client.reload()} />}
      <h2>Credit</h2>
      <p>
        Balance: <strong>{credit.data?.balance}</strong> {credit.data?.currency}
      </p>
      <TopUp
        onTopUp={async (amount, note) => {
          const res = await api.POST('/api/clients/{id}/credit', { params: { path: { id } }, body: { amount, ...(note ? { note } : {}) } });
          if (!res.error) credit.reload();
          return res.error;
        }}
      />
      <Ledger entries={credit.data?.entries ?? []} />
      <h2>API keys</h2>
      <ApiKeys clientId={id} keys={keys.data?.items ?? []} onChange={keys.reload} />
    </section>
  );
}

export function TopUp({ onTopUp }: { onTopUp: (amount: string, note: string) => Promise<unknown> }) {
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    const error = await onTopUp(amount, note);
    setErrors(error ? fieldErrors(error) : {});
    setMessage(error ? { error: errorMessage(error) } : { ok: `Added ${amount}.` });
    if (!error) setAmount('');
  };
  return (
    <form onSubmit={submit} class="inline" noValidate>
      <TextField label="Top-up amount" value={amount} onInput={setAmount} hint="e.g. 10.00; negative to correct." error={errors.amount} />
      <TextField label="Note" value={note} onInput={setNote} error={errors.note} />
      <button type="submit">Add credit</button>
      <FormMessage {...message} />
    </form>
  );
}

export function Ledger({ entries }: { entries: Schemas['CreditEntry'][] }) {
  return (
    <table>
      <caption>Ledger, newest first</caption>
      <thead>
        <tr>
          <th>When</th>
          <th>Kind</th>
          <th>Amount</th>
          <th>Balance after</th>
          <th>Note / call</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.id}>
            <td>{when(e.createdAt)}</td>
            <td>{e.kind}</td>
            <td class="num">{e.amount}</td>
            <td class="num">{e.balanceAfter}</td>
            <td>{e.callId ? <a href={`#/calls/${e.callId}`}>call</a> : e.note}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ApiKeys({ clientId, keys, onChange }: { clientId: string; keys: Schemas['ApiKey'][]; onChange: () => void }) {
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<string>();
  const create = async (e: Event) => {
    e.preventDefault();
    const res = await api.POST('/api/clients/{id}/api-keys', { params: { path: { id: clientId } }, body: name ? { name } : {} });
    setError(res.error ? errorMessage(res.error) : undefined);
    if (res.data) {
      setCreated(res.data.key);
      onChange();
    }
  };
  return (
    <>
      <ul>
        {keys.map((k) => (
          <li key={k.id}>
            {k.name ?? 'key'} ({when(k.createdAt)}){' '}
            <button
              type="button"
              class="small"
              onClick={async () => {
                await api.DELETE('/api/api-keys/{id}', { params: { path: { id: k.id } } });
                onChange();
              }}
            >
              Revoke {k.name ?? 'key'}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={create} class="inline">
        <TextField label="New key name" value={name} onInput={setName} />
        <button type="submit">Create API key</button>
      </form>
      <FormMessage error={error} />
      {created && (
        <p class="form-ok" role="status">
          The new key (shown once): <code class="secret">{created}</code>
        </p>
      )}
    </>
  );
}
