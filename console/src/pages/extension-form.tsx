import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage, fieldErrors, type Role, type Schemas } from '../api';
import type { paths } from '../api/openapi';
import { go } from '../router';
import { CheckField, FormMessage, NumberField, RadioGroup, SelectField, TextField } from '../ui/form';
import { must, useLoad } from '../ui/load';
import { SoundChooser } from '../ui/sound-chooser';

type Ext = Schemas['Extension'];
type NewExtension = NonNullable<paths['/api/extensions']['post']['requestBody']>['content']['application/json'];
type Language = NonNullable<NewExtension['callback']['language']>;
/** The languages the API has a prompt catalog for (a language the API drops fails this type check). */
const LANGUAGES = ['en-US', 'en-GB', 'es-ES', 'es-MX', 'fr-FR', 'de-DE', 'it-IT', 'pt-BR', 'nl-NL', 'pl-PL', 'auto'] as const satisfies readonly Language[];

const blank = {
  clientId: '',
  extensionNumber: '',
  name: '',
  triggerAfterSeconds: 5,
  returnCalls: 'authorized' as Ext['callback']['returnCalls'],
  fixedNumber: '',
  disconnectSound: '',
  dialWindowSeconds: 15,
  password: '',
  clearPassword: false,
  requireCallerPassword: false,
  allowCreditQuery: false,
  attempts: 2,
  delaySeconds: 30,
  ringTimeoutSeconds: 30,
  detectMachine: true,
  language: 'en-US' as Language,
  voice: '',
};
type Form = typeof blank;

const fromExtension = (e: Ext): Form => ({
  ...blank,
  clientId: e.clientId,
  extensionNumber: e.extensionNumber,
  name: e.name,
  ...e.callback,
  ...e.callback.retry,
  language: e.callback.language as Language,
  fixedNumber: e.callback.fixedNumber ?? '',
  disconnectSound: e.callback.disconnectSound ?? '',
  voice: e.callback.voice ?? '',
  password: '',
});

function callbackBody(f: Form, editing: boolean) {
  const password = f.clearPassword ? null : f.password ? f.password : undefined;
  return {
    triggerAfterSeconds: f.triggerAfterSeconds,
    returnCalls: f.returnCalls,
    // The number is only meaningful for "fixed"; any other choice clears it.
    fixedNumber: f.returnCalls === 'fixed' ? f.fixedNumber.trim() || null : null,
    disconnectSound: f.disconnectSound || null,
    dialWindowSeconds: f.dialWindowSeconds,
    ...(password !== undefined || !editing ? { password: password ?? null } : {}),
    requireCallerPassword: f.requireCallerPassword,
    allowCreditQuery: f.allowCreditQuery,
    retry: { attempts: f.attempts, delaySeconds: f.delaySeconds, ringTimeoutSeconds: f.ringTimeoutSeconds, detectMachine: f.detectMachine },
    language: f.language,
    voice: f.voice || null,
  };
}

/** The spec's "Callback setup" form: general settings, callback number behavior, service security. */
export function ExtensionPage({ id, role }: { id: string | null; role: Role }) {
  const loaded = useLoad(async () => (id ? must(await api.GET('/api/extensions/{id}', { params: { path: { id } } })) : null), [id]);
  const clients = useLoad(async () => (role === 'operator' ? must(await api.GET('/api/clients', { params: { query: { limit: 200 } } })).items : []), [role]);
  const [f, setF] = useState<Form>(blank);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  useEffect(() => {
    if (loaded.data) setF(fromExtension(loaded.data));
  }, [loaded.data]);
  const set =
    <K extends keyof Form>(k: K) =>
    (v: Form[K]) =>
      setF((old) => ({ ...old, [k]: v }));
  const ext = loaded.data;

  const save = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    setMessage({});
    const general = { extensionNumber: f.extensionNumber, name: f.name };
    const res = id
      ? await api.PATCH('/api/extensions/{id}', { params: { path: { id } }, body: { ...general, callback: callbackBody(f, true) } })
      : await api.POST('/api/extensions', {
          body: { ...general, ...(role === 'operator' ? { clientId: f.clientId } : {}), callback: callbackBody(f, false), callerId: {} },
        });
    if (res.error) {
      setErrors(fieldErrors(res.error));
      return setMessage({ error: errorMessage(res.error) });
    }
    setMessage({ ok: 'Saved.' });
    if (!id) go(`/extensions/${res.data.id}`);
    else loaded.reload();
  };

  return (
    <section>
      <h1>{id ? `Callback setup: extension ${ext?.extensionNumber ?? ''}` : 'New callback extension'}</h1>
      {id && (
        <p class="links">
          <a href={`#/extensions/${id}/caller-ids`}>CallerID management</a> <a href={`#/extensions/${id}/authorized-callers`}>Authorized CallerIDs</a>{' '}
          <a href={`#/calls?extensionId=${id}`}>Calls</a>
        </p>
      )}
      {loaded.error && <p class="form-error">{loaded.error}</p>}
      {(ext?.warnings ?? []).map((w) => (
        <p class="warning" key={w}>
          ⚠ {w}
        </p>
      ))}
      <form onSubmit={save} noValidate>
        <fieldset>
          <legend>General settings</legend>
          {role === 'operator' && !id && (
            <SelectField
              label="Client"
              value={f.clientId}
              onChange={set('clientId')}
              error={errors.clientId}
              options={[['', 'Choose a client'], ...(clients.data ?? []).map((c): [string, string] => [c.id, c.name])]}
            />
          )}
          <TextField label="Extension number" value={f.extensionNumber} onInput={set('extensionNumber')} error={errors.extensionNumber} />
          <TextField label="Contact name" value={f.name} onInput={set('name')} error={errors.name} />
        </fieldset>
        <fieldset>
          <legend>Callback number behavior</legend>
          <NumberField
            label="Trigger call return after <x> seconds of ringing"
            value={f.triggerAfterSeconds}
            onInput={set('triggerAfterSeconds')}
            min={0}
            max={12}
            error={errors['callback.triggerAfterSeconds']}
          />
          <RadioGroup
            label="Return calls"
            name="returnCalls"
            value={f.returnCalls}
            onChange={(v) => set('returnCalls')(v as Form['returnCalls'])}
            error={errors['callback.returnCalls']}
            options={[
              ['authorized', 'Coming from the authorized callerIDs'],
              ['caller', 'To the caller callerID'],
              ['fixed', 'To a fixed number'],
            ]}
          />
          <TextField
            label="Number where calls should be returned"
            value={f.fixedNumber}
            onInput={set('fixedNumber')}
            disabled={f.returnCalls !== 'fixed'}
            hint="Only with “To a fixed number”. In E.164, e.g. +442071838750."
            error={errors['callback.fixedNumber']}
          />
          <SoundChooser
            label="Play before disconnecting the call during conversation"
            value={f.disconnectSound}
            onChange={set('disconnectSound')}
            clientId={ext?.clientId ?? (f.clientId || undefined)}
            error={errors['callback.disconnectSound']}
          />
          <NumberField
            label="Service client must dial remote party number in <x> seconds"
            value={f.dialWindowSeconds}
            onInput={set('dialWindowSeconds')}
            min={3}
            max={120}
            error={errors['callback.dialWindowSeconds']}
          />
        </fieldset>
        <fieldset>
          <legend>Service security</legend>
          <TextField
            label="Request the following password on Callback"
            type="password"
            value={f.password}
            onInput={set('password')}
            disabled={f.clearPassword}
            hint={ext?.callback.passwordSet ? 'A password is set; leave empty to keep it.' : '4 to 12 digits; empty for none.'}
            error={errors['callback.password']}
          />
          {ext?.callback.passwordSet && <CheckField label="Remove the password" checked={f.clearPassword} onChange={set('clearPassword')} />}
          <CheckField
            label="Request password associated with authorized CallerID"
            checked={f.requireCallerPassword}
            onChange={set('requireCallerPassword')}
            error={errors['callback.requireCallerPassword']}
          />
          <CheckField label="User can interrogate the account credit" checked={f.allowCreditQuery} onChange={set('allowCreditQuery')} error={errors['callback.allowCreditQuery']} />
        </fieldset>
        <fieldset>
          <legend>Retries, language and voice</legend>
          <NumberField label="Callback attempts" value={f.attempts} onInput={set('attempts')} min={1} max={5} error={errors['callback.retry.attempts']} />
          <NumberField label="Seconds between attempts" value={f.delaySeconds} onInput={set('delaySeconds')} min={5} max={3600} error={errors['callback.retry.delaySeconds']} />
          <NumberField
            label="Let the callback ring for <x> seconds"
            value={f.ringTimeoutSeconds}
            onInput={set('ringTimeoutSeconds')}
            min={5}
            max={600}
            error={errors['callback.retry.ringTimeoutSeconds']}
          />
          <CheckField label="Retry when an answering machine answers" checked={f.detectMachine} onChange={set('detectMachine')} error={errors['callback.retry.detectMachine']} />
          <SelectField
            label="Language"
            value={f.language}
            onChange={(v) => set('language')(v as Language)}
            options={LANGUAGES.map((l): [string, string] => [l, l === 'auto' ? "auto (the caller's country)" : l])}
            error={errors['callback.language']}
          />
          <TextField label="Voice" value={f.voice} onInput={set('voice')} hint="man, woman or Polly.<Name>; empty for the default." error={errors['callback.voice']} />
        </fieldset>
        <FormMessage {...message} />
        <button type="submit">{id ? 'Save' : 'Create extension'}</button>
      </form>
    </section>
  );
}
