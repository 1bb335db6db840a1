/**
 * `npm run example:http`: the HTTP host on `PORT` (default 3000), over the event store that
 * `ORDERSOURCE_EVENT_STORE` names (default in memory). Stops gracefully on SIGINT or SIGTERM.
 */
import * as E from 'fp-ts/Either';
import { buildServer } from './server';

const DEFAULT_PORT = 3000;

const portOf = (text: string | undefined): number | undefined => {
  if (text === undefined || text === '') return DEFAULT_PORT;
  const port = Number(text);
  return Number.isInteger(port) && port >= 0 && port <= 65_535 ? port : undefined;
};

const main = async (): Promise<void> => {
  const port = portOf(process.env['PORT']);
  if (port === undefined) {
    console.error(`PORT=${process.env['PORT'] ?? ''} is not a port number`);
    process.exitCode = 1;
    return;
  }
  const built = await buildServer({ eventStoreUrl: process.env['ORDERSOURCE_EVENT_STORE'], logger: true });
  if (E.isLeft(built)) {
    console.error(built.left);
    process.exitCode = 1;
    return;
  }
  const host = built.right;
  const stop = (signal: string): void => {
    host.app.log.info(`${signal}: finishing requests in flight, then stopping`);
    host.close().then(
      () => undefined,
      (cause: unknown) => {
        console.error(cause);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await host.listen(port, process.env['HOST'] ?? '127.0.0.1');
};

main().catch((cause: unknown) => {
  console.error(cause);
  process.exitCode = 1;
});
