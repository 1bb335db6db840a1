import { Code } from '@eventstore/db-client/generated/code_pb';
import * as shared from '@eventstore/db-client/generated/shared_pb';
import type { IStreamsServer } from '@eventstore/db-client/generated/streams_grpc_pb';
import { AppendReq, AppendResp, BatchAppendReq, BatchAppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import * as grpc from '@grpc/grpc-js';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import { AllSubscription, READ_BATCH_SIZE, type EmulatedRelease, type SubscriptionFilter } from './all-subscription';
import { eventLogPosition, type LogPosition } from './log-position';
import { rpcStatus, streamIdentifier, streamNameFromWire, uuidFromWire, uuidToWire, type UuidFormat } from './protocol-messages';
import { defaultAllFilter, serverEventFilter, type ServerEventFilter } from './server-event-filter';
import type { ExpectedVersion, ProposedRecord, StoredEvent, TransactionLog, WriteOutcome } from './transaction-log';
import { WireCall } from './wire-call';

/** .NET ticks (100 ns) per millisecond: the unit of an event's `created` metadata. */
const TICKS_PER_MILLISECOND = 10_000n;

/** A request the server refuses, with the gRPC status and the `exception` header EventStoreDB adds. */
class RequestError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
    readonly exception?: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    if (this.exception !== undefined) metadata.set('exception', this.exception);
    for (const [key, value] of Object.entries(this.headers)) metadata.set(key, value);
    return metadata;
  }
}

const asRequestError = (error: unknown): RequestError =>
  error instanceof RequestError ? error : new RequestError(grpc.status.INVALID_ARGUMENT, error instanceof Error ? error.message : String(error));

const readEvent = (event: StoredEvent, uuidFormat: UuidFormat): ReadResp => {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidToWire(event.eventId, uuidFormat))
    .setStreamIdentifier(streamIdentifier(event.streamId))
    .setStreamRevision(String(event.revision))
    .setCommitPosition(String(event.logPosition))
    .setPreparePosition(String(event.logPosition))
    .setData(event.data)
    .setCustomMetadata(event.metadata);
  recorded
    .getMetadataMap()
    .set('type', event.type)
    .set('created', String(BigInt(event.createdAtMs) * TICKS_PER_MILLISECOND))
    .set('content-type', event.contentType);
  return new ReadResp().setEvent(new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(event.logPosition)));
};

const proposedRecord = (id: shared.UUID | undefined, metadata: Map<string, string>, data: Uint8Array, customMetadata: Uint8Array): ProposedRecord => {
  for (const required of ['type', 'content-type']) {
    if (!metadata.has(required)) {
      throw new RequestError(grpc.status.INVALID_ARGUMENT, `Required metadata property ${required} is missing`, 'missing-required-metadata-property', {
        'required-metadata-properties': required,
      });
    }
  }
  return {
    eventId: uuidFromWire(id),
    type: metadata.get('type') as string,
    contentType: metadata.get('content-type') as string,
    data,
    metadata: customMetadata,
  };
};

const metadataOf = (map: { forEach(callback: (value: string, key: string) => void): void }): Map<string, string> => {
  const entries = new Map<string, string>();
  map.forEach((value, key) => entries.set(key, value));
  return entries;
};

const appendExpectation = (options: AppendReq.Options): ExpectedVersion => {
  switch (options.getExpectedStreamRevisionCase()) {
    case AppendReq.Options.ExpectedStreamRevisionCase.ANY:
      return { kind: 'any' };
    case AppendReq.Options.ExpectedStreamRevisionCase.NO_STREAM:
      return { kind: 'no-stream' };
    case AppendReq.Options.ExpectedStreamRevisionCase.STREAM_EXISTS:
      return { kind: 'stream-exists' };
    case AppendReq.Options.ExpectedStreamRevisionCase.REVISION:
      return { kind: 'revision', revision: Number(options.getRevision()) };
    default:
      throw new RequestError(grpc.status.INVALID_ARGUMENT, 'expected stream revision not set');
  }
};

const batchExpectation = (options: BatchAppendReq.Options): ExpectedVersion => {
  switch (options.getExpectedStreamPositionCase()) {
    case BatchAppendReq.Options.ExpectedStreamPositionCase.ANY:
      return { kind: 'any' };
    case BatchAppendReq.Options.ExpectedStreamPositionCase.NO_STREAM:
      return { kind: 'no-stream' };
    case BatchAppendReq.Options.ExpectedStreamPositionCase.STREAM_EXISTS:
      return { kind: 'stream-exists' };
    case BatchAppendReq.Options.ExpectedStreamPositionCase.STREAM_POSITION:
      return { kind: 'revision', revision: Number(options.getStreamPosition()) };
    default:
      throw new RequestError(grpc.status.INVALID_ARGUMENT, 'expected stream position not set');
  }
};

/** The `Append` answer, as `Streams.Append.cs` builds it. */
const appendResponse = (outcome: WriteOutcome, expected: ExpectedVersion): AppendResp => {
  if (outcome.kind === 'wrong-expected-version') {
    const wrong = new AppendResp.WrongExpectedVersion();
    if (expected.kind === 'any') wrong.setExpectedAny(new shared.Empty());
    else if (expected.kind === 'stream-exists') wrong.setExpectedStreamExists(new shared.Empty());
    else if (expected.kind === 'no-stream') wrong.setExpectedNoStream(new shared.Empty());
    else wrong.setExpectedRevision(String(expected.revision));
    if (outcome.currentRevision < 0) wrong.setCurrentNoStream(new shared.Empty());
    else wrong.setCurrentRevision(String(outcome.currentRevision));
    return new AppendResp().setWrongExpectedVersion(wrong);
  }
  const success = new AppendResp.Success();
  if (outcome.lastRevision < 0) success.setNoStream(new shared.Empty());
  else success.setCurrentRevision(String(outcome.lastRevision));
  if (outcome.lastPosition === undefined) success.setNoPosition(new shared.Empty());
  else success.setPosition(new AppendResp.Position().setCommitPosition(String(outcome.lastPosition)).setPreparePosition(String(outcome.lastPosition)));
  return new AppendResp().setSuccess(success);
};

/** The `BatchAppend` answer, as `Streams.BatchAppend.cs` builds it: failures are a `google.rpc.Status`. */
const batchAppendResponse = (outcome: WriteOutcome, expected: ExpectedVersion): BatchAppendResp => {
  const response = new BatchAppendResp();
  if (outcome.kind === 'wrong-expected-version') {
    const wrong = new shared.WrongExpectedVersion();
    if (outcome.currentRevision < 0) wrong.setCurrentNoStream(new Empty());
    else wrong.setCurrentStreamRevision(String(outcome.currentRevision));
    if (expected.kind === 'any') wrong.setExpectedAny(new Empty());
    else if (expected.kind === 'stream-exists') wrong.setExpectedStreamExists(new Empty());
    else if (expected.kind === 'no-stream') wrong.setExpectedNoStream(new Empty());
    else wrong.setExpectedStreamPosition(String(expected.revision));
    return response.setError(rpcStatus(Code.ALREADY_EXISTS, 'WrongExpectedVersion', wrong, 'event_store.client.WrongExpectedVersion'));
  }
  const success = new BatchAppendResp.Success();
  if (outcome.lastRevision < 0) success.setNoStream(new Empty());
  else success.setCurrentRevision(String(outcome.lastRevision));
  if (outcome.lastPosition === undefined) success.setNoPosition(new Empty());
  else success.setPosition(new shared.AllStreamPosition().setCommitPosition(String(outcome.lastPosition)).setPreparePosition(String(outcome.lastPosition)));
  return response.setSuccess(success);
};

const filterFrom = (options: ReadReq.Options.FilterOptions): SubscriptionFilter => {
  const expression = options.hasStreamIdentifier() ? options.getStreamIdentifier() : options.getEventType();
  if (expression === undefined) throw new RequestError(grpc.status.INVALID_ARGUMENT, 'filter has neither a stream identifier nor an event type expression');
  const multiplier = options.getCheckpointintervalmultiplier();
  if (multiplier <= 0) throw new RequestError(grpc.status.INVALID_ARGUMENT, 'checkpoint interval multiplier must be positive');
  return {
    filter: serverEventFilter(options.hasStreamIdentifier() ? 'stream-name' : 'event-type', {
      regex: expression.getRegex(),
      prefixes: expression.getPrefixList(),
    }),
    maxSearchWindow: options.hasMax() ? options.getMax() : READ_BATCH_SIZE,
    checkpointIntervalMultiplier: multiplier,
  };
};

const allPosition = (options: ReadReq.Options.AllOptions): LogPosition | 'start' | 'end' => {
  switch (options.getAllOptionCase()) {
    case ReadReq.Options.AllOptions.AllOptionCase.START:
      return 'start';
    case ReadReq.Options.AllOptions.AllOptionCase.END:
      return 'end';
    case ReadReq.Options.AllOptions.AllOptionCase.POSITION: {
      const position = options.getPosition() as ReadReq.Options.Position;
      return { commit: Number(position.getCommitPosition()), prepare: Number(position.getPreparePosition()) };
    }
    default:
      throw new RequestError(grpc.status.INVALID_ARGUMENT, 'all stream position not set');
  }
};

/**
 * The `event_store.client.streams.Streams` service over a `TransactionLog`: reads of streams and of `$all`
 * (forwards and backwards, with counts and filters), subscriptions to `$all`, `Append` and `BatchAppend`.
 * Deletes, tombstones and stream subscriptions are UNIMPLEMENTED: the adapter does not use them.
 */
export class StreamsService {
  private readonly calls = new Set<WireCall<unknown>>();

  constructor(
    private readonly log: TransactionLog,
    private readonly release: EmulatedRelease,
  ) {}

  /** Stops every open call, as a node that shuts down. */
  stopAll(): void {
    for (const call of this.calls) call.cancel();
  }

  handlers(): IStreamsServer {
    return {
      read: (call) => {
        const wire = this.track(new WireCall<ReadResp>(call));
        this.read(call.request, wire).catch((error: unknown) => {
          const failure = asRequestError(error);
          wire.fail(failure.code, failure.message, failure.metadata());
        });
      },
      append: (call, callback) => this.append(call, callback),
      batchAppend: (call) => this.batchAppend(call),
      delete: (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: 'Delete is not implemented by the protocol test server' }),
      tombstone: (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: 'Tombstone is not implemented by the protocol test server' }),
    };
  }

  private track<T>(call: WireCall<T>): WireCall<T> {
    this.calls.add(call as WireCall<unknown>);
    call.onCancel(() => this.calls.delete(call as WireCall<unknown>));
    return call;
  }

  private async read(request: ReadReq, call: WireCall<ReadResp>): Promise<void> {
    const options = request.getOptions();
    if (options === undefined) throw new RequestError(grpc.status.INVALID_ARGUMENT, 'read options missing');
    const uuidOption = options.getUuidOption();
    if (uuidOption === undefined) throw new RequestError(grpc.status.INVALID_ARGUMENT, 'Required argument uuidOption missing');
    const uuidFormat: UuidFormat = uuidOption.hasString() ? 'string' : 'structured';
    const toReadResp = (event: StoredEvent): ReadResp => readEvent(event, uuidFormat);
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const filter = options.hasFilter() ? filterFrom(options.getFilter() as ReadReq.Options.FilterOptions) : undefined;
    const subscription = options.hasSubscription();

    if (options.hasStream()) {
      if (subscription) throw new RequestError(grpc.status.UNIMPLEMENTED, 'stream subscriptions are not implemented by the protocol test server');
      if (filter !== undefined) throw new RequestError(grpc.status.INVALID_ARGUMENT, 'invalid combination: stream read with a filter');
      const stream = options.getStream() as ReadReq.Options.StreamOptions;
      const streamId = streamNameFromWire(stream.getStreamIdentifier());
      const from = stream.hasRevision() ? Number(stream.getRevision()) : stream.hasEnd() ? 'end' : 'start';
      const events = this.log.readStream(streamId, from, backwards ? 'backwards' : 'forwards', Number(options.getCount()));
      if (events === undefined) {
        await call.send(new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(streamId))));
      } else {
        for (const event of events) await call.send(toReadResp(event));
      }
      call.end();
      return;
    }

    if (!options.hasAll()) throw new RequestError(grpc.status.INVALID_ARGUMENT, 'read of neither a stream nor $all');
    const from = allPosition(options.getAll() as ReadReq.Options.AllOptions);
    if (subscription) {
      if (backwards) throw new RequestError(grpc.status.INVALID_ARGUMENT, 'invalid combination: backwards subscription');
      await new AllSubscription(this.log, call, toReadResp, filter, this.release).run(from);
      return;
    }
    const count = Number(options.getCount());
    const events = backwards ? this.readAllBackwards(from, count, filter?.filter) : this.readAllForwards(from, count, filter);
    for (const event of events) await call.send(toReadResp(event));
    call.end();
  }

  private readAllForwards(from: LogPosition | 'start' | 'end', count: number, filter: SubscriptionFilter | undefined): StoredEvent[] {
    if (from === 'end') return [];
    const events: StoredEvent[] = [];
    let position = from === 'start' ? eventLogPosition(0) : from;
    for (;;) {
      const page = this.log.readAllForwards(position, Math.min(READ_BATCH_SIZE, count - events.length), filter?.filter, filter?.maxSearchWindow);
      events.push(...page.events);
      if (page.isEnd || events.length >= count) return events;
      position = page.nextPosition;
    }
  }

  private readAllBackwards(from: LogPosition | 'start' | 'end', count: number, filter: ServerEventFilter = defaultAllFilter): readonly StoredEvent[] {
    if (from === 'start') return [];
    return this.log.readAllBackwards(from === 'end' ? eventLogPosition(this.log.endOfLog()) : from, count, filter);
  }

  private append(call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>): void {
    let options: AppendReq.Options | undefined;
    const proposed: ProposedRecord[] = [];
    let failure: RequestError | undefined;
    call.on('data', (request: AppendReq) => {
      if (failure !== undefined) return;
      try {
        if (options === undefined) {
          if (!request.hasOptions()) throw new RequestError(grpc.status.UNKNOWN, 'the first append message must carry the options');
          options = request.getOptions() as AppendReq.Options;
          return;
        }
        const message = request.getProposedMessage();
        if (message === undefined) throw new RequestError(grpc.status.UNKNOWN, 'append messages after the options must be proposed events');
        proposed.push(proposedRecord(message.getId(), metadataOf(message.getMetadataMap()), message.getData_asU8(), message.getCustomMetadata_asU8()));
      } catch (error) {
        failure = asRequestError(error);
      }
    });
    call.on('end', () => {
      try {
        if (failure !== undefined) throw failure;
        if (options === undefined) throw new RequestError(grpc.status.UNKNOWN, 'append without options');
        const expected = appendExpectation(options);
        callback(null, appendResponse(this.log.write(streamNameFromWire(options.getStreamIdentifier()), expected, proposed), expected));
      } catch (error) {
        const refused = asRequestError(error);
        callback({ code: refused.code, details: refused.message, metadata: refused.metadata() });
      }
    });
  }

  private batchAppend(call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
    const wire = this.track(new WireCall<BatchAppendResp>(call));
    const pending = new Map<string, { readonly streamId: string; readonly expected: ExpectedVersion; readonly events: ProposedRecord[] }>();
    let sending = Promise.resolve();
    const reply = (response: BatchAppendResp): void => {
      sending = sending.then(() => wire.send(response));
    };
    call.on('data', (request: BatchAppendReq) => {
      const correlationId = request.getCorrelationId();
      let streamName: shared.StreamIdentifier | undefined;
      try {
        const key = uuidFromWire(correlationId);
        const options = request.getOptions();
        if (options !== undefined) {
          streamName = options.getStreamIdentifier();
          pending.set(key, { streamId: streamNameFromWire(streamName), expected: batchExpectation(options), events: [] });
        }
        const write = pending.get(key);
        if (write === undefined) return;
        streamName = streamIdentifier(write.streamId);
        for (const message of request.getProposedMessagesList()) {
          write.events.push(proposedRecord(message.getId(), metadataOf(message.getMetadataMap()), message.getData_asU8(), message.getCustomMetadata_asU8()));
        }
        if (!request.getIsFinal()) return;
        pending.delete(key);
        const outcome = this.log.write(write.streamId, write.expected, write.events);
        const response = batchAppendResponse(outcome, write.expected).setStreamIdentifier(streamName);
        if (correlationId !== undefined) response.setCorrelationId(correlationId);
        reply(response);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const response = new BatchAppendResp().setError(
          rpcStatus(Code.INVALID_ARGUMENT, 'BadRequest', new shared.BadRequest().setMessage(message), 'event_store.client.BadRequest'),
        );
        if (correlationId !== undefined) response.setCorrelationId(correlationId);
        if (streamName !== undefined) response.setStreamIdentifier(streamName);
        reply(response);
      }
    });
    call.on('end', () => {
      void sending.then(() => wire.end());
    });
  }
}
