import { useState } from 'react';
import { Field } from './field.js';

/**
 * A list's search text and page number, with the query both make for a list operation: a new
 * search goes back to page 1, and blank text is left out of the query.
 */
export function useSearchedPages(pageSize: number) {
  const [page, setPage] = useState(1);
  const [search, setSearchText] = useState('');
  const term = search.trim();
  const setSearch = (text: string) => {
    setSearchText(text);
    setPage(1);
  };
  const query = { page_number: page, page_size: pageSize, ...(term === '' ? {} : { search: term }) };
  return { page, setPage, search, setSearch, searching: term !== '', query };
}

/** The search box above a list. */
export function SearchBox({ label, value, onChange }: { label: string; value: string; onChange: (text: string) => void }) {
  return (
    <search className="toolbar">
      <Field label={label}>
        <input type="search" value={value} onChange={(event) => onChange(event.target.value)} />
      </Field>
    </search>
  );
}
