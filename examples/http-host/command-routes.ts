import * as E from 'fp-ts/Either';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CommandAccepted, OrderEngine } from '../../src';
import { badRequest, commandErrorResponse, HttpError } from './http-errors';

/**
 * One HTTP route per command a shopper, the back office, a carrier feed or the payment provider sends. The
 * command's data is the JSON body with the path's parameters laid over it (the path wins), so that the URL
 * names what is acted on and the body says how. The engine's codecs validate the result.
 */
interface CommandRoute {
  readonly method: 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly command: string;
  /** The data field that records who acted, filled from `X-Actor`. */
  readonly actorField?: string;
}

export const commandRoutes: readonly CommandRoute[] = [
  { method: 'POST', url: '/carts', command: 'OpenCart' },
  { method: 'POST', url: '/carts/:cartId/items', command: 'AddCartItem' },
  { method: 'PUT', url: '/carts/:cartId/items/:sku/quantity', command: 'ChangeCartItemQuantity' },
  { method: 'DELETE', url: '/carts/:cartId/items/:sku', command: 'RemoveCartItem' },
  { method: 'POST', url: '/carts/:cartId/selected-items', command: 'SelectCartItems' },
  { method: 'POST', url: '/carts/:cartId/deselected-items', command: 'DeselectCartItems' },
  { method: 'PUT', url: '/carts/:cartId/coupon', command: 'ApplyCoupon' },
  { method: 'DELETE', url: '/carts/:cartId/coupon', command: 'RemoveCoupon' },
  { method: 'POST', url: '/carts/:cartId/checkout', command: 'CheckOutCart' },
  { method: 'POST', url: '/payments/:paymentId/provider-callbacks', command: 'RecordProviderCallback' },
  { method: 'POST', url: '/orders/:orderId/shipment', command: 'ShipOrder' },
  { method: 'POST', url: '/orders/:orderId/tracking-updates', command: 'RecordTrackingUpdate' },
  { method: 'POST', url: '/orders/:orderId/delivery', command: 'DeliverOrder' },
  { method: 'POST', url: '/orders/:orderId/completion', command: 'CompleteOrder' },
  { method: 'POST', url: '/orders/:orderId/review', command: 'ReviewOrder' },
  { method: 'POST', url: '/orders/:orderId/cancellation', command: 'CancelOrder' },
  { method: 'POST', url: '/orders/:orderId/after-sales', command: 'RequestAfterSales' },
  { method: 'POST', url: '/orders/:orderId/after-sales/:requestId/approval', command: 'ApproveAfterSales' },
  { method: 'POST', url: '/orders/:orderId/after-sales/:requestId/rejection', command: 'RejectAfterSales' },
  { method: 'POST', url: '/orders/:orderId/after-sales/:requestId/returned-goods', command: 'ReceiveReturnedGoods' },
  { method: 'POST', url: '/orders/:orderId/notes', command: 'AddOrderNote', actorField: 'author' },
];

/** What a command answers: the same for a repeated `Idempotency-Key`, which only adds `Idempotent-Replayed`. */
export interface CommandResponse {
  readonly commandId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly events: readonly { readonly eventId: string; readonly type: string; readonly revision: number; readonly position: number }[];
}

const responseOf = (accepted: CommandAccepted): CommandResponse => ({
  commandId: accepted.commandId,
  streamId: accepted.streamId,
  revision: accepted.revision,
  events: accepted.events.map(({ eventId, type, revision, position }) => ({ eventId, type, revision, position })),
});

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const singleHeader = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

type Prepared = E.Either<HttpError, { readonly commandId: string; readonly actor: string; readonly correlationId: string | undefined; readonly data: Record<string, unknown> }>;

/**
 * `X-Actor` stands in for authentication: a real host takes the actor from a verified credential (a session,
 * a signed token, the provider's signature on its callback), never from a header the caller chooses.
 */
const prepare = (request: FastifyRequest, route: CommandRoute): Prepared => {
  const commandId = singleHeader(request, 'idempotency-key');
  if (commandId === undefined) return E.left(badRequest('IDEMPOTENCY_KEY_REQUIRED', 'a command needs an Idempotency-Key header: retries with the same key are safe'));
  const actor = singleHeader(request, 'x-actor');
  if (actor === undefined) return E.left(badRequest('ACTOR_REQUIRED', 'a command needs an X-Actor header naming who sends it'));
  // No body (a DELETE) is no data; a JSON `null` is a body, and not an object.
  const body: unknown = request.body === undefined ? {} : request.body;
  if (!isPlainObject(body)) return E.left(badRequest('BODY_NOT_AN_OBJECT', 'the request body must be a JSON object'));
  const params = isPlainObject(request.params) ? request.params : {};
  const data = { ...body, ...params, ...(route.actorField === undefined ? {} : { [route.actorField]: actor }) };
  return E.right({ commandId, actor, correlationId: singleHeader(request, 'x-correlation-id'), data });
};

const send = (reply: FastifyReply, response: HttpError): FastifyReply => reply.code(response.status).send(response.body);

export const registerCommandRoutes = (app: FastifyInstance, engine: OrderEngine): void => {
  for (const route of commandRoutes) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        const prepared = prepare(request, route);
        if (E.isLeft(prepared)) return send(reply, prepared.left);
        const { commandId, actor, correlationId, data } = prepared.right;
        const outcome = await engine.execute({ commandId, actor, ...(correlationId === undefined ? {} : { correlationId }), command: { type: route.command, data } });
        if (E.isLeft(outcome)) return send(reply, commandErrorResponse(outcome.left));
        if (outcome.right.duplicate) void reply.header('idempotent-replayed', 'true');
        return reply.code(200).send(responseOf(outcome.right));
      },
    });
  }
};
