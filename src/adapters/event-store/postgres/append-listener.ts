import { Client, ClientConfig, escapeIdentifier } from 'pg';

const RECONNECT_MIN_DELAY_MS = 100;
const RECONNECT_MAX_DELAY_MS = 5_000;

/**
 * One LISTEN session per store, shared by its subscriptions. A notification only wakes subscriptions up (they
 * then read the events themselves), so a notification lost while the session is down costs latency, never
 * an event: subscriptions keep polling meanwhile, and every (re)connection wakes them all once.
 * The session is its own client, outside the pool, so that it never holds one of the pool's connections.
 */
export class AppendListener {
  private readonly sleepers = new Set<() => void>();
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = RECONNECT_MIN_DELAY_MS;
  private closed = false;

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
  ) {}

  /**
   * Calls `wake` on every append notification, and whenever notifications may have been missed: when the
   * session (re)connects and when it drops. Returns the function that stops the calls.
   */
  watch(wake: () => void): () => void {
    this.sleepers.add(wake);
    void this.listen();
    return () => {
      this.sleepers.delete(wake);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.sleepers.clear();
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private listen(): Promise<void> {
    if (this.closed || this.client !== undefined) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new Client(this.config);
    // An idle client's socket errors are emitted, not thrown: without a listener they would crash the process.
    client.on('error', () => this.lose(client));
    client.on('end', () => this.lose(client));
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.wakeAll();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${escapeIdentifier(this.channel)}`);
    } catch {
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.reconnectDelay = RECONNECT_MIN_DELAY_MS;
    this.wakeAll();
  }

  private lose(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.wakeAll();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.sleepers.size === 0 || this.reconnectTimer !== undefined) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.listen();
    }, this.reconnectDelay);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_DELAY_MS);
  }

  private wakeAll(): void {
    for (const wake of this.sleepers) wake();
  }
}
