import * as E from 'fp-ts/Either';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryReadModelStore } from '../../src/adapters/read-model/memory/memory-read-model-store';
import type { CliContext } from '../../src/cli/cli-context';
import { EventSourceRegistry, openFileSource } from '../../src/cli/event-sources';
import { builtInProjections } from '../../src/cli/projection-registry';
import { ReadModelRegistry } from '../../src/cli/read-models';
import { HostSchemaFiles, hostSchemasModule, writeHostSchemaFiles } from './host-schemas-fixtures';
import { runBin } from './cli-fixtures';
import { Captured, runCliCaptured } from './in-process-cli';

describe('--schemas: the host event schemas the CLI reads with', () => {
  let files: HostSchemaFiles;

  const cli = (argv: readonly string[], overrides: Partial<CliContext> = {}): Promise<Captured> =>
    runCliCaptured(argv, { cwd: files.dir, projections: builtInProjections, ...overrides });

  const source = ['--source', 'file:host-events.ndjson'];
  const module = (name: string, text: string): string => {
    writeFileSync(join(files.dir, name), text);
    return `./${name}`;
  };

  beforeAll(async () => {
    files = await writeHostSchemaFiles();
  });

  it("audits a stream the host's engine wrote at its own versions only with the host's schemas", async () => {
    const without = await cli(['audit', 'cart-old', ...source]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/^ordersource: .*cart-old.*customerId/);

    const withSchemas = await cli(['audit', 'cart-old', ...source, '--schemas', './host-schemas.js', '--json']);
    expect(withSchemas).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(withSchemas.stdout)).toMatchObject({
      streamId: 'cart-old',
      aggregate: 'cart',
      revision: 1,
      // CartOpened v1 upcast by the host's upcaster, CartItemAdded v1 by the engine's own it keeps.
      state: { status: 'open', customerId: 'alice', lines: [{ sku: 'kettle-iron', category: 'uncategorised' }] },
    });
  });

  it("reads an event at the host's newer version only with the host's schemas", async () => {
    const without = await cli(['audit', 'cart-new', ...source]);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('CartOpened v2 is newer');
    const withSchemas = await cli(['audit', 'cart-new', ...source, '--schemas', 'host-schemas.js', '--json']);
    expect(withSchemas.code).toBe(0);
    expect(JSON.parse(withSchemas.stdout)).toMatchObject({ state: { status: 'open', customerId: 'bob' } });
  });

  it('shows a timeline with every event read, where the engine alone cannot read them', async () => {
    const without = await cli(['timeline', 'cart-old', ...source, '--json']);
    expect(without.code).toBe(0);
    const unread = JSON.parse(without.stdout) as { events: { type: string; readable: boolean; summary: string }[] };
    expect(unread.events.map((e) => [e.type, e.readable])).toEqual([
      ['CartOpened', false],
      ['CartItemAdded', true],
    ]);

    const withSchemas = await cli(['timeline', 'cart-old', ...source, '--schemas', './host-schemas.js', '--json']);
    expect(withSchemas).toMatchObject({ code: 0, stderr: '' });
    const read = JSON.parse(withSchemas.stdout) as { events: { type: string; readable: boolean; summary: string }[] };
    expect(read.events.map((e) => [e.type, e.readable])).toEqual([
      ['CartOpened', true],
      ['CartItemAdded', true],
    ]);
    expect(read.events[0]?.summary).toContain('alice');

    const table = await cli(['timeline', 'cart-new', ...source, '--schemas', './host-schemas.js']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/CartOpened v2 .*bob/);
  });

  it("rebuilds a projection with the host's schemas: every event applies, with its upcast data", async () => {
    const kept = new MemoryReadModelStore();
    const readModels: ReadModelRegistry = new Map([['memory:', () => Promise.resolve(E.right({ store: kept, close: () => Promise.resolve() }))]]);

    const without = await cli(['rebuild', 'analytics', ...source], { readModels });
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/^ordersource: .*CartOpened/);

    const withSchemas = await cli(['rebuild', 'analytics', ...source, '--schemas', './host-schemas.js', '--json'], { readModels });
    expect(withSchemas).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(withSchemas.stdout)).toMatchObject({ projection: 'analytics', eventsRead: 2, collections: { carts: { documents: 2 } } });
    const version = { projection: 'analytics', version: (JSON.parse(withSchemas.stdout) as { version: number }).version };
    const cart = await kept.get(version, 'carts', 'old');
    expect(cart).toEqual(E.right(expect.objectContaining({ document: expect.objectContaining({ cartId: 'old', customerId: 'alice' }) })));
  });

  it('takes the module from $ORDERSOURCE_SCHEMAS, where --schemas wins; an empty one is none', async () => {
    const fromEnv = await cli(['audit', 'cart-old', ...source, '--json'], { env: { ORDERSOURCE_SCHEMAS: 'host-schemas.js' } });
    expect(fromEnv.code).toBe(0);
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ state: { customerId: 'alice' } });

    const overridden = await cli(['audit', 'cart-old', ...source, '--schemas', './host-schemas.js'], { env: { ORDERSOURCE_SCHEMAS: 'missing.js' } });
    expect(overridden.code).toBe(0);

    const badEnv = await cli(['timeline', 'cart-old', ...source], { env: { ORDERSOURCE_SCHEMAS: 'missing.js' } });
    expect(badEnv).toEqual({ code: 2, stdout: '', stderr: `ordersource: cannot load $ORDERSOURCE_SCHEMAS missing.js: no such file (looked for ${join(files.dir, 'missing.js')})\n` });

    const emptyEnv = await cli(['audit', 'cart-old', ...source], { env: { ORDERSOURCE_SCHEMAS: '' } });
    expect(emptyEnv.code).toBe(1);
  });

  it('accepts the schemas as module.exports itself and as an ES default export compiled to CommonJS', async () => {
    const whole = module('whole.js', hostSchemasModule((schemas) => `module.exports = ${schemas};`));
    const compiled = module('compiled.js', hostSchemasModule((schemas) => `Object.defineProperty(exports, '__esModule', { value: true });\nexports.default = ${schemas};`));
    for (const path of [whole, compiled]) {
      const result = await cli(['audit', 'cart-new', ...source, '--schemas', path, '--json']);
      expect({ path, code: result.code, stderr: result.stderr }).toEqual({ path, code: 0, stderr: '' });
    }
  });

  describe('a module that cannot be used: bad usage, exit 2, in one line naming it, before anything is opened', () => {
    let opened: string[];
    const counting: EventSourceRegistry = new Map([
      [
        'file:',
        (url, context) => {
          opened.push(url);
          return openFileSource(url, context);
        },
      ],
    ]);
    const readModels: ReadModelRegistry = new Map([
      [
        'memory:',
        () => {
          opened.push('read model');
          return Promise.resolve(E.right({ store: new MemoryReadModelStore(), close: () => Promise.resolve() }));
        },
      ],
    ]);

    beforeEach(() => {
      opened = [];
    });

    const refused = async (schemas: string, message: string | RegExp): Promise<void> => {
      for (const argv of [
        ['audit', 'cart-old'],
        ['timeline', 'cart-old'],
        ['rebuild', 'analytics'],
      ]) {
        const result = await cli([...argv, ...source, '--schemas', schemas], { sources: counting, readModels });
        expect({ argv, code: result.code, stdout: result.stdout }).toEqual({ argv, code: 2, stdout: '' });
        if (typeof message === 'string') expect(result.stderr).toBe(`ordersource: ${message}\n`);
        else expect(result.stderr).toMatch(message);
        expect(result.stderr.trimEnd()).not.toContain('\n');
      }
      expect(opened).toEqual([]);
    };

    it('a path to nothing, a directory, an empty path', async () => {
      await refused('./nope.js', `cannot load --schemas ./nope.js: no such file (looked for ${join(files.dir, 'nope.js')})`);
      await refused('~/schemas.js', `cannot load --schemas ~/schemas.js: no such file (looked for ${join(files.dir, '~', 'schemas.js')})`);
      await refused('config', 'cannot load --schemas config: not a file');
      await refused('', '--schemas names no module: the path is empty');
    });

    it('a module that throws while it loads, or does not parse, or requires what is not there', async () => {
      await refused(module('throws.js', "throw new Error('no schemas\\ntoday');"), 'cannot load --schemas ./throws.js: loading it threw: no schemas today');
      await refused(module('garbled.js', 'exports.schemas = {;'), /^ordersource: cannot load --schemas \.\/garbled\.js: loading it threw: SyntaxError: /);
      // A parser's own syntax error, whose message ends in a place of its own, is told once.
      await refused(
        module('parser.js', "throw new SyntaxError('JSON5: invalid character at 1:2');"),
        'cannot load --schemas ./parser.js: loading it threw: SyntaxError: JSON5: invalid character at 1:2',
      );
      await refused(module('needs.js', "require('ordersource-not-installed');"), /^ordersource: cannot load --schemas \.\/needs\.js: loading it threw: .*Cannot find module 'ordersource-not-installed'/);
    });

    it('a module that exports no event schemas', async () => {
      const hint = 'export eventSchemas(...) as schemas or as the default export';
      await refused(module('number.js', 'exports.schemas = 42;'), `--schemas ./number.js exports no event schemas: its export schemas is 42; ${hint}`);
      await refused(module('nothing.js', '// forgot the export'), `--schemas ./nothing.js exports no event schemas: module.exports is an object without the currentVersion and upcast functions eventSchemas(...) gives; ${hint}`);
      await refused(
        module('definitions.js', hostSchemasModule(() => `module.exports = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'engine', 'schema', 'current-event-schemas'))}).eventSchemaDefinitions;`)),
        `--schemas ./definitions.js exports no event schemas: module.exports is event schema definitions, not schemas: pass them through eventSchemas(...); ${hint}`,
      );
      await refused(
        module('promise.js', 'exports.schemas = Promise.resolve({});'),
        `--schemas ./promise.js exports no event schemas: its export schemas is a Promise (the CLI takes schemas built when the module loads, not awaited); ${hint}`,
      );
      await refused(
        module('version.js', 'exports.schemas = { currentVersion: (type) => (type === "OrderPaid" ? 0 : 1), upcast: () => ({ _tag: "Left", left: "none" }) };'),
        `--schemas ./version.js exports no event schemas: its export schemas is schemas whose currentVersion("OrderPaid") is 0, not a whole number from 1 to 2147483647; ${hint}`,
      );
      await refused(
        module('throwing-version.js', 'exports.schemas = { currentVersion: () => { throw new Error("not today"); }, upcast: () => undefined };'),
        `--schemas ./throwing-version.js exports no event schemas: its export schemas is schemas whose currentVersion("CartOpened") throws: not today; ${hint}`,
      );
      await refused(
        module('getter.js', 'Object.defineProperty(exports, "schemas", { enumerable: true, get() { throw new Error("not built yet"); } });'),
        '--schemas ./getter.js exports no event schemas: reading its exports threw: not built yet',
      );
    });
  });

  it('reads with the very versions the module gave when it was checked, though its currentVersion answers otherwise or throws afterwards', async () => {
    for (const [name, later] of [
      ['moody.js', 'return 1;'],
      ['weary.js', 'throw new Error("asked too often");'],
    ] as const) {
      const changing = module(
        name,
        hostSchemasModule(
          (schemas) =>
            `const real = ${schemas};\nconst asked = new Set();\n` +
            `exports.schemas = { currentVersion: (type) => { if (asked.has(type)) { ${later} } asked.add(type); return real.currentVersion(type); }, upcast: (envelope) => real.upcast(envelope) };`,
        ),
      );
      const result = await cli(['audit', 'cart-old', ...source, '--schemas', changing, '--json']);
      expect({ name, code: result.code, stderr: result.stderr }).toEqual({ name, code: 0, stderr: '' });
    }
  });

  it("makes an event unreadable, not the run crash, where a hand-built schemas' upcast answers no Either", async () => {
    const odd = module('odd.js', 'exports.schemas = { currentVersion: (type) => (type === "CartOpened" ? 2 : 1), upcast: () => "upcast" };');
    const result = await cli(['timeline', 'cart-old', ...source, '--schemas', odd, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ events: [{ readable: false, summary: expect.stringContaining('upcast answered "upcast", not an Either') }, {}] });
  });

  it('is refused, exit 2, by the commands that read no event data, rather than seem to obey it; its variable they pass over', async () => {
    for (const argv of [['verify'], ['export', '--out', 'copy.ndjson'], ['import', 'host-events.ndjson', '--to', 'file:copy.ndjson']]) {
      const withSource = argv[0] === 'import' ? argv : [...argv, ...source];
      const result = await cli([...withSource, '--schemas', './host-schemas.js']);
      const stderr = `ordersource: ${argv[0] ?? ''} reads no event's data, so it takes no --schemas: only audit, timeline and rebuild read with the host's event schemas\n`;
      expect({ argv, result }).toEqual({ argv, result: { code: 2, stdout: '', stderr } });
    }
    const verified = await cli(['verify', ...source], { env: { ORDERSOURCE_SCHEMAS: 'missing.js' } });
    expect(verified.code).toBe(0);
  });

  it('is in the help of the commands that take it, with an example module, and not in the others', async () => {
    for (const command of ['audit', 'timeline', 'rebuild']) {
      const help = await cli(['help', command]);
      expect({ command, code: help.code }).toEqual({ command, code: 0 });
      expect(help.stdout).toMatch(/\n  --schemas <module>\s+a JavaScript module exporting\s+the\s+host's\s+eventSchemas\(\.\.\.\)/);
      expect(help.stdout).toContain("exports.schemas = eventSchemas({\n    ...eventSchemaDefinitions,\n");
    }
    for (const command of ['verify', 'export', 'import']) expect((await cli(['help', command])).stdout).not.toContain('--schemas <module>');
  });

  it('loads the module with the real executable: CommonJS, and an ES module on this Node; an ES module with top-level await is refused', async () => {
    const esm = module('esm-schemas.mjs', "import host from './host-schemas.js';\nexport default host.schemas;\n");
    const named = module('named-schemas.mjs', "import host from './host-schemas.js';\nexport const schemas = host.schemas;\n");
    const awaited = module('awaited.mjs', "import host from './host-schemas.js';\nexport const schemas = await Promise.resolve(host.schemas);\n");
    for (const path of ['./host-schemas.js', esm, named]) {
      const run = await runBin(['audit', 'cart-old', ...source, '--schemas', path, '--json'], { cwd: files.dir });
      expect({ path, code: run.code, stderr: run.stderr }).toEqual({ path, code: 0, stderr: '' });
      expect(JSON.parse(run.stdout)).toMatchObject({ state: { customerId: 'alice' } });
    }
    const refusedRun = await runBin(['timeline', 'cart-old', ...source, '--schemas', awaited], { cwd: files.dir });
    expect(refusedRun).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ordersource: cannot load --schemas ./awaited.mjs: an ES module with top-level await cannot be required; build the schemas without await, or write the module as CommonJS (.cjs)\n',
    });
    // Node's message for a missing module goes on with its require stack, one path a line: left out.
    const needs = module('needs-missing.js', "require('ordersource-not-installed');");
    const missingDependency = await runBin(['audit', 'cart-old', ...source, '--schemas', needs], { cwd: files.dir });
    expect(missingDependency).toEqual({ code: 2, stdout: '', stderr: "ordersource: cannot load --schemas ./needs-missing.js: loading it threw: Cannot find module 'ordersource-not-installed'\n" });
    // A syntax error is named with its file and line, which may be a file the module requires.
    module('garbled-part.js', '\nexports.part = {;');
    const garbled = module('requires-garbled.js', "exports.schemas = require('./garbled-part.js');");
    const syntaxError = await runBin(['audit', 'cart-old', ...source, '--schemas', garbled], { cwd: files.dir });
    expect(syntaxError).toEqual({
      code: 2,
      stdout: '',
      stderr: `ordersource: cannot load --schemas ./requires-garbled.js: loading it threw: SyntaxError: Unexpected token ';' (${join(files.dir, 'garbled-part.js')}:2)\n`,
    });
  });
});
