// Type-checks the TypeScript consumer as `tsc --noEmit -p <config>` would, and also every declaration file
// of ordersource that it pulled in. Plain tsc checks those only with skipLibCheck off, which means checking
// all of fp-ts, io-ts and rxjs as well (slow); yet a declaration import that does not resolve would
// otherwise silently turn the types it names into `any`. It also asserts which of the package's builds
// the resolution chose (the `import` or `require` condition of the exports map, or `types`).
//   node typecheck-consumer.cjs <typescript package dir> <tsconfig> <expected builds, e.g. esm,cjs> [more files]
const [typescriptDir, config, expected, ...moreFiles] = process.argv.slice(2);
const ts = require(typescriptDir);

const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => fail([diagnostic]) };
const formatHost = { getCanonicalFileName: (name) => name, getCurrentDirectory: ts.sys.getCurrentDirectory, getNewLine: () => '\n' };
const fail = (diagnostics) => {
  console.error(ts.formatDiagnostics(diagnostics, formatHost));
  process.exit(1);
};

const parsed = ts.getParsedCommandLineOfConfigFile(config, {}, host);
if (parsed.errors.length > 0) fail(parsed.errors);
// Declarations are only checked with skipLibCheck off; only the files chosen below are checked, so this stays cheap.
const program = ts.createProgram({ rootNames: [...parsed.fileNames, ...moreFiles], options: { ...parsed.options, skipLibCheck: false } });

const isOurs = (file) => file.fileName.includes('/node_modules/ordersource/');
const checked = program.getSourceFiles().filter((file) => isOurs(file) || !file.fileName.includes('/node_modules/'));
const diagnostics = [
  ...program.getOptionsDiagnostics(),
  ...program.getGlobalDiagnostics(),
  ...checked.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
];
if (diagnostics.length > 0) fail(diagnostics);

const builds = [...new Set(checked.filter(isOurs).map((file) => /\/dist\/(esm|cjs)\//.exec(file.fileName)?.[1] ?? file.fileName))].sort();
if (builds.join(',') !== expected.split(',').sort().join(',')) {
  console.error(`the consumer's types came from ${JSON.stringify(builds)}, expected ${expected}`);
  process.exit(1);
}
console.log(`${config}: consumer and ${checked.filter(isOurs).length} ordersource declaration files (${builds.join(' + ')}) are clean`);
