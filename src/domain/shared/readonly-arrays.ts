/*
 * Copy-on-write updates of readonly arrays for the deciders' evolve functions, which run once per event
 * on every replay. Each allocates one array of exactly the size it ends up with and copies in a plain
 * loop: no spread, no intermediate arrays, no spare capacity kept alive with the state that holds it (a
 * `push` onto an empty array reserves room for 17 elements).
 */

/** `items` with `item` after the last element. */
export const appendItem = <T>(items: readonly T[], item: T): readonly T[] => {
  const copy = new Array<T>(items.length + 1);
  for (let index = 0; index < items.length; index += 1) copy[index] = items[index] as T;
  copy[items.length] = item;
  return copy;
};

/** `items` with the element at `at` replaced by `item`. */
export const replaceItem = <T>(items: readonly T[], at: number, item: T): readonly T[] => {
  const copy = new Array<T>(items.length);
  for (let index = 0; index < items.length; index += 1) copy[index] = index === at ? item : (items[index] as T);
  return copy;
};

/** `items` without the element at `at`. */
export const removeItem = <T>(items: readonly T[], at: number): readonly T[] => {
  const copy = new Array<T>(items.length - 1);
  for (let index = 0, kept = 0; index < items.length; index += 1) if (index !== at) copy[kept++] = items[index] as T;
  return copy;
};

/** `items` mapped by `change`, or `items` itself when `change` returned every element unchanged. */
export const mapItems = <T>(items: readonly T[], change: (item: T) => T): readonly T[] => {
  let copy: T[] | undefined;
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index] as T;
    const changed = change(item);
    if (changed !== item) {
      copy ??= items.slice();
      copy[index] = changed;
    }
  }
  return copy ?? items;
};

/** The elements of `items` that `keep` accepts, in order, or `items` itself when it accepts them all. */
export const filterItems = <T>(items: readonly T[], keep: (item: T) => boolean): readonly T[] => {
  let kept = 0;
  for (const item of items) if (keep(item)) kept += 1;
  if (kept === items.length) return items;
  const copy = new Array<T>(kept);
  let next = 0;
  for (const item of items) if (keep(item)) copy[next++] = item;
  return copy;
};
