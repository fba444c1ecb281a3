import { Link } from 'wouter';
import { useApi } from '../../api.js';
import { useWorkspaceFrom } from '../../auth/context.js';
import { ButtonLink, DateTime, Empty, ErrorState, Loading, PageHeader, Pager, SearchBox, useSearchedPages } from '../../ui/index.js';

const PAGE_SIZE = 20;

const KIND_LABELS: Record<string, string> = { builtin: 'Builtin', http: 'HTTP webhook', openai: 'OpenAI-compatible' };

export function AgentsPage() {
  const api = useApi();
  const { page, setPage, search, setSearch, searching, query } = useSearchedPages(PAGE_SIZE);
  const agents = api.useQuery('get', '/agents', { params: { query } });
  const items = agents.data?.response.items;

  useWorkspaceFrom(items?.[0]);

  return (
    <>
      <PageHeader
        title="Agents"
        description="The agents under test, and how the engine reaches each one."
        actions={
          <ButtonLink href="/agents/new" variant="primary">
            New agent
          </ButtonLink>
        }
      />
      <SearchBox label="Search by name" value={search} onChange={setSearch} />
      {agents.isPending ? (
        <Loading label="Loading agents…" />
      ) : agents.isError ? (
        <ErrorState error={agents.error} title="Could not load the agents" retry={() => agents.refetch()} />
      ) : items === undefined || items.length === 0 ? (
        !searching ? (
          <Empty title="No agents yet">
            <p>An agent is what a suite’s cases call. Start with the builtin shop agent, or connect your own over HTTP.</p>
            <ButtonLink href="/agents/new" variant="primary">
              Create an agent
            </ButtonLink>
          </Empty>
        ) : (
          <Empty title={`No agent’s name contains “${search.trim()}”`} />
        )
      ) : (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Agents ({agents.data.response.total})</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Connector</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {items.map((agent) => (
                  <tr key={agent.id}>
                    <td>
                      <Link href={`/agents/${agent.id}`}>{agent.name}</Link>
                    </td>
                    <td>{KIND_LABELS[agent.connector.kind] ?? agent.connector.kind}</td>
                    <td>
                      <DateTime value={agent.updated_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={page} pageSize={PAGE_SIZE} total={agents.data.response.total} onPage={setPage} label="Agent pages" />
        </>
      )}
    </>
  );
}
