import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

/**
 * Labelled inputs with their API error beside them: the message is linked with aria-describedby and the
 * input marked aria-invalid, so a screen reader reads it with the field.
 */
interface Base {
  label: string;
  error?: string;
  hint?: string;
  name?: string;
}

function Messages({ id, error, hint }: { id: string; error?: string; hint?: string }) {
  return (
    <>
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <span id={`${id}-error`} class="field-error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

const described = (id: string, error?: string, hint?: string) => [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;

export function TextField(
  p: Base & { value: string; onInput: (v: string) => void; type?: 'text' | 'password' | 'date' | 'url'; disabled?: boolean; required?: boolean; placeholder?: string },
) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <input
        id={id}
        name={p.name}
        // preact 11 types each input type separately; the union is valid for every member.
        type={(p.type ?? 'text') as 'text'}
        value={p.value}
        disabled={p.disabled}
        required={p.required}
        placeholder={p.placeholder}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={described(id, p.error, p.hint)}
        onInput={(e) => p.onInput((e.currentTarget as HTMLInputElement).value)}
      />
      <Messages id={id} error={p.error} hint={p.hint} />
    </div>
  );
}

export function NumberField(p: Base & { value: number; onInput: (v: number) => void; min?: number; max?: number }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <input
        id={id}
        name={p.name}
        type="number"
        value={String(p.value)}
        min={p.min}
        max={p.max}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={described(id, p.error, p.hint)}
        onInput={(e) => p.onInput(Number((e.currentTarget as HTMLInputElement).value))}
      />
      <Messages id={id} error={p.error} hint={p.hint} />
    </div>
  );
}

export function CheckField(p: Base & { checked: boolean; onChange: (v: boolean) => void }) {
  const id = useId();
  return (
    <div class="field check">
      <input
        id={id}
        name={p.name}
        type="checkbox"
        checked={p.checked}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={described(id, p.error, p.hint)}
        onChange={(e) => p.onChange((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={id}>{p.label}</label>
      <Messages id={id} error={p.error} hint={p.hint} />
    </div>
  );
}

export function SelectField(p: Base & { value: string; onChange: (v: string) => void; options: Array<[string, string]> }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <select
        id={id}
        name={p.name}
        value={p.value}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={described(id, p.error, p.hint)}
        onChange={(e) => p.onChange((e.currentTarget as HTMLSelectElement).value)}
      >
        {p.options.map(([v, text]) => (
          <option value={v} key={v}>
            {text}
          </option>
        ))}
      </select>
      <Messages id={id} error={p.error} hint={p.hint} />
    </div>
  );
}

/** A radio group in a fieldset whose legend is its label. */
export function RadioGroup(p: Base & { value: string; onChange: (v: string) => void; options: Array<[string, string]>; children?: ComponentChildren }) {
  const id = useId();
  return (
    <fieldset class="field radios" aria-describedby={described(id, p.error, p.hint)}>
      <legend>{p.label}</legend>
      {p.options.map(([v, text]) => (
        <label key={v} class="radio">
          <input type="radio" name={p.name ?? id} value={v} checked={p.value === v} onChange={() => p.onChange(v)} /> {text}
        </label>
      ))}
      {p.children}
      <Messages id={id} error={p.error} hint={p.hint} />
    </fieldset>
  );
}

/** The form-level message: what the API said when no single field is to blame. */
export function FormMessage({ error, ok }: { error?: string; ok?: string }) {
  if (error)
    return (
      <p class="form-error" role="alert">
        {error}
      </p>
    );
  if (ok)
    return (
      <p class="form-ok" role="status">
        {ok}
      </p>
    );
  return null;
}
