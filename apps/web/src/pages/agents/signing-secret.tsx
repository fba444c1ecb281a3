import { useState } from 'react';

/** A signing secret, shown this once: the API never answers it again. */
export function SigningSecretOnce({ secret }: { secret: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <section className="secret-once" aria-labelledby="secret-heading">
      <h2 id="secret-heading">Signing secret</h2>
      <p>
        The engine signs every request to an HTTP agent with this secret (Standard Webhooks), so your agent can refuse requests that do not
        come from this server. Copy it now: it is not shown again.
      </p>
      <code>{secret}</code>
      <button
        type="button"
        className="button"
        onClick={() => {
          navigator.clipboard?.writeText(secret).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        Copy
      </button>
      <span role="status" className="muted">
        {copied ? ' Copied.' : ''}
      </span>
    </section>
  );
}
