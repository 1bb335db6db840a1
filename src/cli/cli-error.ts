/** How the process ends: 0 done, 1 failed (or found tampering), 2 used wrongly. */
export type ExitCode = 0 | 1 | 2;

export const EXIT_OK: ExitCode = 0;
export const EXIT_FAILURE: ExitCode = 1;
export const EXIT_USAGE: ExitCode = 2;

/** Why a command could not do its work: one line for people, a stable code, and how the process exits. */
export interface CliError {
  readonly code: string;
  readonly message: string;
  readonly exitCode: ExitCode;
}

export const usageError = (code: string, message: string): CliError => ({ code, message, exitCode: EXIT_USAGE });

export const failure = (code: string, message: string): CliError => ({ code, message, exitCode: EXIT_FAILURE });

/** Any error value of the library, as a failure of the command. */
export const failureOf = (error: { readonly code: string; readonly message: string }): CliError => failure(error.code, error.message);

/** Errors are printed on one line, whatever the messages they quote. */
export const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();
