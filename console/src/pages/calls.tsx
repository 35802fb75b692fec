import { useState } from 'preact/hooks';
import { api, type Role } from '../api';
import { SelectField, TextField } from '../ui/form';
import { when } from '../ui/lists';
import { must, useLoad } from '../ui/load';

const STATUSES = ['refused', 'ringing', 'scheduled', 'queued', 'calling', 'answered', 'completed', 'cancelled', 'failed'] as const;
type Status = (typeof STATUSES)[number];
const ORIGINS = ['ring', 'api', 'sms'] as const;
type Origin = (typeof ORIGINS)[number];

const initialExtension = () => new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('extensionId') ?? '';

/** Calls with filters (status, origin, extension, caller, date) and cursor paging. */
export function CallsPage({ role }: { role: Role }) {
  const [filters, setFilters] = useState({ status: '', origin: '', extensionId: initialExtension(), caller: '', from: '', to: '' });
  const [cursors, setCursors] = useState<string[]>([]);
  const exts = useLoad(async () => must(await api.GET('/api/extensions', { params: { query: { limit: 200 } } })).items, []);
  const cursor = cursors.at(-1);
  const page = useLoad(async () => {
    const query = {
      limit: 25,
      ...(cursor ? { cursor } : {}),
      ...(filters.status ? { status: filters.status as Status } : {}),
      ...(filters.origin ? { origin: filters.origin as Origin } : {}),
      ...(filters.extensionId ? { extensionId: filters.extensionId } : {}),
      ...(filters.from ? { from: new Date(`${filters.from}T00:00:00Z`).toISOString() } : {}),
      ...(filters.to ? { to: new Date(`${filters.to}T23:59:59Z`).toISOString() } : {}),
    };
    return must(await api.GET('/api/calls', { params: { query } }));
  }, [JSON.stringify(filters), cursor]);
  const set = (k: keyof typeof filters) => (v: string) => {
    setCursors([]);
    setFilters((f) => ({ ...f, [k]: v }));
  };
  // The caller filter narrows the page shown (the API filters by status, origin, extension and date).
  const items = (page.data?.items ?? []).filter((c) => !filters.caller || c.callerNumber.includes(filters.caller));
  return (
    <section>
      <h1>Calls</h1>
      <form class="inline filters" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Status" value={filters.status} onChange={set('status')} options={[['', 'any'], ...STATUSES.map((s): [string, string] => [s, s])]} />
        <SelectField label="Origin" value={filters.origin} onChange={set('origin')} options={[['', 'any'], ...ORIGINS.map((o): [string, string] => [o, o])]} />
        <SelectField
          label="Extension"
          value={filters.extensionId}
          onChange={set('extensionId')}
          options={[['', 'any'], ...(exts.data ?? []).map((x): [string, string] => [x.id, `${x.extensionNumber} ${x.name}`])]}
        />
        <TextField label="Caller" value={filters.caller} onInput={set('caller')} />
        <TextField label="From date" type="date" value={filters.from} onInput={set('from')} />
        <TextField label="To date" type="date" value={filters.to} onInput={set('to')} />
      </form>
      {page.error && <p class="form-error">{page.error}</p>}
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Caller</th>
            <th>Called</th>
            <th>Origin</th>
            <th>Status</th>
            <th>Reason</th>
            <th>Destination</th>
            <th>Charge</th>
            {role === 'operator' && <th>Client</th>}
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id}>
              <td>
                <a href={`#/calls/${c.id}`}>{when(c.createdAt)}</a>
              </td>
              <td>{c.callerNumber}</td>
              <td>{c.calledNumber}</td>
              <td>{c.origin}</td>
              <td>{c.status}</td>
              <td>{c.reason}</td>
              <td>{c.destination ?? '-'}</td>
              <td class="num">{c.charge}</td>
              {role === 'operator' && <td>{c.clientId}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="links">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>{' '}
        <button type="button" disabled={!page.data?.nextCursor} onClick={() => setCursors([...cursors, page.data!.nextCursor!])}>
          Older
        </button>
      </p>
    </section>
  );
}
