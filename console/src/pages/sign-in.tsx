import { useState } from 'preact/hooks';
import { probeRole, session, type Role } from '../api';
import { FormMessage, TextField } from '../ui/form';

export function SignIn({ onSignedIn }: { onSignedIn: (r: Role) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const role = await probeRole(key.trim());
    if (!role) return setError('This API key was not accepted.');
    session.set(key.trim(), role);
    onSignedIn(role);
  };
  return (
    <main class="sign-in">
      <h1>Callback console</h1>
      <form onSubmit={submit}>
        <TextField
          label="API key"
          type="password"
          value={key}
          onInput={setKey}
          required
          hint="The operator key (printed on first start, or ADMIN_API_KEY) or a client's key. It stays in this tab only."
        />
        <FormMessage error={error} />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
