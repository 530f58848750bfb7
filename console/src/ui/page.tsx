import type { ReactNode } from 'react';

interface PageProps {
  title: string;
  /** One sentence under the title: what this screen is for. */
  description?: ReactNode;
  /** Buttons or links at the title's right (the screen's main action). */
  actions?: ReactNode;
  children: ReactNode;
}

/** Every screen's frame: its title (the document's title too), a line on what it is for, its actions. */
export function Page({ title, description, actions, children }: PageProps) {
  document.title = `${title} · Gatehouse console`;
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <div>
          <h1 id="page-title">{title}</h1>
          {description && <p className="page-description">{description}</p>}
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** A titled part of a screen. */
export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="panel">
      <header className="panel-header">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}
