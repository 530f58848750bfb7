import { useEffect, useId, type ReactNode, type RefObject } from 'react';
import { ApiError } from '../../api/api-client';
import { Field } from '../../ui/fields';

/** A yes/no setting with its explanation. */
export function Toggle({ label, description, checked, onChange, error }: {
  label: string; description?: ReactNode; checked: boolean; onChange: (checked: boolean) => void; error?: string | undefined;
}) {
  const errorId = useId();
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label className="choice toggle">
        <input type="checkbox" checked={checked} aria-describedby={error ? errorId : undefined} onChange={(event) => onChange(event.target.checked)} />
        <span>
          <span className="choice-label">{label}</span>
          {description && <span className="choice-description">{description}</span>}
        </span>
      </label>
      {error && <p id={errorId} className="field-error">{error}</p>}
    </div>
  );
}

/** A whole number in a range (seconds). */
export function NumberField({ label, value, onChange, hint, error, min, max }: {
  label: string; value: string; onChange: (value: string) => void; hint?: ReactNode; error?: string | undefined; min: number; max: number;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id} type="number" inputMode="numeric" min={min} max={max} step={1} value={value}
          aria-describedby={describedBy} aria-invalid={invalid || undefined} onChange={(event) => onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

/** A multi-line text (a PEM key). */
export function TextArea({ label, value, onChange, hint, error, rows = 6, placeholder }: {
  label: string; value: string; onChange: (value: string) => void; hint?: ReactNode; error?: string | undefined; rows?: number; placeholder?: string;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => (
        <textarea
          id={id} rows={rows} value={value} placeholder={placeholder} spellCheck={false}
          aria-describedby={describedBy} aria-invalid={invalid || undefined} onChange={(event) => onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

/** A numbered part of a long form, with its heading. */
export function Step({ number, title, description, children }: { number?: number; title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <section className="panel form-step">
      <header className="form-step-header">
        {number !== undefined && <span className="step-number" aria-hidden="true">{number}</span>}
        <div>
          <h2>{title}</h2>
          {description && <p className="form-step-description">{description}</p>}
        </div>
      </header>
      {children}
    </section>
  );
}

/** The API's messages for fields that have no control on screen, so none is lost. */
export function otherFieldErrors(fields: Readonly<Record<string, string>>, shown: readonly string[]): string[] {
  return Object.entries(fields).filter(([field]) => field !== '' && !shown.includes(field)).map(([field, message]) => `${field}: ${message}`);
}

/**
 * The API's field messages, with the conflicts it words without a field put beside the field
 * they are about (an id taken, a domain another connection has).
 */
export function fieldErrorsOf(error: Error | undefined): Readonly<Record<string, string>> {
  if (!(error instanceof ApiError)) return {};
  if (error.code !== 'conflict' || Object.keys(error.fields).length > 0) return error.fields;
  if (/email domain/.test(error.message)) return { email_domains: error.message };
  if (/exists already/.test(error.message)) return { id: error.message };
  return {};
}

/** After a refused save: focus the first field the API marked, or bring the message into view. */
export function useFocusFirstError(form: RefObject<HTMLFormElement | null>, error: Error | undefined): void {
  useEffect(() => {
    if (!error || !form.current) return;
    const invalid = form.current.querySelector<HTMLElement>('[aria-invalid="true"], .field-invalid input');
    if (invalid) invalid.focus();
    else form.current.querySelector('[role="alert"]')?.scrollIntoView({ block: 'center' });
  }, [error]);
}
