import type { SimulationUsage } from '@sims/client';
import { count, duration } from './format.js';
import { TableWrap } from './TableWrap.js';

const ROLES = [
  ['persona', 'Caller (persona)'],
  ['agent', 'Agent under test'],
  ['judge', 'Judge'],
  ['total', 'Total'],
] as const;

/** Model calls, tokens and time waiting for models, per role: what a run or a session cost. */
export function Usage({ usage, caption }: { usage: SimulationUsage; caption: string }) {
  return (
    <TableWrap label={caption}>
      <table className="usage-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Calls</th>
            <th scope="col">Prompt tokens</th>
            <th scope="col">Completion tokens</th>
            <th scope="col">Model time</th>
          </tr>
        </thead>
        <tbody>
          {ROLES.map(([role, label]) => (
            <tr key={role} className={role === 'total' ? 'usage-table-total' : undefined}>
              <th scope="row">{label}</th>
              <td>{count(usage[role].calls)}</td>
              <td>{count(usage[role].prompt_tokens)}</td>
              <td>{count(usage[role].completion_tokens)}</td>
              <td>{duration(usage[role].latency_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
