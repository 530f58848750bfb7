import type { ReactNode } from 'react';

/** A page outside the console's frame: signing in, signed out, not an administrator. */
export function Standalone({ title, children }: { title: string; children: ReactNode }) {
  document.title = `${title} · Gatehouse console`;
  return (
    <main className="standalone">
      <div className="standalone-card">
        <p className="brand">Gatehouse <span className="brand-sub">console</span></p>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
