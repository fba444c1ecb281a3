import { type ReactNode, useEffect, useRef, useState } from 'react';
import { Button } from './button.js';

/**
 * A destructive action behind a second, explicit step: the first button reveals the question and a
 * confirm button, which gets the focus; Cancel (or Escape) puts the focus back.
 */
export function ConfirmAction({
  label,
  question,
  confirmLabel,
  onConfirm,
  busy = false,
}: {
  label: string;
  question: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  busy?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (wasAsking.current) openerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <Button ref={openerRef} variant="danger" onClick={() => setAsking(true)}>
        {label}
      </Button>
    );
  }
  return (
    <fieldset
      className="confirm"
      onKeyDown={(event) => {
        // Escape closes the question, as in a dialog.
        if (event.key === 'Escape') setAsking(false);
      }}
    >
      <legend className="visually-hidden">{label}</legend>
      <p>{question}</p>
      <div className="form-actions">
        <Button ref={confirmRef} variant="danger" busy={busy} onClick={onConfirm}>
          {confirmLabel}
        </Button>
        <Button onClick={() => setAsking(false)} disabled={busy}>
          Cancel
        </Button>
      </div>
    </fieldset>
  );
}
