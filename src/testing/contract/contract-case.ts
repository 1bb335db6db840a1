import { testFrameworkOrGlobals } from './test-framework';
import type { TestFramework } from './test-framework';

/** What a contract suite's harness factory gives each case: a fresh, empty store, and a way to drop it. */
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

/**
 * Registers `cases` under `title`, one test each, grouped by their `group`, each with a harness of its own
 * from `createHarness`, disposed after it whether it passed or not.
 */
export const describeContractCases = <Harness extends ContractHarness>(
  suite: string,
  title: string,
  cases: readonly ContractCase<Harness>[],
  createHarness: () => Promise<Harness>,
  testFramework: TestFramework | undefined,
): void => {
  const { describe, it, beforeEach, afterEach } = testFrameworkOrGlobals(suite, testFramework);
  const groups = [...new Set(cases.map((contractCase) => contractCase.group))];
  describe(title, () => {
    let harness: Harness | undefined;
    beforeEach(async () => {
      harness = await createHarness();
    });
    afterEach(async () => {
      const created = harness;
      harness = undefined;
      await created?.dispose();
    });
    for (const group of groups) {
      describe(group, () => {
        for (const contractCase of cases.filter((c) => c.group === group)) {
          it(contractCase.name, async () => {
            if (harness === undefined) throw new Error(`${suite}: the harness for "${contractCase.name}" was not created`);
            await contractCase.run(harness);
          });
        }
      });
    }
  });
};
