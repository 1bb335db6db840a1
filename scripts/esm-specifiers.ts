/**
 * Node's ES module loader only follows complete specifiers: `./engine/clock.js`, never `./engine/clock`
 * or a directory, and never a package subpath such as `fp-ts/Either` that the package does not declare in
 * an `exports` map. The source is written for CommonJS resolution, so after tsc has emitted `dist/esm` this
 * rewrites every module specifier in the emitted `.js` and `.d.ts` files to the file it names there.
 *
 * Specifiers are found with TypeScript's own parser, so look-alike strings are never touched, and each one
 * is checked against what was actually emitted or installed: a specifier that names nothing fails the build
 * instead of failing a consumer at run time.
 */
import * as E from 'fp-ts/Either';
import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import * as ts from 'typescript';

/** What the resolver needs to know about the disk, injected so that the rules can be tested in isolation. */
export interface ModuleProbe {
  isFile(filePath: string): boolean;
  /** The installed package `name` as seen from `fromDir`: its real directory and whether it has an `exports` map. */
  findPackage(name: string, fromDir: string): { readonly directory: string; readonly hasExports: boolean } | undefined;
  /** Where CommonJS resolution (the one the specifier was written for) takes `specifier` from `fromDir`. */
  resolveCommonJs(specifier: string, fromDir: string): string | undefined;
}

const isRelative = (specifier: string): boolean =>
  specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../');

const hasExplicitExtension = (specifier: string): boolean => /\.(?:[cm]?js|json)$/.test(specifier);

const packageNameOf = (specifier: string): string => {
  const segments = specifier.split('/');
  return (specifier.startsWith('@') ? segments.slice(0, 2) : segments.slice(0, 1)).join('/');
};

const toPosix = (filePath: string): string => filePath.split(path.sep).join('/');

const resolveRelative = (specifier: string, fromFile: string, probe: ModuleProbe): E.Either<string, string> => {
  if (hasExplicitExtension(specifier)) return E.right(specifier);
  // A .js file imports .js files; a .d.ts file refers to the declarations emitted beside them.
  const emittedExtension = fromFile.endsWith('.d.ts') ? '.d.ts' : '.js';
  const target = path.resolve(path.dirname(fromFile), specifier);
  if (probe.isFile(target + emittedExtension)) return E.right(`${specifier}.js`);
  if (probe.isFile(path.join(target, `index${emittedExtension}`))) return E.right(`${specifier.replace(/\/$/, '')}/index.js`);
  return E.left(`${fromFile}: '${specifier}' names no emitted module`);
};

const resolveBare = (specifier: string, fromFile: string, probe: ModuleProbe): E.Either<string, string> => {
  const name = packageNameOf(specifier);
  if (specifier === name) return E.right(specifier);
  const fromDir = path.dirname(fromFile);
  const installed = probe.findPackage(name, fromDir);
  if (installed === undefined) return E.left(`${fromFile}: package '${name}' (for '${specifier}') is not installed`);
  // With an `exports` map, Node resolves the subpath exactly as the package's authors intend.
  if (installed.hasExports) return E.right(specifier);
  const resolved = probe.resolveCommonJs(specifier, fromDir);
  if (resolved === undefined) return E.left(`${fromFile}: '${specifier}' resolves to no file`);
  return E.right(`${name}/${toPosix(path.relative(installed.directory, resolved))}`);
};

/** The specifier Node's ES module loader needs in place of `specifier`, written in the file `fromFile`. */
export const esmSpecifier = (specifier: string, fromFile: string, probe: ModuleProbe): E.Either<string, string> => {
  if (isRelative(specifier)) return resolveRelative(specifier, fromFile, probe);
  if (specifier.startsWith('node:') || isBuiltin(specifier)) return E.right(specifier);
  return resolveBare(specifier, fromFile, probe);
};

const literalOfImportType = (node: ts.ImportTypeNode): ts.StringLiteral | undefined =>
  ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal) ? node.argument.literal : undefined;

/** Every string literal that names a module: imports, re-exports, dynamic `import()` and `import("…")` types. */
export const moduleSpecifierLiterals = (sourceFile: ts.SourceFile): readonly ts.StringLiteral[] => {
  const found: ts.StringLiteral[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [first] = node.arguments;
      if (first !== undefined && ts.isStringLiteral(first)) found.push(first);
    } else if (ts.isImportTypeNode(node)) {
      const literal = literalOfImportType(node);
      if (literal !== undefined) found.push(literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
};

export interface RewriteResult {
  readonly text: string;
  readonly problems: readonly string[];
}

/** `text` (the contents of `fileName`) with each module specifier replaced by what `replace` says. */
export const rewriteSpecifiers = (
  fileName: string,
  text: string,
  replace: (specifier: string) => E.Either<string, string>,
): RewriteResult => {
  const scriptKind = fileName.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, scriptKind);
  const problems: string[] = [];
  let rewritten = '';
  let copiedUpTo = 0;
  for (const literal of moduleSpecifierLiterals(sourceFile)) {
    const replacement = replace(literal.text);
    if (E.isLeft(replacement)) {
      problems.push(replacement.left);
    } else if (replacement.right !== literal.text) {
      // Only the characters between the quotes change, so the quote style and everything else stay as emitted.
      const start = literal.getStart(sourceFile) + 1;
      const end = literal.getEnd() - 1;
      rewritten += text.slice(copiedUpTo, start) + replacement.right;
      copiedUpTo = end;
    }
  }
  return { text: rewritten + text.slice(copiedUpTo), problems };
};

/** The disk as it is: `node_modules` lookup from a directory upwards, and Node's own CommonJS resolution. */
export const nodeModuleProbe: ModuleProbe = {
  isFile: (filePath) => fs.statSync(filePath, { throwIfNoEntry: false })?.isFile() === true,
  findPackage: (name, fromDir) => {
    for (let dir = fromDir; ; dir = path.dirname(dir)) {
      const manifestPath = path.join(dir, 'node_modules', name, 'package.json');
      if (fs.existsSync(manifestPath)) {
        const manifest: unknown = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
        const hasExports = typeof manifest === 'object' && manifest !== null && 'exports' in manifest;
        // Real path, because Node's resolution answers with real paths and the two are compared.
        return { directory: fs.realpathSync(path.dirname(manifestPath)), hasExports };
      }
      if (path.dirname(dir) === dir) return undefined;
    }
  },
  resolveCommonJs: (specifier, fromDir) => {
    try {
      return require.resolve(specifier, { paths: [fromDir] });
    } catch {
      return undefined;
    }
  },
};

const emittedModules = (directory: string): readonly string[] =>
  fs
    .readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((relative) => relative.endsWith('.js') || relative.endsWith('.d.ts'))
    .map((relative) => path.join(directory, relative));

/** Rewrites the tree in place; answers the problems found (none when every specifier resolved). */
export const rewriteEsmTree = (directory: string, probe: ModuleProbe): readonly string[] =>
  emittedModules(directory).flatMap((file) => {
    const text = fs.readFileSync(file, 'utf8');
    const result = rewriteSpecifiers(file, text, (specifier) => esmSpecifier(specifier, file, probe));
    if (result.text !== text) fs.writeFileSync(file, result.text);
    return result.problems;
  });
