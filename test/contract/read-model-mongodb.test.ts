import { MongoClient } from 'mongodb';
import { MongoReadModelStore } from '../../src/adapters/read-model/mongodb/mongodb-read-model-store';
import { describeReadModelStoreContract } from '../../src/testing';

/*
 * The shared contract suite against a real MongoDB server, reached at MONGODB_URL, in a database of its own
 * that is dropped afterwards. Without MONGODB_URL nothing runs: the suite is reported as skipped, never as
 * passed. (Without a server, test/adapters/mongodb/ checks the adapter's commands with mingo.)
 */

const url = process.env['MONGODB_URL'];
const NOT_RUN = 'MongoDB read-model contract suite NOT RUN against a real server: MONGODB_URL is not set';

if (url === undefined || url === '') {
  process.stderr.write(`${NOT_RUN}\n`);
  describe('read-model store contract: MongoDB (real server)', () => {
    it.skip(`${NOT_RUN} — set it, e.g. MONGODB_URL=mongodb://127.0.0.1:27017, to run it`, () => undefined);
  });
} else {
  const databaseName = `ordersource_contract_${process.pid}_${Date.now().toString(36)}`;
  let client: MongoClient | undefined;
  const connected = async (): Promise<MongoClient> => {
    if (client === undefined) {
      client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
      await client.connect();
    }
    return client;
  };

  afterAll(async () => {
    if (client === undefined) return;
    await client.db(databaseName).dropDatabase();
    await client.close();
  });

  describeReadModelStoreContract(`MongoDB at MONGODB_URL (database ${databaseName}, dropped afterwards)`, async () => {
    const store = new MongoReadModelStore((await connected()).db(databaseName));
    return { store, dispose: () => store.close() };
  });
}
