import { PassThrough } from 'node:stream';
import { defaultEventSources } from '../../src/cli/event-sources';
import { defaultImportTargets } from '../../src/cli/import-targets';
import { runCli } from '../../src/cli/main';
import { noProjections } from '../../src/cli/projection-registry';
import { defaultReadModels } from '../../src/cli/read-models';

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

describe('the CLI on a host without the database drivers', () => {
  const stderrOf = async (source: string): Promise<{ readonly code: number; readonly written: string }> => {
    const stderr = new PassThrough();
    let written = '';
    stderr.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
    const code = await runCli(['verify', '--source', source], {
      stdout: new PassThrough(),
      stderr,
      env: {},
      cwd: process.cwd(),
      sources: defaultEventSources,
      targets: defaultImportTargets,
      projections: noProjections,
      readModels: defaultReadModels,
    });
    return { code, written };
  };

  it('says in one line that postgres:// needs pg and how to install it, without the require stack', async () => {
    expect(await stderrOf('postgres://postgres@127.0.0.1:5432/test')).toEqual({
      code: 1,
      written: 'ordersource: cannot open the source postgres://postgres@127.0.0.1:5432/test: postgres:// needs the pg package, which is not installed here: npm install pg\n',
    });
  });

  it('says what is missing, not that the driver is, when something the driver needs is not installed', async () => {
    jest.resetModules();
    jest.doMock('pg', () => {
      throw notInstalled('pg-types');
    });
    const { runCli: run } = await import('../../src/cli/main');
    const stderr = new PassThrough();
    let written = '';
    stderr.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
    const context = { stdout: new PassThrough(), stderr, env: {}, cwd: process.cwd(), sources: defaultEventSources, targets: defaultImportTargets, projections: noProjections, readModels: defaultReadModels };
    expect(await run(['verify', '--source', 'postgres://postgres@127.0.0.1:5432/test'], context)).toBe(1);
    expect(written).toMatch(/^ordersource: cannot open the source postgres:\/\/postgres@127\.0\.0\.1:5432\/test: Cannot find module 'pg-types'.* \(postgres:\/\/ needs the pg package\)\n$/);
  });

  it('says the same of esdb:// and its client', async () => {
    expect(await stderrOf('esdb://127.0.0.1:2113?tls=false')).toEqual({
      code: 1,
      written:
        'ordersource: cannot open the source esdb://127.0.0.1:2113?tls=false: esdb:// needs the @eventstore/db-client package, which is not installed here: npm install @eventstore/db-client\n',
    });
  });
});
