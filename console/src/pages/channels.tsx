import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage, fieldErrors, type Schemas } from '../api';
import { FormMessage, SelectField, TextField } from '../ui/form';
import { joinList, listError, splitList } from '../ui/lists';
import { must, useLoad } from '../ui/load';
import { NumberTable } from './numbers';

export function ChannelsPage() {
  const list = useLoad(async () => must(await api.GET('/api/channels', { params: { query: { limit: 200 } } })).items, []);
  return (
    <section>
      <h1>Channels</h1>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Routes prefixes</th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((c) => (
            <tr key={c.id}>
              <td>
                <a href={`#/channels/${c.id}`}>{c.name}</a>
              </td>
              <td>{c.type}</td>
              <td>{c.prefixes.length ? joinList(c.prefixes) : 'all (fallback)'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>New channel</h2>
      <ChannelForm channel={null} onSaved={(c) => (window.location.hash = `#/channels/${c.id}`)} />
    </section>
  );
}

function ChannelForm({ channel, onSaved }: { channel: Schemas['Channel'] | null; onSaved: (c: Schemas['Channel']) => void }) {
  const init = () => ({
    name: channel?.name ?? '',
    type: channel?.type ?? 'twilio',
    prefixes: joinList(channel?.prefixes ?? []),
    domain: channel?.sip?.domain ?? '',
    username: channel?.sip?.username ?? '',
    password: '',
    transport: channel?.sip?.transport ?? '',
  });
  const [f, setF] = useState(init);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  useEffect(() => setF(init()), [channel?.id, channel?.updatedAt]);
  const set = (k: keyof typeof f) => (v: string) => setF((o) => ({ ...o, [k]: v }));
  const save = async (e: Event) => {
    e.preventDefault();
    const sip =
      f.type === 'sip'
        ? {
            domain: f.domain,
            username: f.username || null,
            ...(f.password ? { password: f.password } : {}),
            transport: (f.transport || null) as 'udp' | null,
          }
        : null;
    const body = { name: f.name, type: f.type as 'twilio', prefixes: splitList(f.prefixes), sip };
    const res = channel ? await api.PATCH('/api/channels/{id}', { params: { path: { id: channel.id } }, body }) : await api.POST('/api/channels', { body });
    setErrors(res.error ? fieldErrors(res.error) : {});
    setMessage(res.error ? { error: errorMessage(res.error) } : { ok: 'Saved.' });
    if (res.data) onSaved(res.data);
  };
  return (
    <form onSubmit={save} noValidate>
      <TextField label="Channel name" value={f.name} onInput={set('name')} error={errors.name} />
      <SelectField
        label="Type"
        value={f.type}
        onChange={set('type')}
        options={[
          ['twilio', 'Twilio (PSTN)'],
          ['sip', 'SIP trunk'],
        ]}
        error={errors.type}
      />
      <TextField
        label="Destination prefixes it routes"
        value={f.prefixes}
        onInput={set('prefixes')}
        hint="Comma-separated; empty: the fallback route."
        error={listError(errors, 'prefixes')}
      />
      {f.type === 'sip' && (
        <fieldset>
          <legend>SIP trunk</legend>
          <TextField label="SIP domain" value={f.domain} onInput={set('domain')} error={errors['sip.domain'] ?? errors.sip} />
          <TextField label="SIP username" value={f.username} onInput={set('username')} error={errors['sip.username']} />
          <TextField
            label="SIP password"
            type="password"
            value={f.password}
            onInput={set('password')}
            hint={channel?.sip?.passwordSet ? 'Set; leave empty to keep it.' : undefined}
            error={errors['sip.password']}
          />
          <SelectField
            label="Transport"
            value={f.transport}
            onChange={set('transport')}
            options={[
              ['', 'default'],
              ['udp', 'UDP'],
              ['tcp', 'TCP'],
              ['tls', 'TLS'],
            ]}
            error={errors['sip.transport']}
          />
        </fieldset>
      )}
      <FormMessage {...message} />
      <button type="submit">{channel ? 'Save channel' : 'Create channel'}</button>
    </form>
  );
}

export function ChannelPage({ id }: { id: string }) {
  const channel = useLoad(async () => must(await api.GET('/api/channels/{id}', { params: { path: { id } } })), [id]);
  const numbers = useLoad(async () => must(await api.GET('/api/channels/{id}/numbers', { params: { path: { id }, query: { limit: 200 } } })).items, [id]);
  const clients = useLoad(async () => must(await api.GET('/api/clients', { params: { query: { limit: 200 } } })).items, []);
  return (
    <section>
      <h1>Channel {channel.data?.name}</h1>
      {channel.data && <ChannelForm channel={channel.data} onSaved={() => channel.reload()} />}
      <h2>Public phone numbers of this channel</h2>
      <NumberTable numbers={numbers.data ?? []} keyRole="operator" onChange={numbers.reload} />
      <AddNumber channelId={id} clients={clients.data ?? []} onAdded={numbers.reload} />
    </section>
  );
}

function AddNumber({ channelId, clients, onAdded }: { channelId: string; clients: Schemas['Client'][]; onAdded: () => void }) {
  const [f, setF] = useState({ number: '', clientId: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  const add = async (e: Event) => {
    e.preventDefault();
    const res = await api.POST('/api/channels/{id}/numbers', { params: { path: { id: channelId } }, body: { number: f.number, clientId: f.clientId || null } });
    setErrors(res.error ? fieldErrors(res.error) : {});
    setMessage(res.error ? { error: errorMessage(res.error) } : { ok: `${f.number} added.` });
    if (!res.error) {
      setF({ ...f, number: '' });
      onAdded();
    }
  };
  return (
    <form onSubmit={add} class="inline" noValidate>
      <h3>Add public phone number to channel</h3>
      <TextField label="Phone number" value={f.number} onInput={(v) => setF({ ...f, number: v })} hint="E.164, e.g. +12025550100" error={errors.number} />
      <SelectField
        label="Assigned to client"
        value={f.clientId}
        onChange={(v) => setF({ ...f, clientId: v })}
        options={[['', 'nobody (pool)'], ...clients.map((c): [string, string] => [c.id, c.name])]}
        error={errors.clientId}
      />
      <button type="submit">Add number</button>
      <FormMessage {...message} />
    </form>
  );
}
