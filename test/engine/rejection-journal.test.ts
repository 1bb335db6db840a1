import { MemoryRejectionJournal } from '../../src/engine/rejection-journal';
import type { RejectedCommand } from '../../src/engine/rejection-journal';
import { engineDriver } from '../support/engine-driver';

const rejection = (n: number): Omit<RejectedCommand, 'sequence'> => ({
  commandId: `c${n}`,
  command: { type: 'RemoveCoupon', data: { cartId: `cart-${n % 3}` } },
  actor: 'alice',
  correlationId: `c${n}`,
  streamId: `cart-${n % 3}`,
  stateRevision: 0,
  error: { kind: 'rejected', code: 'NO_COUPON', message: 'no coupon' },
  rejectedAt: n,
});

describe('the in-memory rejection journal', () => {
  it('keeps the newest entries up to its capacity, in order, and reads on from a sequence', async () => {
    const journal = new MemoryRejectionJournal(5);
    for (let n = 1; n <= 12; n += 1) await journal.record(rejection(n));
    expect((await journal.read()).map((entry) => entry.sequence)).toEqual([8, 9, 10, 11, 12]);
    expect((await journal.read({ after: 9 })).map((entry) => entry.sequence)).toEqual([10, 11, 12]);
    expect((await journal.read({ after: 2, limit: 2 })).map((entry) => entry.sequence)).toEqual([8, 9]);
    expect((await journal.read({ after: 12 })).map((entry) => entry.sequence)).toEqual([]);
    expect((await journal.read({ streamId: 'cart-0' })).map((entry) => entry.commandId)).toEqual(['c9', 'c12']);
    expect((await journal.read({ after: 9.5 })).map((entry) => entry.sequence)).toEqual([10, 11, 12]);
    expect((await journal.read({ after: 9.5, streamId: 'cart-0' })).map((entry) => entry.sequence)).toEqual([12]);
    const empty = new MemoryRejectionJournal(0);
    await empty.record(rejection(1));
    expect(await empty.read()).toEqual([]);
  });

  it('hands out entries and errors nobody can change', async () => {
    const { engine, send } = engineDriver();
    await send({ type: 'OpenCart', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } });
    const outcome = await send({ type: 'RemoveCoupon', data: { cartId: 'c1' } }, 'alice', 'rc-1');
    if (outcome._tag === 'Right') throw new Error('accepted');
    expect(() => {
      (outcome.left as { code: string }).code = 'OK';
    }).toThrow(TypeError);
    const [entry] = await engine.rejections();
    expect(() => {
      (entry as { actor: string }).actor = 'mallory';
    }).toThrow(TypeError);
    expect(await send({ type: 'RemoveCoupon', data: { cartId: 'c1' } }, 'alice', 'rc-1')).toEqual(outcome);
    expect(await engine.rejections()).toEqual([expect.objectContaining({ actor: 'alice', error: expect.objectContaining({ code: 'NO_COUPON' }) })]);
  });
});
