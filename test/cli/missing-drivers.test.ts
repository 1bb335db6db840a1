import { runCliCaptured } from './in-process-cli';

// As on a host that installed ordersource without its optional peers: requiring a driver fails as Node's does.
const notInstalled = (name: string): Error =>
  Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- /app/node_modules/ordersource/dist/cjs/cli/main.js\n- /app/node_modules/ordersource/bin/ordersource.js`), {
    code: 'MODULE_NOT_FOUND',
  });
jest.mock('pg', () => {
  throw notInstalled('pg');
});
jest.mock('@eventstore/db-client', () => {
  throw notInstalled('@eventstore/db-client');
});

const POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

describe('the CLI on a host without the database drivers', () => {
  it('says in one line that postgres:// needs pg and how to install it, without the require stack', async () => {
    expect(await runCliCaptured(['verify', '--source', POSTGRES])).toEqual({
      code: 1,
      stdout: '',
      stderr: `ordersource: cannot open the source ${POSTGRES}: postgres:// needs the pg package, which is not installed here: npm install pg\n`,
    });
  });

  it('says the same of esdb:// and its client', async () => {
    const source = 'esdb://127.0.0.1:2113?tls=false';
    expect(await runCliCaptured(['verify', '--source', source])).toEqual({
      code: 1,
      stdout: '',
      stderr: `ordersource: cannot open the source ${source}: esdb:// needs the @eventstore/db-client package, which is not installed here: npm install @eventstore/db-client\n`,
    });
  });

  it('says what is missing, not that the driver is, when something the driver needs is not installed', async () => {
    jest.resetModules();
    jest.doMock('pg', () => {
      throw notInstalled('pg-types');
    });
    const { runCliCaptured: run } = await import('./in-process-cli');
    const result = await run(['verify', '--source', POSTGRES]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ordersource: cannot open the source postgres:\/\/postgres@127\.0\.0\.1:5432\/test: Cannot find module 'pg-types'.* \(postgres:\/\/ needs the pg package\)\n$/);
  });
});
