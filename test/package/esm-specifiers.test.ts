import * as E from 'fp-ts/Either';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { esmSpecifier, ModuleProbe, nodeModuleProbe, rewriteEsmTree, rewriteSpecifiers } from '../../scripts/esm-specifiers';

const fakeDisk = (
  files: readonly string[],
  packages: Readonly<Record<string, { directory: string; hasExports: boolean; resolves?: Readonly<Record<string, string>> }>> = {},
): ModuleProbe => ({
  isFile: (filePath) => files.includes(filePath),
  findPackage: (name) => packages[name],
  resolveCommonJs: (specifier) => Object.values(packages).find((entry) => entry.resolves?.[specifier] !== undefined)?.resolves?.[specifier],
});

const rewrite = (fileName: string, text: string, probe: ModuleProbe) =>
  rewriteSpecifiers(fileName, text, (specifier) => esmSpecifier(specifier, fileName, probe));

describe('completing specifiers for Node ES modules', () => {
  const disk = fakeDisk(['/d/a.js', '/d/a.d.ts', '/d/dir/index.js', '/d/dir/index.d.ts', '/d/both.js', '/d/both/index.js', '/index.js', '/d/only-js.js'], {
    'fp-ts': { directory: '/nm/fp-ts', hasExports: false, resolves: { 'fp-ts/Either': '/nm/fp-ts/lib/Either.js' } },
    '@scope/tool': { directory: '/nm/@scope/tool', hasExports: false, resolves: { '@scope/tool/sub': '/nm/@scope/tool/dist/sub.js' } },
    rxjs: { directory: '/nm/rxjs', hasExports: true },
  });

  it('adds .js to a relative file and /index.js to a relative directory', () => {
    const result = rewrite('/d/main.js', "import { a } from './a';\nexport * from './dir';\nexport * from './dir/';\nexport { b } from '../index';\n", disk);
    expect(result.problems).toEqual([]);
    expect(result.text).toBe("import { a } from './a.js';\nexport * from './dir/index.js';\nexport * from './dir/index.js';\nexport { b } from '../index.js';\n");
  });

  it('turns the parent directory itself into its index file', () => {
    expect(rewrite('/d/main.js', "import { root } from '..';\n", disk)).toEqual({ text: "import { root } from '../index.js';\n", problems: [] });
  });

  it('prefers a file over a directory of the same name, as CommonJS resolution did', () => {
    expect(rewrite('/d/main.js', "import './both';", disk).text).toBe("import './both.js';");
  });

  it('rewrites dynamic imports, import() types and re-exported namespaces, keeping the quote style', () => {
    const text = 'export * as ns from "./a";\nexport type T = import("./dir").T;\nconst later = () => import("./a");\n';
    expect(rewrite('/d/main.d.ts', text, disk).text).toBe('export * as ns from "./a.js";\nexport type T = import("./dir/index.js").T;\nconst later = () => import("./a.js");\n');
  });

  it('requires a declaration file to point at emitted declarations, not at JavaScript alone', () => {
    const result = rewrite('/d/main.d.ts', "import type { X } from './only-js';", disk);
    expect(result.problems).toEqual(["/d/main.d.ts: './only-js' names no emitted module"]);
  });

  it('reports a relative specifier that names nothing instead of passing it through', () => {
    expect(rewrite('/d/main.js', "import { gone } from './gone';", disk).problems).toEqual(["/d/main.js: './gone' names no emitted module"]);
  });

  it('leaves explicit extensions, bare packages, built-ins and packages with an exports map alone', () => {
    const text = "import './a.js';\nimport * as t from 'io-ts';\nimport { randomUUID } from 'node:crypto';\nimport { readFile } from 'fs/promises';\nimport { map } from 'rxjs/operators';\n";
    expect(rewrite('/d/main.js', text, disk)).toEqual({ text, problems: [] });
  });

  it('points a subpath of a package without an exports map at the file CommonJS resolution chose', () => {
    const text = "import * as E from 'fp-ts/Either';\nimport { sub } from '@scope/tool/sub';\n";
    expect(rewrite('/d/main.js', text, disk).text).toBe("import * as E from 'fp-ts/lib/Either.js';\nimport { sub } from '@scope/tool/dist/sub.js';\n");
  });

  it('reports a package subpath whose package is not installed', () => {
    expect(rewrite('/d/main.js', "import { x } from 'absent/sub';", disk).problems).toEqual(["/d/main.js: package 'absent' (for 'absent/sub') is not installed"]);
  });

  it('never touches strings, comments or CommonJS calls that only look like imports', () => {
    const text = "// import { a } from './a';\nconst path = './a';\nconst text = \"from './a'\";\nrequire('./a');\n";
    expect(rewrite('/d/main.js', text, fakeDisk([]))).toEqual({ text, problems: [] });
  });
});

describe('the real disk', () => {
  it('maps fp-ts subpaths (no exports map) to their CommonJS files and leaves rxjs (exports map) alone', () => {
    const here = path.join(__dirname, 'file.js');
    expect(esmSpecifier('fp-ts/Either', here, nodeModuleProbe)).toEqual(E.right('fp-ts/lib/Either.js'));
    expect(esmSpecifier('rxjs/operators', here, nodeModuleProbe)).toEqual(E.right('rxjs/operators'));
  });

  it('rewrites a whole emitted tree in place and reports what it cannot resolve', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'esm-specifiers-'));
    try {
      fs.mkdirSync(path.join(directory, 'engine'));
      fs.writeFileSync(path.join(directory, 'index.js'), "export * from './engine';\n");
      fs.writeFileSync(path.join(directory, 'index.d.ts'), "export * from './engine';\n");
      fs.writeFileSync(path.join(directory, 'engine', 'index.js'), "export { clock } from './clock';\nexport { gone } from './gone';\n");
      fs.writeFileSync(path.join(directory, 'engine', 'index.d.ts'), 'export {};\n');
      fs.writeFileSync(path.join(directory, 'engine', 'clock.js'), 'export const clock = 1;\n');
      fs.writeFileSync(path.join(directory, 'engine', 'clock.js.map'), "{\"note\":\"from './clock'\"}");

      const problems = rewriteEsmTree(directory, nodeModuleProbe);

      expect(problems).toEqual([`${path.join(directory, 'engine', 'index.js')}: './gone' names no emitted module`]);
      expect(fs.readFileSync(path.join(directory, 'index.js'), 'utf8')).toBe("export * from './engine/index.js';\n");
      expect(fs.readFileSync(path.join(directory, 'index.d.ts'), 'utf8')).toBe("export * from './engine/index.js';\n");
      expect(fs.readFileSync(path.join(directory, 'engine', 'index.js'), 'utf8')).toBe("export { clock } from './clock.js';\nexport { gone } from './gone';\n");
      expect(fs.readFileSync(path.join(directory, 'engine', 'clock.js.map'), 'utf8')).toBe("{\"note\":\"from './clock'\"}");
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
