import { useId, useState } from 'preact/hooks';
import { api, errorMessage, fieldErrors, type Role } from '../api';
import { FormMessage, TextField } from '../ui/form';
import { must, useLoad } from '../ui/load';
import { SoundChooser } from '../ui/sound-chooser';

/** Sounds: the library and the client's own; upload a file or give an https URL. */
export function SoundsPage({ role }: { role: Role }) {
  const [name, setName] = useState('');
  const list = useLoad(async () => must(await api.GET('/api/sounds', { params: { query: { limit: 200, ...(name ? { name } : {}) } } })).items, [name]);
  const [tried, setTried] = useState('');
  return (
    <section>
      <h1>Sounds</h1>
      <div class="inline">
        <TextField label="Filter by name" value={name} onInput={setName} />
      </div>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Source</th>
            <th>Owner</th>
            <th>Listen</th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((s) => (
            <tr key={s.id}>
              <td>{s.name}</td>
              <td>{s.source === 'upload' ? `${s.contentType ?? ''}, ${s.size ?? 0} bytes` : s.url}</td>
              <td>{s.clientId ? 'client' : 'library'}</td>
              <td>
                <button type="button" class="small" aria-label={`Play ${s.name}`} onClick={() => void new Audio(s.url).play().catch(() => undefined)}>
                  ▶ Play
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Add a sound</h2>
      <AddSound role={role} onAdded={list.reload} />
      <h2>Try the chooser</h2>
      <p>This is the chooser of “Play before disconnecting the call during conversation”: type part of a name.</p>
      <SoundChooser label="Sound" value={tried} onChange={setTried} />
      {tried && <p role="status">Chosen: {tried}</p>}
    </section>
  );
}

function AddSound({ role, onAdded }: { role: Role; onAdded: () => void }) {
  const fileId = useId();
  const [f, setF] = useState({ name: '', url: '' });
  const [file, setFile] = useState<File | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  const save = async (e: Event) => {
    e.preventDefault();
    const upload = (chosen: File) => {
      const form = new FormData();
      form.set('name', f.name);
      form.set('file', chosen);
      // multipart: openapi-fetch passes a FormData body through as it is.
      return api.POST('/api/sounds', { body: form as never, bodySerializer: (b) => b as unknown as FormData });
    };
    const res = file ? await upload(file) : await api.POST('/api/sounds', { body: { name: f.name, url: f.url } });
    setErrors(res.error ? fieldErrors(res.error) : {});
    setMessage(res.error ? { error: errorMessage(res.error) } : { ok: `${f.name} added.` });
    if (!res.error) onAdded();
  };
  return (
    <form onSubmit={save} noValidate>
      <TextField label="Sound name" value={f.name} onInput={(v) => setF({ ...f, name: v })} error={errors.name} />
      <TextField label="https URL" value={f.url} onInput={(v) => setF({ ...f, url: v })} hint="Or upload a file below." error={errors.url} />
      <div class="field">
        <label for={fileId}>Sound file (WAV or MP3, at most 5 MB)</label>
        <input id={fileId} type="file" accept="audio/wav,audio/mpeg,.wav,.mp3" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
        {errors.file && <span class="field-error">{errors.file}</span>}
      </div>
      {role === 'operator' && <p class="hint">The operator's sounds form the library every client can use.</p>}
      <FormMessage {...message} />
      <button type="submit">Add sound</button>
    </form>
  );
}
