import type { Schemas } from '@sims/client';
import { Badge } from '../../ui/index.js';
import { eventAnchor, findCitedEvent, type TimelineItem } from './timeline.js';

type Evaluation = Schemas['SimulationSuccessCriteriaEvaluation'];
type Verdict = NonNullable<Evaluation['verdict']>;

interface Props {
  evaluations: readonly Evaluation[];
  /** How many of the evaluations are the case's natural-language criteria; the rest are its checks. */
  criteriaCount: number;
  timeline: readonly TimelineItem[] | null | undefined;
}

const VERDICT_LABEL: Record<Verdict, string> = { passed: 'Passed', failed: 'Failed', not_evaluated: 'Not evaluated' };

function verdictOf(evaluation: Evaluation): Verdict {
  return evaluation.verdict ?? (evaluation.success ? 'passed' : 'failed');
}

/**
 * Each criterion and check with its verdict and reasoning, in the case's order. The ones that did not
 * pass are marked, counted at the top, and link to the turn their reasoning cites when it can be found.
 */
export function Verdicts({ evaluations, criteriaCount, timeline }: Props) {
  const notPassed = evaluations.filter((e) => verdictOf(e) !== 'passed').length;
  return (
    <div className="verdicts">
      <p className="verdicts-summary">
        {notPassed === 0
          ? `All ${evaluations.length} criteria and checks passed.`
          : `${notPassed} of ${evaluations.length} criteria and checks did not pass.`}
      </p>
      <ol className="verdict-list">
        {evaluations.map((evaluation, index) => {
          const verdict = verdictOf(evaluation);
          const kind = index < criteriaCount ? 'Criterion' : 'Check';
          const cited = verdict === 'passed' ? undefined : findCitedEvent(evaluation.reasoning, timeline, evaluation.criterion);
          return (
            <li key={index} className={`verdict verdict-${verdict}`}>
              <div className="verdict-head">
                <Badge
                  value={VERDICT_LABEL[verdict]}
                  tone={verdict === 'passed' ? 'success' : verdict === 'failed' ? 'danger' : 'warning'}
                />
                <span className="verdict-kind">{kind}</span>
                <span className="verdict-criterion">{evaluation.criterion ?? `${kind} ${index + 1}`}</span>
              </div>
              <p className="verdict-reasoning">{evaluation.reasoning}</p>
              {cited !== undefined ? (
                <a className="verdict-link" href={`#${eventAnchor(cited)}`}>
                  See event {cited + 1} of the conversation
                </a>
              ) : null}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
