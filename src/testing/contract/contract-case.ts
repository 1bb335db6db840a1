import { messageOf } from '../../engine/error-message';
import { notingWaitsIn, PendingWaits } from './case-waits';
import { testFrameworkOrGlobals } from './test-framework';
import type { TestFramework } from './test-framework';

/** What a contract suite's harness factory gives each case: a store, and a way to drop what was made for it. */
export interface ContractHarness {
  /** Drops whatever the harness created (schema, database, server), after the case has run. */
  readonly dispose: () => Promise<void>;
}

/**
 * One behaviour a store must show. `run` rejects (with an `AssertionError`, or the store's own error) when
 * the store does not show it. `group` is the part of the port it is about, for the runner's report.
 */
export interface ContractCase<Harness> {
  readonly group: string;
  readonly name: string;
  readonly run: (harness: Harness) => Promise<void>;
}

/** How a contract suite registers its cases and bounds their time. */
export interface ContractSuiteOptions {
  /** The runner's `describe` and `it`. Without it, the runner's globals; without those, the suite throws. */
  readonly framework?: TestFramework;
  /**
   * How long a case may take, the creation of its harness included, before it fails with an Error naming
   * it and what it was waiting for; its harness is disposed then. 30,000 ms unless given.
   */
  readonly caseTimeoutMs?: number;
}

const DEFAULT_CASE_TIMEOUT_MS = 30_000;
/** What a runner's own timeout for a case allows beyond the case's: the harness's dispose after it. */
const DISPOSE_ALLOWANCE_MS = 10_000;
/** The longest delay setTimeout keeps; a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

const caseTimedOut = (caseTitle: string, caseTimeoutMs: number, waits: PendingWaits): Error => {
  const pending = waits.descriptions;
  const waitedFor = pending.length === 0 ? 'a call to the store to answer' : pending.join(', and ');
  return new Error(`${caseTitle}: did not end within ${caseTimeoutMs} ms (caseTimeoutMs), waiting for ${waitedFor}`);
};

/** What a case failed with: an `AssertionError`'s message, of whichever realm (node:assert's is jest's outer one). */
const failureMessage = (thrown: unknown): string =>
  typeof thrown === 'object' && thrown !== null && 'message' in thrown && typeof thrown.message === 'string' ? thrown.message : messageOf(thrown);

/**
 * Disposes the harness a case ran on. One the factory had not delivered when the case ended (out of time)
 * is disposed when it comes, as nothing else will, and its failure then has no case left to fail.
 */
const disposeAfter = async <Harness extends ContractHarness>(harness: Harness | undefined, creating: Promise<Harness>): Promise<void> => {
  if (harness !== undefined) return harness.dispose();
  void creating.then((late) => late.dispose()).catch(() => undefined);
  return undefined;
};

/**
 * Runs one case on a harness of its own from `createHarness`, within `caseTimeoutMs`, and disposes the
 * harness however the case ended: passed, failed, or out of time. Rejects as the case did, or with an Error
 * naming `caseTitle` and what the case was waiting for when its time ran out.
 */
export const runContractCase = async <Harness extends ContractHarness>(
  caseTitle: string,
  contractCase: ContractCase<Harness>,
  createHarness: () => Promise<Harness>,
  caseTimeoutMs: number,
): Promise<void> => {
  const waits = new PendingWaits();
  const creating = createHarness().finally(waits.begin('its harness from the factory'));
  let harness: Harness | undefined;
  let ended = false;
  // Boxed, since a case may fail with any value, undefined too.
  let failure: { readonly thrown: unknown } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(caseTimedOut(caseTitle, caseTimeoutMs, waits)), caseTimeoutMs);
  });
  try {
    await Promise.race([
      creating.then((created) => {
        // A harness that came after the case's time ran out is not run on: it is disposed below.
        if (ended) return undefined;
        harness = created;
        return notingWaitsIn(waits, () => contractCase.run(created));
      }),
      timeUp,
    ]);
  } catch (thrown) {
    failure = { thrown };
  } finally {
    ended = true;
    clearTimeout(timer);
  }
  try {
    await disposeAfter(harness, creating);
  } catch (disposeFailure) {
    if (failure === undefined) throw disposeFailure;
    // The case's own failure is what the host must see first; a dispose failing after it is said beside it.
    throw new AggregateError([failure.thrown, disposeFailure], `${caseTitle}: the case failed, and then so did its harness's dispose: ${failureMessage(failure.thrown)}`);
  }
  if (failure !== undefined) throw failure.thrown;
};

/**
 * Registers `cases` under `title`, one test each, grouped by their `group`. Each test creates its harness
 * itself, so that cases a runner runs at the same time never share one, and runs as `runContractCase` does.
 */
export const describeContractCases = <Harness extends ContractHarness>(
  suite: string,
  title: string,
  cases: readonly ContractCase<Harness>[],
  createHarness: () => Promise<Harness>,
  options: ContractSuiteOptions,
): void => {
  const { describe, it } = testFrameworkOrGlobals(suite, options.framework);
  const caseTimeoutMs = options.caseTimeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
  if (!Number.isInteger(caseTimeoutMs) || caseTimeoutMs < 1 || caseTimeoutMs > MAX_TIMER_MS) {
    throw new RangeError(`${suite}: caseTimeoutMs ${caseTimeoutMs} is not a whole number of milliseconds from 1 to ${MAX_TIMER_MS}`);
  }
  const runnerTimeoutMs = Math.min(caseTimeoutMs + DISPOSE_ALLOWANCE_MS, MAX_TIMER_MS);
  const groups = [...new Set(cases.map((contractCase) => contractCase.group))];
  describe(title, () => {
    for (const group of groups) {
      describe(group, () => {
        for (const contractCase of cases.filter((c) => c.group === group)) {
          const caseTitle = `${title} › ${group} › ${contractCase.name}`;
          it(contractCase.name, () => runContractCase(caseTitle, contractCase, createHarness, caseTimeoutMs), runnerTimeoutMs);
        }
      });
    }
  });
};
