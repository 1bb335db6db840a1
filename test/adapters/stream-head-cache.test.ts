import { StreamHeadCache } from '../../src/adapters/event-store/stream-head-cache';

const head = (revision: number) => ({ revision, hash: `hash-${revision}` });

describe('the event-store adapters’ cache of stream heads', () => {
  it('takes a head learned from a read only when it is further along than the one it holds', () => {
    const cache = new StreamHeadCache(10);
    cache.learn('s', head(3));
    expect(cache.get('s')).toEqual(head(3));

    // A read that began before this store's own write ends on an older head: the write's head stays.
    cache.set('s', head(5));
    cache.learn('s', head(4));
    expect(cache.get('s')).toEqual(head(5));

    cache.learn('s', head(7));
    expect(cache.get('s')).toEqual(head(7));
  });

  it('lets its own writes set any head, and forgets a head on request', () => {
    const cache = new StreamHeadCache(10);
    cache.set('s', head(5));
    cache.set('s', head(2));
    expect(cache.get('s')).toEqual(head(2));
    cache.forget('s');
    expect(cache.get('s')).toBeUndefined();
    cache.learn('s', head(1));
    expect(cache.get('s')).toEqual(head(1));
  });

  it('keeps the most recently used heads, learned or written, up to its capacity', () => {
    const cache = new StreamHeadCache(2);
    cache.set('a', head(1));
    cache.learn('b', head(1));
    cache.get('a');
    cache.learn('c', head(1));
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([head(1), undefined, head(1)]);
  });
});
