// Loads the package the way a CommonJS consumer does, then runs the shared journey.
const assert = require('node:assert/strict');
const { journey } = require('./journey.cjs');

const entry = require.resolve('ordersource');
assert.ok(entry.includes('/dist/cjs/'), `require resolved to ${entry}, not the CommonJS build`);
// The exports map is the public surface: internal files stay unreachable.
assert.throws(() => require('ordersource/dist/cjs/engine/clock.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });

journey(require('ordersource')).then(
  () => console.log(`CommonJS consumer: journey passed (${entry.slice(entry.indexOf('/node_modules/'))})`),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
