/**
 * Builds the published `dist/`: CommonJS in `dist/cjs` and ES modules in `dist/esm`, each with declarations
 * and source maps, and each with a package.json marker telling Node (and TypeScript) which module system
 * its `.js` and `.d.ts` files belong to. The ES build's specifiers are then completed for Node's loader
 * (see esm-specifiers.ts). Run it with `npm run build`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { nodeModuleProbe, rewriteEsmTree } from './esm-specifiers';

const root = path.resolve(__dirname, '..');

interface Flavour {
  readonly project: string;
  readonly moduleType: 'commonjs' | 'module';
  readonly completeSpecifiers: boolean;
}

const flavours: readonly Flavour[] = [
  { project: 'tsconfig.build.json', moduleType: 'commonjs', completeSpecifiers: false },
  { project: 'tsconfig.build.esm.json', moduleType: 'module', completeSpecifiers: true },
];

/** The output directory the project's tsconfig names, so that it is written down in one place only. */
const outDirOf = (project: string): string => {
  const host: ts.ParseConfigFileHost = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined };
  const outDir = ts.getParsedCommandLineOfConfigFile(path.join(root, project), {}, host)?.options.outDir;
  if (outDir === undefined) throw new Error(`${project} names no outDir`);
  return outDir;
};

const compile = (project: string): Promise<boolean> =>
  new Promise((resolve) => {
    const tsc = spawn(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project], { cwd: root, stdio: 'inherit' });
    tsc.on('error', (error) => {
      console.error(`could not start tsc for ${project}: ${error.message}`);
      resolve(false);
    });
    tsc.on('close', (code) => resolve(code === 0));
  });

const build = async (): Promise<boolean> => {
  const targets = flavours.map((flavour) => ({ ...flavour, outDir: outDirOf(flavour.project) }));
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  const compiled = await Promise.all(targets.map((target) => compile(target.project)));
  if (compiled.includes(false)) return false;
  const problems = targets.filter((target) => target.completeSpecifiers).flatMap((target) => rewriteEsmTree(target.outDir, nodeModuleProbe));
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) return false;
  for (const target of targets) {
    fs.writeFileSync(path.join(target.outDir, 'package.json'), `${JSON.stringify({ type: target.moduleType }, null, 2)}\n`);
  }
  return true;
};

build().then(
  (succeeded) => {
    if (!succeeded) process.exitCode = 1;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
