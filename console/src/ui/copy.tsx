import { useState } from 'react';

/** Copies a value to the clipboard and says so for a moment. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button" className="button button-small" aria-label={`${label}: ${value.length > 40 ? 'value' : value}`}
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      <span className="copy-label" aria-live="polite">{copied ? 'Copied' : label}</span>
    </button>
  );
}

/** A value the administrator copies somewhere else (a client ID, a callback URL), with its copy button. */
export function CopyValue({ label, value, hint, secret }: { label: string; value: string; hint?: string; secret?: boolean }) {
  return (
    <div className="copy-value">
      <div className="copy-value-label">{label}</div>
      <div className="copy-value-row">
        <code className={secret ? 'copy-value-text secret' : 'copy-value-text'} data-testid={`copy-${label}`}>{value}</code>
        <CopyButton value={value} />
      </div>
      {hint && <p className="field-hint">{hint}</p>}
    </div>
  );
}
