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

/**
 * Control, format and line-separator characters other than tabs: a byte-order mark, a zero-width space, an
 * escape sequence, U+2028 (which some terminals and log viewers take for a line break).
 */
const INVISIBLE = /(?!\t)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** `<U+000A>`: a character named by its code point, for one that would show as nothing or move the cursor. */
export const codePointOf = (character: string): string => `<U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}>`;

/**
 * Errors are printed on one line, whatever the messages they quote. A quoted character that shows as nothing
 * (or moves the cursor) is named instead, so that the line shows what is wrong with the input.
 */
export const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim().replace(INVISIBLE, codePointOf);
