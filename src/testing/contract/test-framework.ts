/**
 * The part of a test runner the contract suites register their tests with. jest, vitest (with `globals`)
 * and mocha all provide these as globals, and their own functions fit it as they are.
 */
export interface TestFramework {
  readonly describe: (name: string, body: () => void) => void;
  readonly it: (name: string, body: () => Promise<void>) => void;
  readonly beforeEach: (body: () => Promise<void>) => void;
  readonly afterEach: (body: () => Promise<void>) => void;
}

const frameworkFunctions = ['describe', 'it', 'beforeEach', 'afterEach'] as const;

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
        'run it under a runner that provides describe, it, beforeEach and afterEach as globals, or pass them: ' +
        `${suite}(name, createHarness, { describe, it, beforeEach, afterEach })`,
    );
  }
  return {
    describe: scope['describe'] as TestFramework['describe'],
    it: scope['it'] as TestFramework['it'],
    beforeEach: scope['beforeEach'] as TestFramework['beforeEach'],
    afterEach: scope['afterEach'] as TestFramework['afterEach'],
  };
};
