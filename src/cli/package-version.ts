import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PackageManifest = t.type({ name: t.string, version: t.string });

const manifestAt = (path: string): t.TypeOf<typeof PackageManifest> | undefined => {
  try {
    const decoded = PackageManifest.decode(JSON.parse(readFileSync(path, 'utf8')));
    return E.isRight(decoded) ? decoded.right : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The directory of the `ordersource` package that holds `from`. The CLI runs from src/cli, dist/cjs/cli or
 * dist/esm/cli, at different depths, and a build may leave package.json files of its own (dist/package.json)
 * on the way up: the first manifest named `ordersource` is the package's.
 */
export const packageRootOf = (from: string): string | undefined => {
  for (let directory = from; ; directory = dirname(directory)) {
    if (manifestAt(join(directory, 'package.json'))?.name === 'ordersource') return directory;
    if (dirname(directory) === directory) return undefined;
  }
};

/** The version of the `ordersource` package that holds `from`. */
export const packageVersion = (from: string): string => {
  const root = packageRootOf(from);
  return (root === undefined ? undefined : manifestAt(join(root, 'package.json'))?.version) ?? 'unknown';
};
