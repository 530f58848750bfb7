import type { ReactNode } from 'react';
import { ApiError } from '../api/api-client';

/** What a screen shows while its data loads: blocks of the same height as the content, so nothing jumps. */
export function Loading({ rows = 4 }: { rows?: number }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="visually-hidden">Loading…</span>
      {Array.from({ length: rows }, (_, i) => <div key={i} className="loading-row" />)}
    </div>
  );
}

/** A listing with nothing in it yet: what the list is for and what to do next. */
export function EmptyState({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <h2>{title}</h2>
      <p>{children}</p>
      {action}
    </div>
  );
}

/**
 * A failure, said once above the form: the API's own sentence when it is about the whole request;
 * when it names fields, only a pointer to them, since each message is beside its field.
 */
export function ErrorNotice({ error }: { error: Error | undefined }) {
  if (!error) return null;
  const fields = error instanceof ApiError ? error.fields : {};
  const marked = Object.keys(fields).filter((field) => field !== '').length;
  return (
    <div className="notice notice-error" role="alert">
      {marked === 0 && <p>{error.message}</p>}
      {fields[''] && marked > 0 && <p>{fields['']}</p>}
      {marked > 0 && <p>{marked === 1 ? 'One field needs a change: see the marked field below.' : `${marked} fields need a change: see the marked fields below.`}</p>}
    </div>
  );
}

/** A change that worked. */
export function SuccessNotice({ children }: { children: ReactNode }) {
  if (!children) return null;
  return <div className="notice notice-success" role="status">{children}</div>;
}

/** Records the configuration file declares are shown, not changed, here. */
export function DeclaredNote({ what }: { what: string }) {
  return (
    <div className="notice notice-info">
      This {what} is declared in the configuration file, so it is read-only here: change it in the file; the file is applied again at every start.
    </div>
  );
}
