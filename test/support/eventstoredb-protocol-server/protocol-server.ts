import { randomUUID } from 'node:crypto';
import { GossipService, type IGossipServer } from '@eventstore/db-client/generated/gossip_grpc_pb';
import { ClusterInfo, EndPoint, MemberInfo } from '@eventstore/db-client/generated/gossip_pb';
import { ServerFeaturesService, type IServerFeaturesServer } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { StreamsService as StreamsServiceDefinition } from '@eventstore/db-client/generated/streams_grpc_pb';
import * as grpc from '@grpc/grpc-js';
import type { EmulatedRelease } from './all-subscription';
import { uuidToWire } from './protocol-messages';
import { StreamsService } from './streams-service';
import { TransactionLog } from './transaction-log';

/**
 * The version the test server reports: the release it emulates, with a suffix that keeps anyone reading a
 * client log from mistaking it for a real node.
 */
const serverVersion = (release: EmulatedRelease): string => `${release}.0-protocol-test-server`;
const STREAMS_SERVICE = 'event_store.client.streams.streams';

export interface EventStoreDbProtocolServer {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  readonly connectionString: string;
  readonly port: number;
  /** Ends open calls and stops listening. */
  close(): Promise<void>;
}

/** What a real node lists: each implemented method, lower-cased, with the features EventStoreDB reports. */
const supportedMethods = (release: EmulatedRelease): SupportedMethods => {
  const method = (service: string, name: string, features: readonly string[] = []): SupportedMethod =>
    new SupportedMethod().setServiceName(service).setMethodName(name).setFeaturesList([...features]);
  return new SupportedMethods().setEventStoreServerVersion(serverVersion(release)).setMethodsList([
    method(STREAMS_SERVICE, 'read', ['position', 'events']),
    method(STREAMS_SERVICE, 'append'),
    method(STREAMS_SERVICE, 'batchappend', ['deadline_duration']),
    method('event_store.client.gossip.gossip', 'read'),
    method('event_store.client.serverfeatures.serverfeatures', 'getsupportedmethods'),
  ]);
};

export interface ProtocolServerOptions {
  /** Whose behaviour to show where releases differ (see `EmulatedRelease`); 25.0 by default. */
  readonly release?: EmulatedRelease;
}

/**
 * An in-process server that speaks EventStoreDB's gRPC protocol to the real `@eventstore/db-client` over
 * loopback, without TLS: the Streams service (see `StreamsService`), server features, and gossip answered as
 * a single leader node. Its semantics are those of the server's own code (`Streams`, `Enumerator.*`,
 * `IndexWriter.CheckCommit`, `AllReader`, `SubscriptionsService`, `EventFilter`), which 24.10 and 25.0 share
 * but for one point. Its `$all` starts with one system event, as a real node's does, so that clients meet
 * EventStoreDB's own events there.
 */
export const startEventStoreDbProtocolServer = async ({ release = '25.0' }: ProtocolServerOptions = {}): Promise<EventStoreDbProtocolServer> => {
  const log = new TransactionLog();
  log.write('$settings', { kind: 'any' }, [
    {
      eventId: randomUUID(),
      type: '$settings',
      contentType: 'application/json',
      data: Buffer.from(JSON.stringify({ $userStreamAcl: { $r: '$all' }, $systemStreamAcl: { $r: '$admins' } })),
      metadata: new Uint8Array(),
    },
  ]);
  const streams = new StreamsService(log, release);
  const server = new grpc.Server();
  server.addService(StreamsServiceDefinition, streams.handlers());
  const features: IServerFeaturesServer = { getSupportedMethods: (_call, callback) => callback(null, supportedMethods(release)) };
  server.addService(ServerFeaturesService, features);
  const instanceId = randomUUID();
  // Gossip answers with the port bound below; no call can arrive before it is.
  let port = 0;
  const gossip: IGossipServer = {
    read: (_call, callback) =>
      callback(
        null,
        new ClusterInfo().setMembersList([
          new MemberInfo()
            .setInstanceId(uuidToWire(instanceId, 'structured'))
            .setTimeStamp(String(BigInt(Date.now()) * 10_000n))
            .setState(MemberInfo.VNodeState.LEADER)
            .setIsAlive(true)
            .setHttpEndPoint(new EndPoint().setAddress('127.0.0.1').setPort(port)),
        ]),
      ),
  };
  server.addService(GossipService, gossip);
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))),
  );
  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    close: () => {
      streams.stopAll();
      server.forceShutdown();
      return Promise.resolve();
    },
  };
};
