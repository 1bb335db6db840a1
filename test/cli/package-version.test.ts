import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageVersion } from '../../src/cli/package-version';

describe("the CLI's version", () => {
  it('is that of the first package.json named ordersource above the compiled CLI, past the build markers', () => {
    const root = mkdtempSync(join(tmpdir(), 'ordersource-version-'));
    const cli = join(root, 'dist', 'cjs', 'cli');
    mkdirSync(cli, { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'ordersource', version: '9.8.7' }));
    writeFileSync(join(root, 'dist', 'package.json'), JSON.stringify({ name: 'not-ordersource', version: '0.0.1' }));
    writeFileSync(join(root, 'dist', 'cjs', 'package.json'), JSON.stringify({ type: 'commonjs' }));
    expect(packageVersion(cli)).toBe('9.8.7');
  });

  it('is unknown where no ordersource package.json is found', () => {
    expect(packageVersion(mkdtempSync(join(tmpdir(), 'ordersource-none-')))).toBe('unknown');
  });
});
