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
 * when it names fields, a summary of each field's message (as GOV.UK's error summary does), which
 * the form also shows beside the field, so that a message about a field the form does not show is
 * never lost.
 */
export function ErrorNotice({ error }: { error: Error | undefined }) {
  if (!error) return null;
  const fields = error instanceof ApiError ? error.fields : {};
  const marked = Object.entries(fields).filter(([field]) => field !== '');
  return (
    <div className="notice notice-error" role="alert">
      {marked.length === 0 && <p>{error.message}</p>}
      {fields[''] && marked.length > 0 && <p>{fields['']}</p>}
      {marked.length > 0 && (
        <>
          <p>{marked.length === 1 ? 'One field needs a change:' : `${marked.length} fields need a change:`}</p>
          <ul className="notice-list">
            {marked.map(([field, message]) => <li key={field}><code>{field}</code> {message}</li>)}
          </ul>
        </>
      )}
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

/** Settings a section of the configuration file declares (`mfa:`, `email:`) are shown, not changed, here. */
export function DeclaredSettingsNote({ section }: { section: string }) {
  return (
    <div className="notice notice-info">
      The configuration file's <code>{section}:</code> section sets these, so they are read-only here: change them in the file; it is applied again at every start.
    </div>
  );
}
