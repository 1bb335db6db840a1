import type * as grpc from '@grpc/grpc-js';

/**
 * A server-streaming or bidi call the test server writes to, with the client's flow control respected and
 * cancellation observable, so that long catch-ups and live subscriptions behave as they do against a real
 * node.
 */
export class WireCall<Response> {
  private cancelled = false;
  private readonly cancelListeners = new Set<() => void>();

  constructor(private readonly call: grpc.ServerWritableStream<unknown, Response> | grpc.ServerDuplexStream<unknown, Response>) {
    call.on('cancelled', () => this.cancel());
    call.on('close', () => this.cancel());
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Runs `listener` when the client goes away or the server stops the call. */
  onCancel(listener: () => void): void {
    if (this.cancelled) listener();
    else this.cancelListeners.add(listener);
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const listener of this.cancelListeners) listener();
    this.cancelListeners.clear();
  }

  async send(message: Response): Promise<void> {
    if (this.cancelled) return;
    if (this.call.write(message)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.call.off('drain', done);
        resolve();
      };
      this.call.on('drain', done);
      this.onCancel(done);
    });
  }

  end(): void {
    if (!this.cancelled) this.call.end();
  }

  fail(code: grpc.status, details: string, metadata?: grpc.Metadata): void {
    if (this.cancelled) return;
    this.call.emit('error', { code, details, ...(metadata === undefined ? {} : { metadata }) });
  }
}
