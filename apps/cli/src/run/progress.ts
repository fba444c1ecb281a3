import { SingleBar } from 'cli-progress';
import type { SessionProgress } from '@sims/client';

export interface ProgressReporter {
  update(progress: SessionProgress): void;
  stop(): void;
}

const counts = (p: Pick<SessionProgress, 'completed' | 'failed' | 'pending'>) =>
  `completed ${p.completed} | failed ${p.failed} | pending ${p.pending}`;

/**
 * A live bar in a terminal; elsewhere (CI logs, pipes) one plain line per change, since a redrawn
 * bar turns into noise there. Progress goes to stderr so stdout keeps only the results (`--json`).
 * "completed" counts runs that finished (their criteria may still fail); "failed" runs that could not
 * run; the bar fills with both.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (!stream.isTTY) {
    return {
      update: (p) => stream.write(`progress: ${p.completed + p.failed}/${p.total} done | ${counts(p)}\n`),
      stop: () => undefined,
    };
  }
  const bar = new SingleBar({
    stream,
    format: '{bar} {value}/{total} done | completed {completed} | failed {failed} | pending {pending}',
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    clearOnComplete: false,
    fps: 10,
  });
  let started = false;
  return {
    update(p) {
      const payload = { completed: p.completed, failed: p.failed, pending: p.pending };
      if (!started) {
        bar.start(p.total, p.completed + p.failed, payload);
        started = true;
      } else {
        bar.setTotal(p.total);
        bar.update(p.completed + p.failed, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
