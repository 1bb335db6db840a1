import { fail } from 'node:assert';
import * as E from 'fp-ts/Either';

/** The success a step of a case needs before it can go on; a failure fails the case, showing the error. */
export const rightOrThrow = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) fail(`expected success, got ${JSON.stringify(either.left)}`);
  return either.right;
};

/** The failure a case expects; a success fails the case, showing what was returned. */
export const leftOf = <L>(either: E.Either<L, unknown>): L => {
  if (E.isRight(either)) fail(`expected a failure, got success ${JSON.stringify(either.right)}`);
  return either.left;
};

/** The error code of a failure, undefined for a success. */
export const codeOf = (either: E.Either<{ readonly code: string }, unknown>): string | undefined => (E.isLeft(either) ? either.left.code : undefined);
