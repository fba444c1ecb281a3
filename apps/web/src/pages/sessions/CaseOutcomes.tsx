import type { SimulationCaseReport } from '@sims/client';
import { memo, useState } from 'react';
import { Badge } from '../../ui/index.js';
import { duration, percent } from './format.js';
import { TableWrap } from './TableWrap.js';
import { OUTCOME } from './states.js';

function Criteria({ report }: { report: SimulationCaseReport }) {
  return (
    <table className="outcome-criteria-table">
      <caption className="visually-hidden">Criteria and checks of {report.simulation_case_name ?? 'the case'}</caption>
      <thead>
        <tr>
          <th scope="col">Criterion or check</th>
          <th scope="col">Pass rate</th>
          <th scope="col">Most common reason it did not pass</th>
        </tr>
      </thead>
      <tbody>
        {report.criteria.map((criterion, index) => (
          <tr key={index}>
            <th scope="row">
              <span className="muted">{criterion.kind === 'check' ? 'Check' : 'Criterion'}: </span>
              {criterion.criterion}
            </th>
            <td>
              {percent(criterion.pass_rate)}{' '}
              <span className="muted">
                ({criterion.passed}/{criterion.evaluations})
              </span>
            </td>
            <td>
              {criterion.top_failure_reasoning ? (
                <>
                  {criterion.top_failure_reasoning}
                  {criterion.top_failure_count > 1 ? <span className="muted"> ({criterion.top_failure_count}×)</span> : null}
                </>
              ) : (
                '—'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One case's row; memoised so that a poll that changes a few cases re-renders only those. */
const CaseRow = memo(function CaseRow({ report }: { report: SimulationCaseReport }) {
  const [open, setOpen] = useState(false);
  const outcome = OUTCOME[report.outcome];
  const name = report.simulation_case_name ?? report.simulation_case_id;
  const finished = report.runs - report.pending_runs;
  return (
    <>
      <tr className={`outcome-row outcome-${report.outcome}`}>
        <th scope="row">{name}</th>
        <td>
          <Badge value={outcome.label} tone={outcome.tone} />
          {report.flaky ? (
            <span className="flaky-mark" title="Both outcomes were seen across its runs" aria-hidden="true">
              {' '}
              ⚑
            </span>
          ) : null}
        </td>
        <td>
          {report.passed_runs}/{finished}
          {report.pending_runs > 0 ? <span className="muted"> (+{report.pending_runs} running)</span> : null}
        </td>
        <td>{percent(report.pass_rate)}</td>
        <td>{report.errored_runs > 0 ? report.errored_runs : '—'}</td>
        <td>
          {duration(report.duration_ms?.median)}
          {report.duration_ms ? <span className="muted"> / {duration(report.duration_ms.p95)}</span> : null}
        </td>
        <td>{report.turns ? `${report.turns.median} / ${report.turns.p95}` : '—'}</td>
        <td>
          {report.criteria.length > 0 ? (
            <button type="button" className="session-link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
              {open ? 'Hide' : 'Show'} {report.criteria.length} criteria<span className="visually-hidden"> of {name}</span>
            </button>
          ) : (
            '—'
          )}
        </td>
      </tr>
      {open ? (
        <tr className="outcome-criteria">
          <td colSpan={8}>
            <Criteria report={report} />
          </td>
        </tr>
      ) : null}
    </>
  );
});

/**
 * Every case of the session with its outcome over its runs, flaky mark, pass rate, durations and
 * turns; its criteria open on demand, so a session of hundreds of cases renders one light row each.
 */
export function CaseOutcomes({ cases }: { cases: readonly SimulationCaseReport[] }) {
  return (
    <TableWrap label="Outcome of each case">
      <table className="outcome-table">
        <caption className="visually-hidden">Outcome of each case</caption>
        <thead>
          <tr>
            <th scope="col">Case</th>
            <th scope="col">Outcome</th>
            <th scope="col">Passed</th>
            <th scope="col">Pass rate</th>
            <th scope="col">Could not run</th>
            <th scope="col">Duration (median / p95)</th>
            <th scope="col">Turns (median / p95)</th>
            <th scope="col">Criteria</th>
          </tr>
        </thead>
        <tbody>
          {cases.map((report) => (
            <CaseRow key={report.simulation_case_id} report={report} />
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
