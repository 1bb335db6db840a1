import { AssertionError } from 'node:assert';
import { runInNewContext } from 'node:vm';
import * as E from 'fp-ts/Either';
import { timer } from 'rxjs';
import { filter, map, switchMap } from 'rxjs/operators';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import { MemoryReadModelStore } from '../../src/adapters/read-model/memory/memory-read-model-store';
import type { Batch, ProjectionVersion, ReadModelError, ReadModelStore, StoredDocument } from '../../src/projections/read-model-store';
import { assertPartialMatch, assertStructurallyEqual } from '../../src/testing/contract/structural-assertions';
import { describeEventStoreContract, eventStoreContractCases, readModelStoreContractCases } from '../../src/testing';
import type { ContractCase, ContractHarness, EventStoreHarness, ReadModelStoreHarness, TestFramework } from '../../src/testing';
import { runContractCase } from '../../src/testing/contract/contract-case';
import { CommitInterceptingReadModelStore } from '../support/commit-intercepting-read-model-store';
import { delegatingTo } from '../support/delegating-event-store';
import { sharedEventStoreClient } from '../support/shared-event-store-client';
import { rightOrThrow } from '../../src/testing/contract/either-results';
import { proposedEvents } from '../../src/testing/contract/proposed-events';

interface CaseFailure {
  readonly name: string;
  readonly error: unknown;
}

const CASE_TIMEOUT_MS = 2_000;

/**
 * Runs every case on a harness of its own, one after another, as the suites' tests do, and answers the ones
 * that failed. A case waiting for events a store lost fails when its time is up.
 */
const failuresOf = async <Harness extends ContractHarness>(cases: readonly ContractCase<Harness>[], createHarness: () => Promise<Harness>): Promise<CaseFailure[]> => {
  const failures: CaseFailure[] = [];
  for (const contractCase of cases) {
    try {
      await runContractCase(contractCase.name, contractCase, createHarness, CASE_TIMEOUT_MS);
    } catch (error) {
      failures.push({ name: contractCase.name, error });
    }
  }
  return failures;
};

/** The suites as another worker loads them: a module of their own, with whatever state it keeps. */
const suiteCopy = (): typeof import('../../src/testing') => {
  let copy: typeof import('../../src/testing') | undefined;
  jest.isolateModules(() => {
    copy = jest.requireActual<typeof import('../../src/testing')>('../../src/testing');
  });
  if (copy === undefined) throw new Error('jest.isolateModules did not load the suites');
  return copy;
};

const memoryEventStore = (): Promise<EventStoreHarness> => {
  const store = new MemoryEventStore();
  return Promise.resolve({ store, dispose: () => store.close() });
};

/** An event store that takes an append expecting an exact revision whatever revision the stream is at. */
const ignoringExactRevisions = (): Promise<EventStoreHarness> => {
  const inner = new MemoryEventStore();
  const store = delegatingTo(inner, {
    append: (streamId, events, expected) => inner.append(streamId, events, typeof expected === 'number' ? 'any' : expected),
  });
  return Promise.resolve({ store, dispose: () => store.close() });
};

/** An event store that keeps only the first event of every append. */
const keepingOneEventPerAppend = (): Promise<EventStoreHarness> => {
  const inner = new MemoryEventStore();
  const store = delegatingTo(inner, { append: (streamId, events, expected) => inner.append(streamId, events.slice(0, 1), expected) });
  return Promise.resolve({ store, dispose: () => store.close() });
};

/**
 * A read-model store that takes every batch whatever checkpoint it expects: it commits them one at a time,
 * each as if it expected the checkpoint the version is at.
 */
class CheckpointIgnoringReadModelStore extends CommitInterceptingReadModelStore {
  private previous: Promise<unknown> = Promise.resolve();

  commit(version: ProjectionVersion, batch: Batch): Promise<E.Either<ReadModelError, void>> {
    const committed = this.previous.then(async () => {
      const current = await this.inner.checkpoint(version);
      const expectedCheckpoint = E.isRight(current) ? current.right : batch.expectedCheckpoint;
      return this.inner.commit(version, { ...batch, expectedCheckpoint });
    });
    this.previous = committed;
    return committed;
  }
}

const readModelHarness = (store: ReadModelStore): Promise<ReadModelStoreHarness> => Promise.resolve({ store, dispose: () => store.close() });

/**
 * An event store that hands out copies made by structuredClone, as a store protecting what it keeps may.
 * Under jest they are objects of another realm than the test's: the same JSON, other prototypes.
 */
const cloningOnRead = (): Promise<EventStoreHarness> => {
  const inner = new MemoryEventStore();
  const store = delegatingTo(inner, {
    readStream: async (...args) => structuredClone(await inner.readStream(...args)),
    readAll: async (...args) => structuredClone(await inner.readAll(...args)),
    subscribe: (...args) => inner.subscribe(...args).pipe(map((message) => structuredClone(message))),
  });
  return Promise.resolve({ store, dispose: () => store.close() });
};

const deeplyFrozen = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) {
    for (const field of Object.values(value)) deeplyFrozen(field);
    Object.freeze(value);
  }
  return value;
};

/** `value` with its arrays and plain objects rebuilt in this realm, every field kept, undefined ones too. */
const inThisRealm = <T>(value: T): T => {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return Array.from(value, inThisRealm) as T;
  const prototype: unknown = Object.getPrototypeOf(value);
  const isPlainObjectOfAnyRealm = prototype === null || Object.getPrototypeOf(prototype) === null;
  return isPlainObjectOfAnyRealm ? (Object.fromEntries(Object.entries(value).map(([key, field]) => [key, inThisRealm(field)])) as T) : value;
};

/** The read-model store that hands out deeply frozen structuredClone copies of what it keeps. */
class CloningReadModelStore extends CommitInterceptingReadModelStore {
  private readonly copied = <T>(result: E.Either<ReadModelError, T>): E.Either<ReadModelError, T> => E.map((value: T) => deeplyFrozen(structuredClone(value)))(result);

  get: ReadModelStore['get'] = async (version, collection, id) => this.copied<StoredDocument | undefined>(await this.inner.get(version, collection, id));
  getMany: ReadModelStore['getMany'] = async (version, keys) => this.copied(await this.inner.getMany(version, keys));
  find: ReadModelStore['find'] = async (version, query) => this.copied(await this.inner.find(version, query));
  // The in-memory store it wraps takes only plain objects of its own realm: documents it handed out and are
  // written back are rebuilt here first, as a store keeping JSON parses what it is sent.
  commit: ReadModelStore['commit'] = (version, batch) =>
    this.inner.commit(version, { ...batch, writes: batch.writes.map((write) => (write.kind === 'put' ? { ...write, document: inThisRealm(write.document) } : write)) });
}

describe('the event-store contract cases', () => {
  it('all pass on the in-memory event store', async () => {
    expect(await failuresOf(eventStoreContractCases, memoryEventStore)).toEqual([]);
  });

  it('all pass on a store that hands out copies made by structuredClone, objects of another realm under jest', async () => {
    expect(await failuresOf(eventStoreContractCases, cloningOnRead)).toEqual([]);
  });

  it('all pass when two copies of the suite, as two workers load it, run each case at the same moment over one shared store', async () => {
    const backend = new MemoryEventStore();
    const client = (): Promise<EventStoreHarness> => {
      const store = sharedEventStoreClient(backend);
      return Promise.resolve({ store, dispose: () => store.close() });
    };
    const [first, second] = [suiteCopy(), suiteCopy()];
    const failures: CaseFailure[] = [];
    for (const [index, contractCase] of first.eventStoreContractCases.entries()) {
      const twin = second.eventStoreContractCases[index]!;
      failures.push(...(await Promise.all([failuresOf([contractCase], client), failuresOf([twin], client)])).flat());
    }
    expect(failures).toEqual([]);
    await backend.close();
  });

  it('all pass on a store shared with others that already holds more than 100,000 events, more than one page or scan reaches', async () => {
    const backend = new MemoryEventStore();
    for (let written = 0; written <= 100_000; written += 10_000) rightOrThrow(await backend.append(`others-${written}`, proposedEvents(10_000, 'Others'), 'no-stream'));
    const client = (): Promise<EventStoreHarness> => {
      const store = sharedEventStoreClient(backend);
      return Promise.resolve({ store, dispose: () => store.close() });
    };
    expect(await failuresOf(eventStoreContractCases, client)).toEqual([]);
    await backend.close();
  });

  it('all pass on a store whose subscriptions take 50 ms before their first read, as one over a network or with a long history may', async () => {
    const slowToCatchUp = (): Promise<EventStoreHarness> => {
      const inner = new MemoryEventStore();
      const store = delegatingTo(inner, { subscribe: (options) => timer(50).pipe(switchMap(() => inner.subscribe(options))) });
      return Promise.resolve({ store, dispose: () => store.close() });
    };
    expect(await failuresOf(eventStoreContractCases, slowToCatchUp)).toEqual([]);
  });

  it('fail, each with an AssertionError, where a store takes appends expecting a revision the stream is not at, and only there', async () => {
    const failures = await failuresOf(eventStoreContractCases, ignoringExactRevisions);
    expect(failures.map((f) => f.name)).toEqual([
      'an exact revision fails when the stream has moved on, and on a missing stream',
      'a revision the stream has not reached fails, naming the revision it is at',
      'a failed append writes nothing',
      'of many concurrent writers expecting the same revision, exactly one wins',
    ]);
    for (const failure of failures) expect(failure.error).toBeInstanceOf(AssertionError);
  });

  it('fail where a store loses events: every case that appends more than one event at a time and reads them back', async () => {
    const failures = await failuresOf(eventStoreContractCases, keepingOneEventPerAppend);
    expect(failures.map((f) => f.name)).toEqual([
      'assigns revisions from 0 and returns the next expected revision',
      "hands out reads that are the caller's own: reordering one changes nothing stored",
      'reads nothing for a negative count, and from the start for a position before the first',
      'reads forwards from a revision with a count',
      'reads backwards from the end or from a revision',
      'reads backwards from a revision past the end from the last event',
      'an exact revision fails when the stream has moved on, and on a missing stream',
      'a revision the stream has not reached fails, naming the revision it is at',
      'of many concurrent writers expecting the same revision, exactly one wins',
      'reads every event in global order and pages with lastPosition',
      'filters by event type',
      'reports the head position',
      'catches up, says so, then delivers live events in order',
      'starts after a given position',
      'delivers every event of concurrent appends exactly once',
    ]);
  });
});

describe('the read-model store contract cases', () => {
  it('all pass on the in-memory read-model store', async () => {
    expect(await failuresOf(readModelStoreContractCases, () => readModelHarness(new MemoryReadModelStore()))).toEqual([]);
  });

  it('all pass on a store that hands out deeply frozen copies made by structuredClone, objects of another realm under jest', async () => {
    expect(await failuresOf(readModelStoreContractCases, () => readModelHarness(new CloningReadModelStore(new MemoryReadModelStore())))).toEqual([]);
  });

  it('all pass on a store whose pages, as JSON would, leave out a `next` they do not have', async () => {
    class JsonPagesReadModelStore extends MemoryReadModelStore {
      override async find(...args: Parameters<MemoryReadModelStore['find']>): ReturnType<MemoryReadModelStore['find']> {
        const page = await super.find(...args);
        return E.isRight(page) ? E.right(JSON.parse(JSON.stringify(page.right)) as typeof page.right) : page;
      }
    }
    expect(await failuresOf(readModelStoreContractCases, () => readModelHarness(new JsonPagesReadModelStore()))).toEqual([]);
  });

  it('fail, each with an AssertionError, where a store ignores the checkpoint a batch expects, and only there', async () => {
    const failures = await failuresOf(readModelStoreContractCases, () => readModelHarness(new CheckpointIgnoringReadModelStore(new MemoryReadModelStore())));
    expect(failures.map((f) => f.name)).toEqual([
      'refuses a batch whole when the checkpoint is not the one expected',
      'of concurrent batches expecting the same checkpoint, exactly one is applied',
    ]);
    for (const failure of failures) expect(failure.error).toBeInstanceOf(AssertionError);
  });
});

interface RecordedTest {
  readonly name: string;
  readonly body: () => Promise<void>;
  readonly timeoutMs: number;
}

interface TestOutcome {
  readonly name: string;
  readonly failure: string | undefined;
}

const outcomeOf = async (test: RecordedTest): Promise<TestOutcome> => {
  try {
    await test.body();
    return { name: test.name, failure: undefined };
  } catch (error) {
    return { name: test.name, failure: error instanceof Error ? error.message : String(error) };
  }
};

/**
 * A test framework that records what a suite registers, to run it afterwards as a runner would: one test
 * after another, or all at once. It has hooks too, as runners do, which the suites must leave alone.
 */
const recordingFramework = () => {
  const tests: RecordedTest[] = [];
  const titles: string[] = [];
  const unexpectedHook = (): never => {
    throw new Error('the suite registered a hook: a harness made in one would be shared by the tests a runner runs at once');
  };
  const framework = {
    describe: (name: string, body: () => void): void => {
      titles.push(name);
      body();
      titles.pop();
    },
    it: (name: string, body: () => Promise<void>, timeoutMs: number): void => {
      tests.push({ name: [...titles, name].join(' › '), body, timeoutMs });
    },
    beforeEach: unexpectedHook,
    afterEach: unexpectedHook,
  };
  const runOneByOne = async (): Promise<TestOutcome[]> => {
    const outcomes: TestOutcome[] = [];
    for (const test of tests) outcomes.push(await outcomeOf(test));
    return outcomes;
  };
  const runAtOnce = (): Promise<TestOutcome[]> => Promise.all(tests.map(outcomeOf));
  return { framework, tests, runOneByOne, runAtOnce };
};

const failedOf = (outcomes: readonly TestOutcome[]): TestOutcome[] => outcomes.filter((outcome) => outcome.failure !== undefined);

/** A harness factory over `open` that counts the harnesses it made and those disposed. */
const countingHarnesses = (open: () => EventStoreHarness['store']) => {
  const counts = { created: 0, disposed: 0 };
  const createHarness = (): Promise<EventStoreHarness> => {
    counts.created += 1;
    const store = open();
    return Promise.resolve({
      store,
      dispose: async () => {
        counts.disposed += 1;
        await store.close();
      },
    });
  };
  return { counts, createHarness };
};

/** An event store whose subscriptions never say they caught up: a case waiting for it waits for ever. */
const neverCaughtUp = (): EventStoreHarness['store'] => {
  const inner = new MemoryEventStore();
  return delegatingTo(inner, { subscribe: (options) => inner.subscribe(options).pipe(filter((message) => message.kind !== 'caught-up')) });
};

describe('describeEventStoreContract', () => {
  it('registers every case through the framework it is given, an object with hooks too, grouped, with a runner timeout beyond its own', async () => {
    const { framework, tests, runOneByOne } = recordingFramework();
    const { counts, createHarness } = countingHarnesses(() => new MemoryEventStore());
    describeEventStoreContract('recorded', createHarness, { framework });
    expect(tests.map((t) => t.name)).toEqual(eventStoreContractCases.map((c) => `event store contract: recorded › ${c.group} › ${c.name}`));
    expect(new Set(tests.map((t) => t.timeoutMs))).toEqual(new Set([40_000]));
    expect(counts).toEqual({ created: 0, disposed: 0 });
    expect(failedOf(await runOneByOne())).toEqual([]);
    expect(counts).toEqual({ created: eventStoreContractCases.length, disposed: eventStoreContractCases.length });
  });

  it('gives each case a harness of its own, made and disposed in its test, also when a runner runs them all at once', async () => {
    const { framework, runAtOnce } = recordingFramework();
    const { counts, createHarness } = countingHarnesses(() => new MemoryEventStore());
    describeEventStoreContract('at once', createHarness, { framework });
    expect(failedOf(await runAtOnce())).toEqual([]);
    expect(counts).toEqual({ created: eventStoreContractCases.length, disposed: eventStoreContractCases.length });
  });

  it('fails a case that never ends within caseTimeoutMs, naming it and what it waited for, and disposes its harness', async () => {
    const { framework, tests, runOneByOne } = recordingFramework();
    const { counts, createHarness } = countingHarnesses(neverCaughtUp);
    describeEventStoreContract('hanging', createHarness, { framework, caseTimeoutMs: 200 });
    expect(new Set(tests.map((t) => t.timeoutMs))).toEqual(new Set([10_200]));
    const started = Date.now();
    const failed = failedOf(await runOneByOne());
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(failed).toEqual([
      {
        name: 'event store contract: hanging › append and read a stream › ends its subscriptions when closed, and refuses one made afterwards, rather than leaving either waiting',
        failure:
          'event store contract: hanging › append and read a stream › ends its subscriptions when closed, and refuses one made afterwards, rather than leaving either waiting: ' +
          'did not end within 200 ms (caseTimeoutMs), waiting for a subscription to say it caught up',
      },
      {
        name: 'event store contract: hanging › subscribe › catches up, says so, then delivers live events in order',
        failure:
          'event store contract: hanging › subscribe › catches up, says so, then delivers live events in order: ' +
          'did not end within 200 ms (caseTimeoutMs), waiting for the subscription to say it caught up',
      },
    ]);
    expect(counts).toEqual({ created: eventStoreContractCases.length, disposed: eventStoreContractCases.length });
  });

  it('fails a case whose harness factory does not answer in time, saying so, and disposes the harness when it comes, running nothing on it', async () => {
    const { framework, tests } = recordingFramework();
    const store = new MemoryEventStore();
    let disposed = false;
    const lateHarness = (): Promise<EventStoreHarness> =>
      new Promise((resolve) => {
        const dispose = (): Promise<void> => {
          disposed = true;
          return store.close();
        };
        setTimeout(() => resolve({ store, dispose }), 300);
      });
    describeEventStoreContract('late', lateHarness, { framework, caseTimeoutMs: 100 });
    const [first] = tests;
    await expect(first!.body()).rejects.toThrow(`${first!.name}: did not end within 100 ms (caseTimeoutMs), waiting for its harness from the factory`);
    expect(disposed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(disposed).toBe(true);
    expect(await store.headPosition()).toBeUndefined();
  });

  it('fails a case that waits on a store call that never answers, saying so, and disposes its harness', async () => {
    const { counts, createHarness } = countingHarnesses(() => new MemoryEventStore());
    const neverEnding: ContractCase<EventStoreHarness> = { group: 'g', name: 'never ends', run: () => new Promise<void>(() => undefined) };
    await expect(runContractCase('suite › g › never ends', neverEnding, createHarness, 50)).rejects.toThrow(
      'suite › g › never ends: did not end within 50 ms (caseTimeoutMs), waiting for a call to the store to answer',
    );
    expect(counts).toEqual({ created: 1, disposed: 1 });
  });

  it("reports a case's own failure first when its harness's dispose fails after it, and the dispose's beside it", async () => {
    const failing: ContractCase<EventStoreHarness> = { group: 'g', name: 'fails', run: () => Promise.reject(new AssertionError({ message: 'the store lost an event' })) };
    const failingDispose = (): Promise<EventStoreHarness> => Promise.resolve({ store: new MemoryEventStore(), dispose: () => Promise.reject(new Error('the table is locked')) });
    const thrown: unknown = await runContractCase('suite › g › fails', failing, failingDispose, 1_000).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(AggregateError);
    expect((thrown as AggregateError).message).toBe("suite › g › fails: the case failed, and then so did its harness's dispose: the store lost an event");
    expect((thrown as AggregateError).errors.map((error: Error) => error.message)).toEqual(['the store lost an event', 'the table is locked']);
    const passing: ContractCase<EventStoreHarness> = { group: 'g', name: 'passes', run: () => Promise.resolve() };
    await expect(runContractCase('suite › g › passes', passing, failingDispose, 1_000)).rejects.toThrow('the table is locked');
  });

  it('refuses a caseTimeoutMs that is no whole number of milliseconds a timer can wait', () => {
    const { framework } = recordingFramework();
    for (const caseTimeoutMs of [0, 1.5, Number.NaN, 2 ** 31]) {
      expect(() => describeEventStoreContract('bounded', memoryEventStore, { framework, caseTimeoutMs })).toThrow(RangeError);
    }
  });

  it("fits node:test's describe and it as they are", () => {
    const nodeTestFits: typeof import('node:test') extends TestFramework ? true : false = true;
    expect(nodeTestFits).toBe(true);
  });

  it('without a framework given or the runner globals, throws an Error that says to pass them', () => {
    const scope = globalThis as unknown as Record<string, unknown>;
    const saved = scope['describe'];
    Reflect.deleteProperty(scope, 'describe');
    try {
      expect(() => describeEventStoreContract('no runner', memoryEventStore)).toThrow(
        /describeEventStoreContract: no test framework .*\(no global describe\).*or pass them/,
      );
    } finally {
      scope['describe'] = saved;
    }
  });
});

describe('assertPartialMatch', () => {
  it('accepts fields beside those expected, at any depth', () => {
    expect(() => assertPartialMatch({ a: 1, b: { c: [1, { d: 2, e: 3 }], f: 4 } }, { b: { c: [1, { d: 2 }] } })).not.toThrow();
  });

  it('names the first mismatch by its path: a wrong value, a missing field, an array of another length', () => {
    expect(() => assertPartialMatch({ left: { code: 'A' } }, { left: { code: 'B' } }, 'the failure')).toThrow(
      'the failure: (value).left.code: expected "B", found "A"',
    );
    expect(() => assertPartialMatch({ code: 'A' }, { code: 'A', actual: undefined })).toThrow('(value).actual: missing, expected undefined');
    expect(() => assertPartialMatch([{ id: 1 }, { id: 2 }], [{ id: 1 }])).toThrow('(value): expected 1 elements, found 2');
    expect(() => assertPartialMatch(undefined, { id: 1 })).toThrow('(value): expected an object, found undefined');
  });

  it('takes no inherited field for one expected', () => {
    expect(() => assertPartialMatch(Object.create({ code: 'A' }), { code: 'A' })).toThrow('(value).code: missing, expected "A"');
  });

  it('matches objects and arrays of another realm', () => {
    expect(() => assertPartialMatch(runInNewContext('({ list: [1, { a: 2 }], b: 3 })'), { list: [1, { a: 2 }] })).not.toThrow();
  });
});

describe('assertStructurallyEqual', () => {
  it('accepts the same JSON made in another realm, which deepStrictEqual refuses for its prototypes', () => {
    expect(() => assertStructurallyEqual(runInNewContext('({ list: [1, "two", null, { deep: [] }], n: -0.5 })'), { list: [1, 'two', null, { deep: [] }], n: -0.5 })).not.toThrow();
  });

  it('names the first difference by its path: a field not expected, a missing one, a value, a length, an array for an object', () => {
    expect(() => assertStructurallyEqual({ a: 1, b: 2 }, { a: 1 })).toThrow('(value).b: not expected, found 2');
    expect(() => assertStructurallyEqual({ a: 1 }, { a: 1, b: undefined })).toThrow('(value).b: missing, expected undefined');
    expect(() => assertStructurallyEqual({ list: [{ 'odd key': 1 }] }, { list: [{ 'odd key': 2 }] })).toThrow('(value).list[0]["odd key"]: expected 2, found 1');
    expect(() => assertStructurallyEqual([1, 2], [1])).toThrow('(value): expected 1 elements, found 2: [1,2]');
    expect(() => assertStructurallyEqual([], {})).toThrow('(value): expected an object, found []');
    expect(() => assertStructurallyEqual({ length: 0 }, [])).toThrow('(value): expected an array, found {"length":0}');
  });

  it('compares leaves with Object.is, and says what a value given a message is when the value itself differs', () => {
    expect(() => assertStructurallyEqual(Number.NaN, Number.NaN)).not.toThrow();
    expect(() => assertStructurallyEqual(-0, 0)).toThrow('(value): expected 0, found 0');
    expect(() => assertStructurallyEqual(undefined, 'INVALID_QUERY', 'the code of a query with a limit of 0')).toThrow(
      'the code of a query with a limit of 0: expected "INVALID_QUERY", found undefined',
    );
    expect(() => assertStructurallyEqual({ code: 'A' }, { code: 'B' }, 'the failure')).toThrow('the failure: (value).code: expected "B", found "A"');
  });

  it('throws an AssertionError', () => {
    expect(() => assertStructurallyEqual(1, 2)).toThrow(AssertionError);
  });
});
