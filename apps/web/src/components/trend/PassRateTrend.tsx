import { useEffect, useId, useRef } from 'react';
import type uPlot from 'uplot';
import { DateTime } from '../../ui/index.js';
import { percent } from '../../pages/sessions/format.js';
import './PassRateTrend.css';

export interface TrendPoint {
  /** The session the point is for. */
  id: string;
  createdAt: string;
  /** From 0 to 1; `null` while the session has no finished run. */
  passRate: number | null;
}

interface Props {
  /** Oldest first. */
  points: readonly TrendPoint[];
  /** Links a row of the table to its session. */
  renderLink?: (point: TrendPoint) => React.ReactNode;
}

/** One sentence that says what the chart shows, for people who cannot see it. */
function describeTrend(points: readonly TrendPoint[]): string {
  const rated = points.filter((p): p is TrendPoint & { passRate: number } => p.passRate !== null);
  if (rated.length === 0) return 'No session has a pass rate yet.';
  const last = rated[rated.length - 1] as TrendPoint & { passRate: number };
  if (rated.length === 1) return `One session with a pass rate: ${percent(last.passRate)}.`;
  const first = rated[0] as TrendPoint & { passRate: number };
  const rates = rated.map((p) => p.passRate);
  return (
    `Pass rate over ${rated.length} sessions: ${percent(first.passRate)} in the oldest, ${percent(last.passRate)} in the latest ` +
    `(lowest ${percent(Math.min(...rates))}, highest ${percent(Math.max(...rates))}).`
  );
}

function cssColor(element: Element, name: string, fallback: string): string {
  const value = getComputedStyle(element).getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

/**
 * The pass rate of a suite's sessions over time: a uPlot line chart, loaded on demand so that the
 * first page's JavaScript stays small, with the same figures as a table and a one-line summary as its
 * text alternative (the canvas itself is hidden from assistive technology).
 */
export function PassRateTrend({ points, renderLink }: Props) {
  const captionId = useId();
  const chartRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const target = chartRef.current;
    if (!target || points.length === 0) return;
    let plot: uPlot | undefined;
    let observer: ResizeObserver | undefined;
    let cancelled = false;
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')])
      .then(([{ default: UPlot }]) => {
        if (cancelled) return;
        const xs = points.map((p) => Date.parse(p.createdAt) / 1000);
        const ys = points.map((p) => (p.passRate === null ? null : Math.round(p.passRate * 1000) / 10));
        const stroke = cssColor(target, '--accent', '#2456c8');
        const width = Math.max(240, target.clientWidth);
        plot = new UPlot(
          {
            width,
            height: 220,
            legend: { show: false },
            cursor: { drag: { x: false, y: false } },
            scales: { x: { time: true }, y: { range: [0, 100] } },
            series: [{}, { label: 'Pass rate', stroke, width: 2, spanGaps: true, points: { show: true, size: 6, fill: stroke } }],
            axes: [{}, { values: (_u, values) => values.map((v) => `${v}%`), size: 48 }],
          },
          [xs, ys],
          target,
        );
        if (typeof ResizeObserver !== 'undefined') {
          observer = new ResizeObserver(() => plot?.setSize({ width: Math.max(240, target.clientWidth), height: 220 }));
          observer.observe(target);
        }
      })
      // A browser that cannot draw (no canvas) still has the summary and the table.
      .catch(() => undefined);
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [points]);

  return (
    <figure className="trend" aria-labelledby={captionId}>
      <figcaption id={captionId}>{describeTrend(points)}</figcaption>
      <div ref={chartRef} className="trend-chart" aria-hidden="true" data-testid="trend-chart" />
      <details className="trend-table">
        <summary>Pass rates as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Session</th>
              <th scope="col">Created</th>
              <th scope="col">Pass rate</th>
            </tr>
          </thead>
          <tbody>
            {points.map((point, index) => (
              <tr key={point.id}>
                <td>{renderLink ? renderLink(point) : index + 1}</td>
                <td>
                  <DateTime value={point.createdAt} />
                </td>
                <td>{percent(point.passRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
