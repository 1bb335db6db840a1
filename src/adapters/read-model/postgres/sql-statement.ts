/** A parameterised statement, as `pg` takes it. */
export interface SqlStatement {
  readonly text: string;
  readonly values: unknown[];
}
