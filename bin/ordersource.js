#!/usr/bin/env node
'use strict';
/*
 * The ordersource CLI. An installed package, or a checkout after `npm run build`, runs the compiled
 * dist/cjs/cli. A checkout without a build runs the TypeScript sources: each file is transpiled once (type
 * checking is tsc's job) and the JavaScript is kept in .tmp/cli-cache under a hash of its source, so later
 * runs start as fast as the compiled CLI. ORDERSOURCE_CLI=source or =dist forces one or the other; the
 * tests force the sources, so that a stale build cannot hide a change. The cache may be deleted at any time.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const compiled = path.join(root, 'dist', 'cjs', 'cli', 'main.js');

const runFromSources = () => {
  const cacheDir = path.join(root, '.tmp', 'cli-cache');
  const compilerVersion = JSON.parse(fs.readFileSync(require.resolve('typescript/package.json'), 'utf8')).version;
  let ts;
  const transpile = (source, fileName) => {
    ts = ts || require('typescript');
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    return ts.transpileModule(source, { fileName, compilerOptions }).outputText;
  };
  const remember = (file, output) => {
    // Written aside and renamed, so that a run reading the cache never sees half a file.
    const partial = `${file}.${process.pid}`;
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      fs.writeFileSync(partial, output);
      fs.renameSync(partial, file);
    } catch {
      fs.rmSync(partial, { force: true });
    }
  };
  require.extensions['.ts'] = (module, fileName) => {
    const source = fs.readFileSync(fileName, 'utf8');
    const key = createHash('sha256').update(`${compilerVersion}\0${fileName}\0${source}`).digest('hex');
    const cached = path.join(cacheDir, `${key}.js`);
    let output;
    try {
      output = fs.readFileSync(cached, 'utf8');
    } catch {
      output = transpile(source, fileName);
      remember(cached, output);
    }
    module._compile(output, fileName);
  };
  return require(path.join(root, 'src', 'cli', 'main.ts'));
};

const wanted = process.env.ORDERSOURCE_CLI;
const fromSources = wanted === 'source' || (wanted !== 'dist' && !fs.existsSync(compiled));
const cli = fromSources ? runFromSources() : require(compiled);
cli.main();
