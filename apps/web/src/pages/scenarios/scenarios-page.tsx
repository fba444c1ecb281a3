import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { useApi } from '../../api.js';
import { useAuth } from '../../auth/context.js';
import { ButtonLink, DateTime, Empty, ErrorState, Field, Loading, PageHeader, Pager } from '../../ui/index.js';

const PAGE_SIZE = 20;

export function ScenariosPage() {
  const api = useApi();
  const { session, setWorkspace } = useAuth();
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState('');
  const query = { page_number: page, page_size: PAGE_SIZE, ...(search.trim() === '' ? {} : { search: search.trim() }) };
  const scenarios = api.useQuery('get', '/simulation_scenarios', { params: { query } });
  const items = scenarios.data?.response.items;

  const first = items?.[0];
  useEffect(() => {
    if (first && !session?.workspaceId) setWorkspace(first.workspace_id);
  }, [first, session?.workspaceId, setWorkspace]);

  return (
    <>
      <PageHeader
        title="Scenarios"
        description="Templates of what to test: generating cases from a scenario writes test cases that verify it."
        actions={
          <ButtonLink href="/scenarios/new" variant="primary">
            New scenario
          </ButtonLink>
        }
      />
      <search className="toolbar">
        <Field label="Search by name">
          <input
            type="search"
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
              setPage(1);
            }}
          />
        </Field>
      </search>
      {scenarios.isPending ? (
        <Loading label="Loading scenarios…" />
      ) : scenarios.isError ? (
        <ErrorState error={scenarios.error} title="Could not load the scenarios" retry={() => scenarios.refetch()} />
      ) : items === undefined || items.length === 0 ? (
        search.trim() === '' ? (
          <Empty title="No scenarios yet">
            <p>Describe a situation to test, such as “a caller asks for a refund on an order that has shipped”.</p>
            <ButtonLink href="/scenarios/new" variant="primary">
              Create a scenario
            </ButtonLink>
          </Empty>
        ) : (
          <Empty title={`No scenario’s name contains “${search.trim()}”`} />
        )
      ) : (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Scenarios ({scenarios.data.response.total})</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Description</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {items.map((scenario) => (
                  <tr key={scenario.id}>
                    <td>
                      <Link href={`/scenarios/${scenario.id}`}>{scenario.name}</Link>
                    </td>
                    <td>
                      <span className="clamp">{scenario.description}</span>
                    </td>
                    <td>
                      <DateTime value={scenario.updated_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={page} pageSize={PAGE_SIZE} total={scenarios.data.response.total} onPage={setPage} label="Scenario pages" />
        </>
      )}
    </>
  );
}
