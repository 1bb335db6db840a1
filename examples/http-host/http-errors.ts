import type { CommandError, QueryError } from '../../src';

/** The body of every error response: the engine's (or the host's) stable code and a message for people. */
export interface ErrorBody {
  readonly error: { readonly kind: string; readonly code: string; readonly message: string };
}

export interface HttpError {
  readonly status: number;
  readonly body: ErrorBody;
}

/**
 * `rejected` becomes 409 rather than 422: the request was well formed (that is what `invalid`/400 checks),
 * and the domain refused it because of the state the order, cart or payment is in, which is what 409 says.
 * A `…_NOT_FOUND` rejection names a resource that does not exist, hence 404.
 */
export const statusOfCommandError = (error: CommandError): number => {
  switch (error.kind) {
    case 'invalid':
      return 400;
    case 'rejected':
      return error.code.endsWith('_NOT_FOUND') ? 404 : 409;
    case 'conflict':
      return 409;
    case 'unavailable':
      return 503;
  }
};

export const commandErrorResponse = (error: CommandError): HttpError => ({ status: statusOfCommandError(error), body: { error } });

/** A corrupt document is the host's fault (500); an unreachable read model or one still being built, 503. */
export const queryErrorResponse = (error: QueryError): HttpError => {
  const status =
    error.code === 'NOT_FOUND'
      ? 404
      : error.code === 'INVALID_CURSOR' || error.code === 'INVALID_PAGE_SIZE' || error.code === 'INVALID_QUERY'
        ? 400
        : error.code === 'CORRUPT_DOCUMENT'
          ? 500
          : 503;
  return { status, body: { error: { kind: 'query', code: error.code, message: error.message } } };
};

/** A request the host refuses before it reaches the engine: a missing header, a body that is not an object. */
export const badRequest = (code: string, message: string): HttpError => ({ status: 400, body: { error: { kind: 'invalid', code, message } } });
