import { useRef, useState, type ReactNode } from 'react';

interface ConfirmButtonProps {
  /** The button. */
  label: string;
  /** What the dialog asks, naming what will happen. */
  question: ReactNode;
  /** The dialog's confirming button ("Rotate the secret"). */
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
  danger?: boolean;
  disabled?: boolean;
}

/** A change that cannot be taken back, asked once more in a modal dialog (Escape cancels, focus stays inside). */
export function ConfirmButton({ label, question, confirmLabel, onConfirm, danger, disabled }: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <button type="button" className={danger ? 'button button-danger' : 'button'} disabled={disabled} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} className="dialog">
        <form method="dialog">
          <div className="dialog-body">{question}</div>
          <div className="dialog-actions">
            <button type="submit" className="button" value="cancel" autoFocus>Cancel</button>
            <button
              type="button" className={danger ? 'button button-danger' : 'button button-primary'} disabled={busy}
              onClick={async () => {
                setBusy(true);
                try {
                  await onConfirm();
                } finally {
                  setBusy(false);
                  dialog.current?.close();
                }
              }}
            >
              {confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
