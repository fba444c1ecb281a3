import { type ReactNode, useEffect } from 'react';

/**
 * The page's one `<h1>`, with optional actions (links, buttons) beside it. A text title also names
 * the browser tab (`<title> · Test Center`), so screen readers and history tell pages apart.
 */
export function PageHeader({ title, description, actions }: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  useEffect(() => {
    if (typeof title !== 'string') return;
    document.title = `${title} · Test Center`;
    return () => {
      document.title = 'Test Center';
    };
  }, [title]);
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p className="muted">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}
