import * as E from 'fp-ts/Either';
import Fastify, { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildAndActivate, createEngine, logisticsProjection, MemoryReadModelStore, orderHistoryProjection } from '../../src';
import type { ActivationFailure, Clock, EventStore, OrderEngine, ProcessManagerFailure, ProjectionDefinition, ProjectionRunner, ReadModelStore } from '../../src';
import { registerCommandRoutes } from './command-routes';
import { openEventStore } from './event-store-choice';
import { registerQueryRoutes } from './query-routes';

export interface HostOptions {
  /** `memory:` (the default), `postgres://…`: see `ORDERSOURCE_EVENT_STORE` in the README. */
  readonly eventStoreUrl?: string | undefined;
  readonly clock?: Clock;
  /** How often due deadlines (unpaid orders' expiry) are fired. Default 5 s. */
  readonly deadlineIntervalMs?: number;
  /** Fastify's request log. Default off. */
  readonly logger?: boolean;
}

/** What a caller (or a test) may wait on: a projection's progress, independent of its event type. */
export type RunningProjection = Pick<ProjectionRunner<unknown>, 'whenCaughtUp' | 'whenProcessed' | 'status'>;

export interface Host {
  readonly app: FastifyInstance;
  readonly engine: OrderEngine;
  readonly readModels: ReadModelStore;
  readonly projections: { readonly orderHistory: RunningProjection; readonly logistics: RunningProjection };
  /** Listens on `port` (0: any free one) and resolves to the base URL. */
  listen(port: number, host?: string): Promise<string>;
  /** Stops taking requests, lets those in flight finish, then stops the timer, projections, engine and store. */
  close(): Promise<void>;
}

const DEFAULT_DEADLINE_INTERVAL_MS = 5_000;

/**
 * Fastify's own 4xx (an unparsable JSON body, an unsupported content type, a body too large) keep their
 * status; anything else reaching here is a defect of the host, and only that is a 500.
 */
const errorStatus = (error: FastifyError): number => (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500);

/**
 * The host's own codes for what Fastify refuses before a route runs: clients see the codes the README lists,
 * not a framework's, which would change with it.
 */
const FRAMEWORK_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BODY_EMPTY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BODY_NOT_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_CONTENT_LENGTH',
  FST_ERR_BAD_URL: 'BAD_URL',
};

const hostCodeOf = (error: FastifyError): string => (error.code !== undefined && Object.hasOwn(FRAMEWORK_CODES, error.code) ? (FRAMEWORK_CODES[error.code] as string) : 'BAD_REQUEST');

/**
 * Ids in paths may be the engine's longest (128 characters, 256 for derived ones), percent-encoded at up to
 * 12 characters each: Fastify's default of 100 answered 414 for an order the host had just placed.
 */
const MAX_PATH_PARAMETER_LENGTH = 256 * 12;
/** A client that sends half a body and stalls must not hold a request, or the host's shutdown, for ever. */
const REQUEST_TIMEOUT_MS = 30_000;
/** How long a shutdown lets requests in flight finish before it closes their connections. */
const SHUTDOWN_GRACE_MS = 10_000;

const closingError = { error: { kind: 'unavailable', code: 'HOST_CLOSING', message: 'the host is shutting down: try another, or again once it is back' } };

const buildApp = (engine: OrderEngine, readModels: ReadModelStore, logger: boolean, isClosing: () => boolean): FastifyInstance => {
  const app = Fastify({
    logger,
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Node checks the timeouts only every `connectionsCheckingInterval` (30 s by default), and gives headers
    // 60 s of their own: without these, a stalled request went on for over a minute.
    http: { headersTimeout: REQUEST_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1_000 },
    // Fastify's own 503 while closing has a body of its own shape: the hook below answers in the host's.
    return503OnClosing: false,
    // Errors Fastify meets before routing (a path whose percent-encoding is broken) get the same body as any.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      void reply.code(errorStatus(error)).send({ error: { kind: 'invalid', code: hostCodeOf(error), message: error.message } });
    },
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = errorStatus(error);
    if (status === 500) request.log.error({ err: error }, 'unexpected failure');
    const code = status === 500 ? 'INTERNAL_ERROR' : hostCodeOf(error);
    const message = status === 500 ? 'the host failed unexpectedly' : error.message;
    return reply.code(status).send({ error: { kind: status === 500 ? 'internal' : 'invalid', code, message } });
  });
  // While closing, a new request is refused, and every answer closes its connection: a client's keep-alive
  // connection would otherwise hold the shutdown until its timeout (72 s).
  app.addHook('onRequest', async (_request, reply) => {
    if (isClosing()) await reply.code(503).header('connection', 'close').send(closingError);
  });
  app.addHook('onSend', async (_request, reply) => {
    if (isClosing()) void reply.header('connection', 'close');
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { kind: 'invalid', code: 'ROUTE_NOT_FOUND', message: `there is no route ${request.method} ${request.url.split('?')[0] ?? ''}` } }),
  );
  registerCommandRoutes(app, engine);
  registerQueryRoutes(app, readModels);
  return app;
};

const activate = async <Ev>(eventStore: EventStore, readModels: ReadModelStore, projection: ProjectionDefinition<Ev>): Promise<E.Either<string, ProjectionRunner<Ev>>> => {
  // A server restarting under the host stops a runner; it starts again by itself rather than serve stale reads.
  const runner = await buildAndActivate({ eventStore, readModels, projection, restartAfterStoreFailure: {} });
  return E.mapLeft((failure: ActivationFailure) => `projection ${projection.name} could not start: ${failure.message}`)(runner);
};

/**
 * Opens the event store, starts the engine and, beside it, the order-history and logistics projections into
 * in-memory read models (rebuilt at every start; the PostgreSQL or MongoDB read-model store could be passed
 * the same way, and would resume from its checkpoints), and builds the HTTP routes. Nothing listens until `listen`.
 */
export const buildServer = async (options: HostOptions = {}): Promise<E.Either<string, Host>> => {
  const opened = await openEventStore(options.eventStoreUrl);
  if (E.isLeft(opened)) return opened;
  const eventStore = opened.right;
  // The process manager may report before the app (and its log) exists: reports wait for it, unlost.
  const reported: ProcessManagerFailure[] = [];
  let report = (failure: ProcessManagerFailure): void => {
    reported.push(failure);
  };
  const engine = createEngine({
    eventStore,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    onProcessManagerFailure: (failure) => report(failure),
  });
  const readModels = new MemoryReadModelStore();
  const abandon = async (reason: string, started: readonly Pick<ProjectionRunner<unknown>, 'stop'>[]): Promise<E.Either<string, Host>> => {
    for (const runner of started) await runner.stop();
    await engine.close();
    await eventStore.close();
    return E.left(reason);
  };
  const orderHistory = await activate(eventStore, readModels, orderHistoryProjection);
  if (E.isLeft(orderHistory)) return abandon(orderHistory.left, []);
  const logistics = await activate(eventStore, readModels, logisticsProjection);
  if (E.isLeft(logistics)) return abandon(logistics.left, [orderHistory.right]);
  let closing: Promise<void> | undefined;
  const app = buildApp(engine, readModels, options.logger ?? false, () => closing !== undefined);
  report = (failure) => {
    const { position, eventId, error, retryInMs } = failure;
    const outcome = retryInMs === undefined ? 'given up' : `tried again in ${retryInMs} ms`;
    app.log.error({ position, eventId, code: error.code }, `the process manager could not react to an event (${outcome}): ${error.message}`);
  };
  reported.splice(0).forEach(report);

  // One run at a time: a slow store must not pile up overlapping runs.
  let deadlineRun: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    deadlineRun = deadlineRun.then(() => engine.runDueDeadlines()).catch((cause: unknown) => app.log.error({ err: cause }, 'running due deadlines failed'));
  }, options.deadlineIntervalMs ?? DEFAULT_DEADLINE_INTERVAL_MS);
  timer.unref();

  const close = async (): Promise<void> => {
    clearInterval(timer);
    const force = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    force.unref();
    await app.close();
    clearTimeout(force);
    await deadlineRun;
    await orderHistory.right.stop();
    await logistics.right.stop();
    await engine.close();
    await readModels.close();
    // The engine leaves open a store it was given: the host opened it, so the host closes it.
    await eventStore.close();
  };

  return E.right({
    app,
    engine,
    readModels,
    projections: { orderHistory: orderHistory.right, logistics: logistics.right },
    listen: (port, host = '127.0.0.1') => app.listen({ port, host }),
    close: () => (closing ??= close()),
  });
};
