const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(dateOnly: boolean): Intl.DateTimeFormat {
  const key = dateOnly ? 'date' : 'datetime';
  let format = formats.get(key);
  if (format === undefined) {
    // No locale given: the user's own, from the browser.
    format = new Intl.DateTimeFormat(undefined, dateOnly ? { dateStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' });
    formats.set(key, format);
  }
  return format;
}

/** A timestamp from the API shown in the user's locale and time zone; the exact value in `dateTime`. */
export function DateTime({ value, dateOnly = false }: { value: string | null | undefined; dateOnly?: boolean }) {
  if (value === null || value === undefined || value === '') return <span className="muted">—</span>;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{value}</span>;
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {formatter(dateOnly).format(date)}
    </time>
  );
}
