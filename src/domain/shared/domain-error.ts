/**
 * A rejected decision. `code` is stable (hosts switch on it); `message` is for people.
 */
export interface DomainError {
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export const domainError = (
  code: string,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): DomainError => (details === undefined ? { code, message } : { code, message, details });

/** Whether a value from code the domain does not control (a host's policy) is a domain error. */
export const isDomainError = (value: unknown): value is DomainError =>
  typeof value === 'object' && value !== null && typeof (value as DomainError).code === 'string' && typeof (value as DomainError).message === 'string';
