import { isNoBaseline, type Schemas, type SimulationCaseComparison } from '@sims/client';
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'wouter';
import { useClient } from '../../api.js';
import { Badge, Empty, ErrorState, Loading } from '../../ui/index.js';
import { delta, percent } from './format.js';
import { TableWrap } from './TableWrap.js';
import { CHANGE, OUTCOME, TREND } from './states.js';

type Tally = Schemas['CaseRunTally'];

// An <option> holds text only, so the date is formatted here, in the user's locale as DateTime does.
const choiceDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export interface BaselineChoice {
  id: string;
  createdAt: string;
}

interface Props {
  sessionId: string;
  /** Other finished sessions of the same suite, newest first, to pick a baseline from. */
  choices: readonly BaselineChoice[];
}

function TallyCell({ tally }: { tally: Tally | null }) {
  if (!tally) return <td>—</td>;
  const outcome = OUTCOME[tally.outcome];
  return (
    <td>
      {tally.passed_runs}/{tally.runs} <span className="muted">({outcome.label.toLowerCase()})</span>
    </td>
  );
}

function CriteriaChanges({ item }: { item: SimulationCaseComparison }) {
  return (
    <table className="outcome-criteria-table">
      <caption className="visually-hidden">Criteria and checks of {item.simulation_case_name ?? 'the case'} against the baseline</caption>
      <thead>
        <tr>
          <th scope="col">Criterion or check</th>
          <th scope="col">Baseline</th>
          <th scope="col">This session</th>
          <th scope="col">Δ</th>
          <th scope="col">Trend</th>
        </tr>
      </thead>
      <tbody>
        {item.criteria.map((criterion, index) => (
          <tr key={index}>
            <th scope="row">
              <span className="muted">{criterion.kind === 'check' ? 'Check' : 'Criterion'}: </span>
              {criterion.criterion}
            </th>
            <td>{percent(criterion.baseline_pass_rate)}</td>
            <td>{percent(criterion.pass_rate)}</td>
            <td>{delta(criterion.delta)}</td>
            <td>{TREND[criterion.trend].label}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CaseChangeRow({ item }: { item: SimulationCaseComparison }) {
  const [open, setOpen] = useState(false);
  const trend = TREND[item.trend];
  const name = item.simulation_case_name ?? item.simulation_case_id;
  return (
    <>
      <tr className={`change-${item.trend}`}>
        <th scope="row">{name}</th>
        <td>{CHANGE[item.change]}</td>
        <td>
          <Badge value={trend.label} tone={trend.tone} />
        </td>
        <TallyCell tally={item.baseline} />
        <TallyCell tally={item.head} />
        <td>{delta(item.pass_rate_delta)}</td>
        <td>
          {item.criteria.length > 0 ? (
            <button type="button" className="session-link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
              {open ? 'Hide' : 'Show'} {item.criteria.length} criteria<span className="visually-hidden"> of {name}</span>
            </button>
          ) : (
            '—'
          )}
        </td>
      </tr>
      {open ? (
        <tr className="outcome-criteria">
          <td colSpan={7}>
            <CriteriaChanges item={item} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/**
 * This session against a baseline — the latest earlier finished session of the suite by default, or
 * one the reader picks — with the verdict, the pass rates and each case's change. A suite's first
 * session has no baseline: that 404 is the normal state of a first run, shown calmly, not as an error.
 */
export function Comparison({ sessionId, choices }: Props) {
  const client = useClient();
  const selectId = useId();
  const [baseline, setBaseline] = useState<string>('last');
  const query = useQuery({
    queryKey: ['comparison', sessionId, baseline],
    queryFn: ({ signal }) => client.compareSessions(sessionId, { baseline, signal }),
    // A 404 (no baseline) or 409 (still running) answers the same on a retry.
    retry: false,
  });

  let body: React.ReactNode;
  if (query.isPending) body = <Loading label="Comparing with the baseline" />;
  else if (query.isError) {
    body = isNoBaseline(query.error) ? (
      <Empty title="Nothing to compare with yet">
        This is the suite’s first finished session: the next run will be compared with this one.
      </Empty>
    ) : (
      <ErrorState error={query.error} />
    );
  } else {
    const comparison = query.data;
    const verdict = TREND[comparison.verdict];
    const { summary } = comparison;
    body = (
      <>
        <p className="comparison-verdict">
          <Badge value={verdict.label} tone={verdict.tone} />{' '}
          <span>
            Pass rate {percent(comparison.baseline_pass_rate)} → {percent(comparison.pass_rate)} ({delta(comparison.pass_rate_delta)})
            against <Link href={`/sessions/${comparison.baseline_session_id}`}>the baseline session</Link>.
          </span>
        </p>
        <ul className="comparison-summary">
          <li>{summary.regressed} regressed</li>
          <li>{summary.improved} improved</li>
          <li>{summary.newly_failing} newly failing</li>
          <li>{summary.fixed} fixed</li>
          <li>{summary.still_failing} still failing</li>
          <li>{summary.flaky} flaky</li>
          {summary.added > 0 ? <li>{summary.added} added</li> : null}
          {summary.removed > 0 ? <li>{summary.removed} removed</li> : null}
        </ul>
        <TableWrap label="Each case against the baseline">
          <table className="comparison-cases">
            <caption className="visually-hidden">Each case against the baseline</caption>
            <thead>
              <tr>
                <th scope="col">Case</th>
                <th scope="col">Change</th>
                <th scope="col">Trend</th>
                <th scope="col">Baseline</th>
                <th scope="col">This session</th>
                <th scope="col">Δ pass rate</th>
                <th scope="col">Criteria</th>
              </tr>
            </thead>
            <tbody>
              {comparison.cases.map((item) => (
                <CaseChangeRow key={item.simulation_case_id} item={item} />
              ))}
            </tbody>
          </table>
        </TableWrap>
      </>
    );
  }

  return (
    <section aria-labelledby="comparison-title" className="comparison">
      <h2 id="comparison-title">Compared with a baseline</h2>
      <div className="session-filter">
        <label htmlFor={selectId}>Baseline</label>
        <select id={selectId} value={baseline} onChange={(event) => setBaseline(event.target.value)}>
          <option value="last">The latest earlier finished session</option>
          {choices.map((choice) => (
            <option key={choice.id} value={choice.id}>
              Session of {choiceDate.format(new Date(choice.createdAt))}
            </option>
          ))}
        </select>
      </div>
      {body}
    </section>
  );
}
