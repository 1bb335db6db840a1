// Runs the installed package's adapter contract cases against its own in-memory stores, with no test runner
// at all: the suites must need nothing from jest, and describe…Contract, finding no runner, must say so.
import { MemoryEventStore, MemoryReadModelStore } from 'ordersource';
import { describeEventStoreContract, eventStoreContractCases, readModelStoreContractCases } from 'ordersource/testing';

const failures = [];
const runAll = async (cases, createStore) => {
  for (const contractCase of cases) {
    const store = createStore();
    try {
      await contractCase.run({ store, dispose: () => store.close() });
    } catch (error) {
      failures.push(`${contractCase.group} › ${contractCase.name}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await store.close();
    }
  }
};
await runAll(eventStoreContractCases, () => new MemoryEventStore());
await runAll(readModelStoreContractCases, () => new MemoryReadModelStore());
if (failures.length > 0) throw new Error(`contract cases failed:\n${failures.join('\n')}`);

// Registered as a runner would have them, with the options object and a framework of two functions: every
// case passes, each on a store of its own that is closed after it.
const registered = [];
const titles = [];
const framework = {
  describe: (name, body) => {
    titles.push(name);
    body();
    titles.pop();
  },
  it: (name, body) => registered.push({ name: [...titles, name].join(' › '), body }),
};
let open = 0;
describeEventStoreContract(
  'registered',
  async () => {
    const store = new MemoryEventStore();
    open += 1;
    const dispose = async () => {
      open -= 1;
      await store.close();
    };
    return { store, dispose };
  },
  { framework, caseTimeoutMs: 10_000 },
);
for (const test of registered) {
  try {
    await test.body();
  } catch (error) {
    failures.push(`${test.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
if (registered.length !== eventStoreContractCases.length || open !== 0 || failures.length > 0) {
  throw new Error(`describeEventStoreContract registered ${registered.length} tests, left ${open} stores open, failed:\n${failures.join('\n')}`);
}

let refusal;
try {
  describeEventStoreContract('no runner', () => Promise.reject(new Error('never called')));
} catch (error) {
  refusal = error;
}
if (!(refusal instanceof Error) || !/pass them/.test(refusal.message)) {
  throw new Error(`describeEventStoreContract without a runner did not throw saying to pass one: ${String(refusal)}`);
}
console.log(
  `contract cases: ${eventStoreContractCases.length} event-store and ${readModelStoreContractCases.length} read-model cases passed on the in-memory stores, ` +
    `with no test runner, and the event-store cases again as registered through describeEventStoreContract`,
);
