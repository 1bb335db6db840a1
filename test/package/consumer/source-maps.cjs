// Every source map and declaration map in the installed package must point at a source file the package
// ships, so that stack traces and "go to definition" land on the TypeScript a consumer can read.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const packageDir = path.dirname(require.resolve('ordersource/package.json'));
const maps = fs
  .readdirSync(path.join(packageDir, 'dist'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.map'))
  .map((file) => path.join(packageDir, 'dist', file));
assert.ok(maps.length > 0, 'the package ships source maps');

const missing = maps.flatMap((map) => {
  const { sources } = JSON.parse(fs.readFileSync(map, 'utf8'));
  return sources.map((source) => path.resolve(path.dirname(map), source)).filter((source) => !fs.existsSync(source));
});
assert.deepEqual(missing, [], 'sources named by the maps but not shipped');
console.log(`${maps.length} maps, every source shipped`);
