/**
 * Why a bench run cannot report a figure: a command was not accepted, or the store does not hold what the
 * workload wrote. Thrown inside a run and turned into a non-zero exit, never into a number.
 */
export class BenchFailure extends Error {
  override readonly name = 'BenchFailure';
}
