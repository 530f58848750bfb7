import { useState, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { signedInPerson, signOut } from '../auth/oidc-session';

/** The persistent navigation: every main screen, in the order an administrator sets Gatehouse up. */
export const screens = [
  { path: '/applications', label: 'Applications' },
  { path: '/users', label: 'Users' },
  { path: '/groups', label: 'Groups' },
  { path: '/scopes', label: 'Scopes' },
  { path: '/connections', label: 'Connections' },
  { path: '/keys', label: 'Keys' },
  { path: '/audit', label: 'Audit log' },
  { path: '/branding', label: 'Branding' },
  { path: '/sign-in-security', label: 'Sign-in security' },
  { path: '/email', label: 'Email' },
] as const;

export function Layout({ children }: { children: ReactNode }) {
  const [location] = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const person = signedInPerson();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <Link href="/applications" className="brand">Gatehouse <span className="brand-sub">console</span></Link>
        <button type="button" className="button menu-button" aria-expanded={menuOpen} aria-controls="navigation" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <div className="topbar-person">
          {person && <span className="person-name" title={person.sub}>{person.name}</span>}
          <button type="button" className="button button-small" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <nav id="navigation" className={menuOpen ? 'sidebar open' : 'sidebar'} aria-label="Console">
        <ul>
          {screens.map((screen) => {
            const current = location === screen.path || location.startsWith(`${screen.path}/`);
            return (
              <li key={screen.path}>
                <Link href={screen.path} aria-current={current ? 'page' : undefined} onClick={() => setMenuOpen(false)}>{screen.label}</Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>{children}</main>
    </div>
  );
}
