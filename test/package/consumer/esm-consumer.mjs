// Loads the package the way an ES module consumer does, then runs the shared journey.
import * as ordersource from 'ordersource';
import { journey } from './journey.cjs';

const entry = import.meta.resolve('ordersource');
if (!entry.includes('/dist/esm/')) throw new Error(`import resolved to ${entry}, not the ES module build`);
await journey(ordersource);
console.log(`ES module consumer: journey passed (${entry.slice(entry.indexOf('/node_modules/'))})`);
