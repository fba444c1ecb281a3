import { Link } from 'wouter';
import { useApi } from '../../api.js';
import { useWorkspaceFrom } from '../../auth/context.js';
import { ButtonLink, DateTime, Empty, ErrorState, Loading, PageHeader, Pager, SearchBox, useSearchedPages } from '../../ui/index.js';

const PAGE_SIZE = 20;

export function ScenariosPage() {
  const api = useApi();
  const { page, setPage, search, setSearch, searching, query } = useSearchedPages(PAGE_SIZE);
  const scenarios = api.useQuery('get', '/simulation_scenarios', { params: { query } });
  const items = scenarios.data?.response.items;

  useWorkspaceFrom(items?.[0]);

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
      <SearchBox label="Search by name" value={search} onChange={setSearch} />
      {scenarios.isPending ? (
        <Loading label="Loading scenarios…" />
      ) : scenarios.isError ? (
        <ErrorState error={scenarios.error} title="Could not load the scenarios" retry={() => scenarios.refetch()} />
      ) : items === undefined || items.length === 0 ? (
        !searching ? (
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
