import { render } from 'preact';
import { useState } from 'preact/hooks';
import { session, type Role } from './api';
import { CallPage } from './pages/call-page';
import { CallsPage } from './pages/calls';
import { ChannelPage, ChannelsPage } from './pages/channels';
import { ClientPage, ClientsPage } from './pages/clients';
import { DashboardPage } from './pages/dashboard';
import { AuthorizedCallersPage } from './pages/authorized-callers';
import { CallerIdPage } from './pages/caller-ids';
import { ExtensionPage } from './pages/extension-form';
import { ExtensionsPage } from './pages/extensions';
import { NumbersPage } from './pages/numbers';
import { RateTablePage, RateTablesPage } from './pages/rate-tables';
import { SignIn } from './pages/sign-in';
import { SoundsPage } from './pages/sounds';
import { go, useRoute } from './router';
import './styles.css';

const NAV: Array<[string, string, Role[]]> = [
  ['/', 'Dashboard', ['operator', 'client']],
  ['/extensions', 'Extensions', ['operator', 'client']],
  ['/calls', 'Calls', ['operator', 'client']],
  ['/clients', 'Clients', ['operator']],
  ['/rate-tables', 'Rate tables', ['operator']],
  ['/channels', 'Channels', ['operator']],
  ['/numbers', 'Numbers', ['operator', 'client']],
  ['/sounds', 'Sounds', ['operator', 'client']],
];

function Page({ parts, role }: { parts: string[]; role: Role }) {
  const [section, id, sub] = parts;
  switch (section) {
    case undefined:
      return <DashboardPage />;
    case 'extensions':
      if (!id) return <ExtensionsPage role={role} />;
      if (sub === 'caller-ids') return <CallerIdPage id={id} />;
      if (sub === 'authorized-callers') return <AuthorizedCallersPage id={id} />;
      return <ExtensionPage id={id === 'new' ? null : id} role={role} />;
    case 'calls':
      return id ? <CallPage id={id} /> : <CallsPage role={role} />;
    case 'clients':
      return id ? <ClientPage id={id} /> : <ClientsPage />;
    case 'rate-tables':
      return id ? <RateTablePage id={id === 'new' ? null : id} /> : <RateTablesPage />;
    case 'channels':
      return id ? <ChannelPage id={id} /> : <ChannelsPage />;
    case 'numbers':
      return <NumbersPage role={role} />;
    case 'sounds':
      return <SoundsPage role={role} />;
    default:
      return <p>No such page.</p>;
  }
}

function App() {
  const parts = useRoute();
  const [role, setRole] = useState(session.role());
  if (!role || !session.key()) return <SignIn onSignedIn={setRole} />;
  const current = `/${parts[0] ?? ''}`;
  return (
    <>
      <header>
        <span class="brand">Callback console</span>
        <nav aria-label="Sections">
          {NAV.filter(([, , roles]) => roles.includes(role)).map(([path, text]) => (
            <a key={path} href={`#${path}`} aria-current={current === path ? 'page' : undefined}>
              {text}
            </a>
          ))}
          <a href="/api/docs">API reference</a>
        </nav>
        <span class="who">{role === 'operator' ? 'Operator' : 'Client'}</span>
        <button
          type="button"
          onClick={() => {
            session.clear();
            setRole(null);
            go('/');
          }}
        >
          Sign out
        </button>
      </header>
      <main>
        <Page parts={parts} role={role} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
