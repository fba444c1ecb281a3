import type { ReactNode } from 'react';

/**
 * A wide table's box, which scrolls sideways on a narrow screen; it can take the focus (and is named)
 * so that a keyboard user can scroll it too.
 */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (WCAG 2.1.1)
    <section className="table-wrap session-table-wrap" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
