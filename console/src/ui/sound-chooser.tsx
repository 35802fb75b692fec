import { useEffect, useId, useState } from 'preact/hooks';
import { api, type Schemas } from '../api';

/**
 * The spec's sound field: type part of a name and the matching sounds are listed, each with a play button
 * and a button to choose it; or fill in an https URL by hand. The value is a sound id or that URL.
 */
export function SoundChooser(p: { label: string; value: string; onChange: (v: string) => void; error?: string; clientId?: string }) {
  const id = useId();
  const [typed, setTyped] = useState(p.value);
  const [matches, setMatches] = useState<Schemas['Sound'][]>([]);
  const [open, setOpen] = useState(false);
  useEffect(() => setTyped(p.value), [p.value]);
  useEffect(() => {
    if (!open || /^https:\/\//.test(typed)) return setMatches([]);
    let live = true;
    const query = { limit: 20, ...(typed ? { name: typed } : {}), ...(p.clientId ? { clientId: p.clientId } : {}) };
    void api.GET('/api/sounds', { params: { query } }).then((r) => live && setMatches(r.data?.items ?? []));
    return () => {
      live = false;
    };
  }, [typed, open, p.clientId]);
  return (
    <div class="field sound-chooser">
      <label for={id}>{p.label}</label>
      <input
        id={id}
        value={typed}
        placeholder="type a sound's name, or an https URL"
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={p.error ? `${id}-error` : undefined}
        aria-controls={open && matches.length > 0 ? `${id}-list` : undefined}
        onFocus={() => setOpen(true)}
        onInput={(e) => {
          const v = (e.currentTarget as HTMLInputElement).value;
          setTyped(v);
          setOpen(true);
          // A URL or nothing is a value by itself; a name only once a sound is chosen.
          if (v === '' || /^https:\/\//.test(v)) p.onChange(v);
        }}
      />
      {p.error && (
        <span id={`${id}-error`} class="field-error" role="alert">
          {p.error}
        </span>
      )}
      {open && matches.length > 0 && (
        <ul id={`${id}-list`} class="sound-list" aria-label="Matching sounds">
          {matches.map((s) => (
            <li key={s.id}>
              <button type="button" class="small" aria-label={`Play ${s.name}`} onClick={() => void new Audio(s.url).play().catch(() => undefined)}>
                ▶
              </button>
              <span>{s.name}</span>
              <button
                type="button"
                class="small"
                onClick={() => {
                  p.onChange(s.id);
                  setTyped(s.id);
                  setOpen(false);
                }}
              >
                Choose {s.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
