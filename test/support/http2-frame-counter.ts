import { createServer, connect, type Socket } from 'node:net';

/** The bytes every HTTP/2 client sends first, before its first frame (RFC 9113, 3.4). */
const CLIENT_PREFACE_LENGTH = 24;
const FRAME_HEADER_LENGTH = 9;

/** The RST_STREAM frame's type on the wire (RFC 9113, 6.4): how an endpoint ends a stream abruptly. */
export const RST_STREAM_FRAME = 3;

export interface Http2FrameCounter {
  /** Connect clients here (`127.0.0.1:<port>`) instead of to the server. */
  readonly port: number;
  /** How many frames of a type the clients have sent to the server so far, over every connection. */
  sentByClients(frameType: number): number;
  close(): Promise<void>;
}

/**
 * A TCP relay in front of an HTTP/2 server (cleartext, prior knowledge, as gRPC without TLS speaks it) that
 * counts the frames clients send, by type. It shows what a client does on the wire that neither end reports
 * to its application: an RST_STREAM frame for a call the server had already ended, say.
 */
export const startHttp2FrameCounter = async (serverPort: number): Promise<Http2FrameCounter> => {
  const counts = new Map<number, number>();
  const sockets = new Set<Socket>();
  const track = (socket: Socket): Socket => {
    sockets.add(socket);
    // Relayed as they come: gRPC's small frames would otherwise wait on Nagle's algorithm and delayed ACKs.
    socket.setNoDelay(true);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  };
  const relay = createServer((client) => {
    track(client);
    const server = track(connect(serverPort, '127.0.0.1'));
    client.pipe(server);
    server.pipe(client);
    client.once('close', () => server.destroy());
    server.once('close', () => client.destroy());
    let pending: Buffer = Buffer.alloc(0);
    let prefaceSeen = false;
    client.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      if (!prefaceSeen) {
        if (pending.length < CLIENT_PREFACE_LENGTH) return;
        pending = pending.subarray(CLIENT_PREFACE_LENGTH);
        prefaceSeen = true;
      }
      while (pending.length >= FRAME_HEADER_LENGTH) {
        const payloadLength = pending.readUIntBE(0, 3);
        if (pending.length < FRAME_HEADER_LENGTH + payloadLength) return;
        const frameType = pending.readUInt8(3);
        counts.set(frameType, (counts.get(frameType) ?? 0) + 1);
        pending = pending.subarray(FRAME_HEADER_LENGTH + payloadLength);
      }
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(0, '127.0.0.1', () => {
      const address = relay.address();
      if (address === null || typeof address === 'string') reject(new Error('the HTTP/2 frame counter has no TCP port'));
      else resolve(address.port);
    });
  });
  return {
    port,
    sentByClients: (frameType) => counts.get(frameType) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        relay.close(() => resolve());
      }),
  };
};
