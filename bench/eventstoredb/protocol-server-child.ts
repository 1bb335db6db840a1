import { fork } from 'node:child_process';
import * as path from 'node:path';
import { BenchFailure } from '../failure';
import type { ServerReady } from './protocol-server-process';

export interface ProtocolServerChild {
  readonly connectionString: string;
  /** Ends the server process and resolves once it has exited. */
  readonly stop: () => Promise<void>;
}

/** Starts the EventStoreDB protocol test server in a child process (see `protocol-server-process.ts`). */
export const startProtocolServerChild = (): Promise<ProtocolServerChild> =>
  new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'protocol-server-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const failedToStart = (code: number | null): void => reject(new BenchFailure(`the EventStoreDB protocol test server exited (code ${String(code)}) before it was ready`));
    child.once('exit', failedToStart);
    child.once('error', reject);
    child.once('message', (raw) => {
      child.off('exit', failedToStart);
      // Sent by protocol-server-process.ts, which sends nothing else.
      const { connectionString } = raw as ServerReady;
      resolve({
        connectionString,
        stop: () => {
          if (child.connected) child.disconnect();
          return exited;
        },
      });
    });
  });
