import { PassThrough } from 'node:stream';
import { defaultEventSources } from '../../src/cli/event-sources';
import { defaultImportTargets } from '../../src/cli/import-targets';
import { runCli } from '../../src/cli/main';
import { noProjections } from '../../src/cli/projection-registry';
import { defaultReadModels } from '../../src/cli/read-models';

// As on a host that installed ordersource without its optional peer: requiring pg fails as Node's does.
jest.mock('pg', () => {
  throw Object.assign(new Error("Cannot find module 'pg'\nRequire stack:\n- /app/node_modules/ordersource/dist/cjs/cli/postgres-locations.js\n- /app/node_modules/ordersource/bin/ordersource.js"), {
    code: 'MODULE_NOT_FOUND',
  });
});

describe('the CLI on a host without the pg package', () => {
  it('says in one line that postgres:// needs it and how to install it, without the require stack', async () => {
    const stderr = new PassThrough();
    let written = '';
    stderr.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
    const code = await runCli(['verify', '--source', 'postgres://postgres@127.0.0.1:5432/test'], {
      stdout: new PassThrough(),
      stderr,
      env: {},
      cwd: process.cwd(),
      sources: defaultEventSources,
      targets: defaultImportTargets,
      projections: noProjections,
      readModels: defaultReadModels,
    });
    expect(code).toBe(1);
    expect(written).toBe('ordersource: cannot open the source postgres://postgres@127.0.0.1:5432/test: postgres:// needs the pg package, which is not installed here: npm install pg\n');
  });
});
