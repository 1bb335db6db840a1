/**
 * The part of a test runner the contract suites register their tests with. jest, vitest (with `globals`),
 * mocha and node:test all provide these, and their own functions fit it as they are; an object with more
 * (`beforeEach`, `afterEach`) fits too.
 */
export interface TestFramework {
  readonly describe: (name: string, body: () => void) => void;
  /**
   * `timeoutMs` is longer than the case's own bound, so that the suite's timeout, which names what the case
   * waited for and disposes its harness, ends a case that hangs first. Runners that take a test's timeout
   * as the third argument (jest, vitest) use it; others (mocha, node:test) ignore it.
   */
  readonly it: (name: string, body: () => Promise<void>, timeoutMs: number) => void;
}

const frameworkFunctions = ['describe', 'it'] as const;

/**
 * `given` if there is one, else the runner's globals. Without either it throws at once, naming what is
 * missing: a suite that registered nothing would otherwise pass unseen.
 */
export const testFrameworkOrGlobals = (suite: string, given: TestFramework | undefined): TestFramework => {
  if (given !== undefined) return given;
  // The globals are whatever the runner installed, if any: nothing about their types is known in advance.
  const scope = globalThis as unknown as Readonly<Record<string, unknown>>;
  const missing = frameworkFunctions.filter((name) => typeof scope[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(
      `${suite}: no test framework to register the tests with (no global ${missing.join(', ')}); ` +
        'run it under a runner that provides describe and it as globals, or pass them: ' +
        `${suite}(name, createHarness, { framework: { describe, it } })`,
    );
  }
  return {
    describe: scope['describe'] as TestFramework['describe'],
    it: scope['it'] as TestFramework['it'],
  };
};
