import { Link } from 'wouter';
import { useApi } from '../../api';
import { ButtonLink, DateTime, Empty, ErrorState, Loading, PageHeader, Pager, useSearchedPages } from '../../ui';
import './suites.css';

const PAGE_SIZE = 25;

export function SuitesPage() {
  const api = useApi();
  const { page, setPage, search, setSearch, searching, query } = useSearchedPages(PAGE_SIZE);
  const suites = api.useQuery('get', '/simulation_suites', { params: { query } });
  const list = suites.data?.response;

  return (
    <>
      <PageHeader
        title="Suites"
        description="Groups of test cases, each run against one agent."
        actions={
          <ButtonLink href="/suites/new" variant="primary">
            New suite
          </ButtonLink>
        }
      />
      <search className="list-tools">
        <label htmlFor="suite-search">Search suites</label>
        <input id="suite-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
      </search>
      {suites.isPending ? (
        <Loading label="Loading suites…" />
      ) : suites.isError ? (
        <ErrorState error={suites.error} title="The suites could not be loaded" retry={() => void suites.refetch()} />
      ) : list === undefined || list.items.length === 0 ? (
        <Empty title={!searching ? 'No suites yet' : 'No suite matches'}>
          {!searching && <Link href="/suites/new">Create the first suite</Link>}
        </Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Suites, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Cases</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((suite) => (
                  <tr key={suite.id}>
                    <td>
                      <Link href={`/suites/${suite.id}`}>{suite.name}</Link>
                    </td>
                    <td>
                      {suite.agent ? (
                        <Link href={`/agents/${suite.agent.id}`}>{suite.agent.name}</Link>
                      ) : (
                        <span className="muted">deleted agent</span>
                      )}
                    </td>
                    <td>{suite.case_summaries.length}</td>
                    <td>
                      <DateTime value={suite.updated_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={page} pageSize={list.page_size} total={list.total} onPage={setPage} label="Pages of suites" />
        </>
      )}
    </>
  );
}
