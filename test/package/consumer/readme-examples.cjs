// Writes the README's first two TypeScript examples (embedding the engine, then its read models), verbatim,
// as one ES module: node readme-examples.cjs <README.md> <out.mts>
const fs = require('node:fs');

const [readme, out] = process.argv.slice(2);
const fence = '`'.repeat(3);
const blocks = fs.readFileSync(readme, 'utf8').split(`${fence}ts\n`).slice(1).map((block) => block.split(fence)[0]);
if (blocks.length < 2) throw new Error(`${readme} has ${blocks.length} TypeScript example(s), not the two expected`);
fs.writeFileSync(out, blocks.slice(0, 2).join('\n'));
