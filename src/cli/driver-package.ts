import { messageOf } from '../engine/error-message';

/** Whether loading threw because `driver` itself is not installed, not because something it needs is missing. */
const isNotInstalled = (error: unknown, driver: string): boolean => {
  const code = (error as { readonly code?: unknown } | null)?.code;
  return (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && messageOf(error).includes(`'${driver}'`);
};

/**
 * Why a URL whose scheme needs a driver (an optional peer dependency) cannot be opened, when loading the
 * driver threw: one not installed is said in one line with how to install it, where Node's message goes on
 * with the whole require stack and buries what to do.
 */
export const driverLoadFailure = (error: unknown, scheme: string, driver: string): string =>
  isNotInstalled(error, driver) ? `${scheme} needs the ${driver} package, which is not installed here: npm install ${driver}` : `${messageOf(error)} (${scheme} needs the ${driver} package)`;
