import { useEffect, useId, useState } from 'preact/hooks';
import { api, errorMessage, fieldErrors, type Schemas } from '../api';
import { go } from '../router';
import { FormMessage, SelectField, TextField } from '../ui/form';
import { must, useLoad } from '../ui/load';

type Rate = Schemas['RateTable']['rates'][number];
const CURRENCIES: Array<[string, string]> = ['USD', 'EUR', 'GBP', 'CAD', 'AUD'].map((c) => [c, c]);

export function RateTablesPage() {
  const list = useLoad(async () => must(await api.GET('/api/rate-tables', { params: { query: { limit: 200 } } })).items, []);
  return (
    <section>
      <h1>Rate tables</h1>
      <p>
        <a class="button" href="#/rate-tables/new">
          New rate table
        </a>
      </p>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Currency</th>
            <th>Rates</th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((r) => (
            <tr key={r.id}>
              <td>
                <a href={`#/rate-tables/${r.id}`}>{r.name}</a>
              </td>
              <td>{r.currency}</td>
              <td class="num">{r.rates.length}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** One rate a line: prefix, price per minute, initial seconds, increment seconds, connect fee. */
const formatRates = (rates: Rate[]) => rates.map((r) => [r.prefix, r.perMinute, r.initialSeconds, r.incrementSeconds, r.connectFee].join(', ')).join('\n');
function parseRates(text: string) {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [prefix = '', perMinute = '', initial, increment, fee] = line.split(/\s*[,;]\s*|\s+/);
      return {
        prefix,
        perMinute,
        ...(initial ? { initialSeconds: Number(initial) } : {}),
        ...(increment ? { incrementSeconds: Number(increment) } : {}),
        ...(fee ? { connectFee: fee } : {}),
      };
    });
}

export function RateTablePage({ id }: { id: string | null }) {
  const loaded = useLoad(async () => (id ? must(await api.GET('/api/rate-tables/{id}', { params: { path: { id } } })) : null), [id]);
  const [f, setF] = useState({ name: '', currency: 'USD', rates: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  const ratesId = useId();
  useEffect(() => {
    if (loaded.data) setF({ name: loaded.data.name, currency: loaded.data.currency, rates: formatRates(loaded.data.rates) });
  }, [loaded.data]);
  const save = async (e: Event) => {
    e.preventDefault();
    const body = { name: f.name, currency: f.currency as 'USD', rates: parseRates(f.rates) };
    const res = id ? await api.PATCH('/api/rate-tables/{id}', { params: { path: { id } }, body }) : await api.POST('/api/rate-tables', { body });
    setErrors(res.error ? fieldErrors(res.error) : {});
    setMessage(res.error ? { error: errorMessage(res.error) } : { ok: 'Saved.' });
    if (res.data && !id) go(`/rate-tables/${res.data.id}`);
  };
  // Rate errors come as "rates.2.perMinute": shown beside the rates with their line number.
  const rateErrors = Object.entries(errors)
    .filter(([k]) => k === 'rates' || k.startsWith('rates.'))
    .map(([k, m]) => {
      const [, line, field] = k.split('.');
      return line === undefined ? m : `line ${Number(line) + 1}${field ? ` (${field})` : ''}: ${m}`;
    });
  return (
    <section>
      <h1>{id ? `Rate table ${loaded.data?.name ?? ''}` : 'New rate table'}</h1>
      <form onSubmit={save} noValidate>
        <TextField label="Rate table name" value={f.name} onInput={(v) => setF({ ...f, name: v })} error={errors.name} />
        <SelectField label="Currency" value={f.currency} onChange={(v) => setF({ ...f, currency: v })} options={CURRENCIES} error={errors.currency} />
        <div class="field">
          <label for={ratesId}>Rates</label>
          <textarea
            id={ratesId}
            rows={8}
            value={f.rates}
            aria-invalid={rateErrors.length ? 'true' : undefined}
            aria-describedby={`${ratesId}-hint${rateErrors.length ? ` ${ratesId}-error` : ''}`}
            onInput={(e) => setF({ ...f, rates: (e.currentTarget as HTMLTextAreaElement).value })}
          />
          <small id={`${ratesId}-hint`} class="hint">
            One rate a line: prefix, price per minute, initial seconds, increment seconds, connect fee (the last three optional), e.g. “+44, 0.0200, 60, 60, 0”.
          </small>
          {rateErrors.length > 0 && (
            <span id={`${ratesId}-error`} class="field-error" role="alert">
              {rateErrors.join('; ')}
            </span>
          )}
        </div>
        <FormMessage {...message} />
        <button type="submit">{id ? 'Save rate table' : 'Create rate table'}</button>
      </form>
    </section>
  );
}
