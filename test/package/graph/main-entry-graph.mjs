// Loads one entry (`ordersource` by default) as ES module or CommonJS and fails when that loaded any of
// the package's optional peer dependencies: the heavy drivers that only an adapter entry may load (fp-ts,
// the peer every host has, is not one of them).
// Run it where the peers ARE installed (the repository), so that a stray import would succeed unseen.
//   node main-entry-graph.mjs <esm|cjs> [entry]     entry: a package specifier or a path
// Exit 0: no peer loaded; 1: a peer was loaded; 2: the check itself could not run.
import { createRequire, register } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const [flavour, entry = 'ordersource'] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const { peerDependencies = {}, peerDependenciesMeta = {} } = require('ordersource/package.json');
const peers = Object.keys(peerDependencies).filter((name) => peerDependenciesMeta[name]?.optional === true);
const isPath = entry.startsWith('.') || path.isAbsolute(entry);
const loadedPeers = () =>
  peers.filter((name) => Object.keys(require.cache).some((file) => file.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`)));

const unresolvable = peers.filter((name) => {
  try {
    require.resolve(name);
    return false;
  } catch {
    return true;
  }
});
if (peers.length === 0 || unresolvable.length > 0) {
  console.error(`cannot check: peers declared ${JSON.stringify(peers)}, not installed here ${JSON.stringify(unresolvable)}`);
  process.exit(2);
}

try {
  if (flavour === 'esm') {
    register(new URL('./forbid-peers-hooks.mjs', import.meta.url), { data: { peers } });
    await import(isPath ? pathToFileURL(path.resolve(entry)).href : entry);
  } else if (flavour === 'cjs') {
    require(isPath ? path.resolve(entry) : entry);
  } else {
    console.error('usage: main-entry-graph.mjs <esm|cjs> [entry]');
    process.exit(2);
  }
} catch (error) {
  const peerImport = error instanceof Error && error.message.includes('loaded the peer dependency');
  console.error(peerImport ? error.message : error);
  process.exit(peerImport ? 1 : 2);
}
const loaded = loadedPeers();
if (loaded.length > 0) {
  console.error(`${entry} (${flavour}) loaded the peer dependencies ${loaded.join(', ')}`);
  process.exit(1);
}
console.log(`${entry} (${flavour}) loads none of ${peers.join(', ')}`);
