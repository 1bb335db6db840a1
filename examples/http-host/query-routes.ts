import * as E from 'fp-ts/Either';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { awaitingShipment, customerOrders, inTransitByCarrier, orderDetail, shipmentOfOrder } from '../../src';
import type { PageRequest, QueryError, ReadModelStore } from '../../src';
import { badRequest, HttpError, queryErrorResponse } from './http-errors';

const PAGE_SIZE = /^[0-9]{1,7}$/;

/** `?limit=` and `?after=` as the queries take them; anything else in their place is a 400, not a guess. */
const pageRequestOf = (request: FastifyRequest): E.Either<HttpError, PageRequest> => {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const { limit, after } = query;
  if (limit !== undefined && (typeof limit !== 'string' || !PAGE_SIZE.test(limit))) return E.left(badRequest('INVALID_PAGE_SIZE', 'limit must be a whole number'));
  if (after !== undefined && typeof after !== 'string') return E.left(badRequest('INVALID_CURSOR', 'after must be one cursor a previous page returned'));
  return E.right({ ...(limit === undefined ? {} : { limit: Number(limit) }), ...(after === undefined ? {} : { after }) });
};

const paramOf = (request: FastifyRequest, name: string): string => {
  const params = request.params as Record<string, unknown>;
  const value = params[name];
  return typeof value === 'string' ? value : '';
};

const answer = <A>(reply: FastifyReply, result: E.Either<QueryError, A>): FastifyReply => {
  if (E.isRight(result)) return reply.code(200).send(result.right);
  const { status, body } = queryErrorResponse(result.left);
  return reply.code(status).send(body);
};

const refuse = (reply: FastifyReply, error: HttpError): FastifyReply => reply.code(error.status).send(error.body);

/** Queries read the projections' active versions: they lag the commands by the projections' latency. */
export const registerQueryRoutes = (app: FastifyInstance, readModels: ReadModelStore): void => {
  app.get('/customers/:customerId/orders', async (request, reply) => {
    const page = pageRequestOf(request);
    if (E.isLeft(page)) return refuse(reply, page.left);
    return answer(reply, await customerOrders(readModels, paramOf(request, 'customerId'), page.right));
  });
  app.get('/customers/:customerId/orders/:orderId', async (request, reply) =>
    answer(reply, await orderDetail(readModels, paramOf(request, 'customerId'), paramOf(request, 'orderId'))),
  );
  app.get('/logistics/awaiting-shipment', async (request, reply) => {
    const page = pageRequestOf(request);
    if (E.isLeft(page)) return refuse(reply, page.left);
    return answer(reply, await awaitingShipment(readModels, page.right));
  });
  app.get('/logistics/in-transit', async (_request, reply) => answer(reply, E.map((carriers: unknown) => ({ carriers }))(await inTransitByCarrier(readModels))));
  app.get('/orders/:orderId/shipment', async (request, reply) => answer(reply, await shipmentOfOrder(readModels, paramOf(request, 'orderId'))));
};
