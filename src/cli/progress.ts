import { Presets, SingleBar } from 'cli-progress';
import type { Writable } from 'node:stream';

/** Progress of one long read; `total` undefined when it cannot be known in advance. */
export interface Progress {
  readonly update: (done: number, total: number | undefined) => void;
  readonly stop: () => void;
}

export type ProgressFactory = (label: string, unit: string) => Progress;

export const noProgress: Progress = { update: () => undefined, stop: () => undefined };

const ratePerSecond = (done: number, startedAt: number): string => {
  const seconds = (Date.now() - startedAt) / 1000;
  return seconds <= 0 ? '–' : Math.round(done / seconds).toLocaleString('en-US');
};

/**
 * Progress bars with rate and ETA on `stream`, only when it is a terminal: in pipes, files and tests the
 * output stays clean. A read whose total is unknown shows no bar.
 */
export const progressOn =
  (stream: Writable & { readonly isTTY?: boolean }): ProgressFactory =>
  (label, unit) => {
    if (stream.isTTY !== true) return noProgress;
    const bar = new SingleBar(
      {
        stream,
        format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 100,
      },
      Presets.shades_classic,
    );
    let startedAt: number | undefined;
    return {
      update: (done, total) => {
        if (total === undefined) return;
        if (startedAt === undefined) {
          startedAt = Date.now();
          bar.start(total, done, { rate: '–' });
          return;
        }
        bar.setTotal(total);
        bar.update(done, { rate: ratePerSecond(done, startedAt) });
      },
      stop: () => {
        if (startedAt !== undefined) bar.stop();
      },
    };
  };
