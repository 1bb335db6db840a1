import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import { orderDecider } from '../../src/domain/order/decider';
import { replay } from '../../src/domain/shared/decider';
import type { OrderEvent } from '../../src/domain/order/events';
import { deciderSpecification } from '../../src/testing';
import {
  AFTER_SALES_DEADLINE,
  address,
  cny,
  DELIVERED_AT,
  orderDelivered,
  orderPaid,
  orderPlaced,
  orderShipped,
  PAYMENT_DEADLINE,
  PLACED_AT,
  pricing,
} from '../support/fixtures';

const at = (now: number) => deciderSpecification(orderDecider(), { now });
const spec = at(PLACED_AT);
const paidOrder = [orderPlaced, orderPaid];
const delivered = [...paidOrder, orderShipped, orderDelivered];
const completed: OrderEvent[] = [...delivered, { type: 'OrderCompleted', data: { orderId: 'o1', pointsEarned: 138 } }];
const requested = (requestId: string, kind: 'return' | 'refund', sku: string, quantity: number, amount: number): OrderEvent => ({
  type: 'AfterSalesRequested',
  data: { orderId: 'o1', requestId, kind, lines: [{ sku, quantity, amount }], refundAmount: cny(amount), reason: 'damaged' },
});

describe('order', () => {
  describe('placing', () => {
    it('places an order whose prices add up', () =>
      spec
        .given([])
        .when({ type: 'PlaceOrder', data: { orderId: 'o1', cartId: 'c1', customerId: 'alice', shippingAddress: address, paymentMethod: 'card', pricing, paymentDeadline: PAYMENT_DEADLINE } })
        .then([orderPlaced]));

    it('refuses prices that do not add up, and a second placement', () => {
      spec
        .given([])
        .when({
          type: 'PlaceOrder',
          data: { orderId: 'o1', cartId: 'c1', customerId: 'alice', shippingAddress: address, paymentMethod: 'card', pricing: { ...pricing, total: 1 }, paymentDeadline: PAYMENT_DEADLINE },
        })
        .thenRejects('PRICING_INCONSISTENT');
      spec.given([orderPlaced]).when({ type: 'PlaceOrder', data: orderPlaced.data as never }).thenRejects('ORDER_ALREADY_PLACED');
    });

    it('refuses a SKU on two lines, which after-sales could not tell apart, and shipping charged above its fee', () => {
      const place = (priced: typeof pricing) =>
        spec
          .given([])
          .when({ type: 'PlaceOrder', data: { orderId: 'o1', cartId: 'c1', customerId: 'alice', shippingAddress: address, paymentMethod: 'card', pricing: priced, paymentDeadline: PAYMENT_DEADLINE } });
      const [tea, cup] = pricing.lines;
      place({ ...pricing, lines: [tea!, { ...cup!, sku: 'tea' }] }).thenRejects('PRICING_INCONSISTENT');
      place({ ...pricing, lines: [tea!, { ...cup!, paidAmount: 2000 }], shippingPaid: 1800 }).thenRejects('PRICING_INCONSISTENT');
    });

    it('refuses any other command for an order that was never placed', () =>
      spec.given([]).when({ type: 'ShipOrder', data: { orderId: 'o1', carrier: 'SF', trackingNumber: 'SF1' } }).thenRejects('ORDER_NOT_FOUND'));
  });

  describe('payment', () => {
    it('is marked paid with exactly the amount due', () => {
      spec.given([orderPlaced]).when({ type: 'MarkOrderPaid', data: { orderId: 'o1', paymentId: 'o1', amount: cny(13800) } }).then([orderPaid]);
      spec.given([orderPlaced]).when({ type: 'MarkOrderPaid', data: { orderId: 'o1', paymentId: 'o1', amount: cny(13799) } }).thenRejects('PAYMENT_AMOUNT_MISMATCH');
      spec
        .given([orderPlaced])
        .when({ type: 'MarkOrderPaid', data: { orderId: 'o1', paymentId: 'o1', amount: { amount: 13800, currency: 'EUR' } } })
        .thenRejects('PAYMENT_AMOUNT_MISMATCH');
      expect(spec.given([orderPlaced]).when({ type: 'MarkOrderPaid', data: { orderId: 'o1', paymentId: 'o1', amount: cny(13799) } }).decision).toMatchObject({
        left: { message: 'order o1 is due 138.00 CNY' },
      });
    });

    it('cannot be paid twice', () =>
      spec.given(paidOrder).when({ type: 'MarkOrderPaid', data: { orderId: 'o1', paymentId: 'p2', amount: cny(13800) } }).thenRejects('INVALID_ORDER_STATUS'));

    it('takes the payment that paid it, reported again, as nothing to do, whatever became of the order since', () => {
      const again = { type: 'MarkOrderPaid', data: { orderId: 'o1', paymentId: 'o1', amount: cny(13800) } } as const;
      spec.given(paidOrder).when(again).then([]);
      spec.given(delivered).when(again).then([]);
      spec.given([...paidOrder, { type: 'OrderCancelled', data: { orderId: 'o1', reason: 'gone', paymentId: 'o1', refundDue: cny(13800) } }]).when(again).then([]);
    });
  });

  describe('unpaid expiry', () => {
    it('expires an unpaid order once its deadline has passed', () =>
      at(PAYMENT_DEADLINE).given([orderPlaced]).when({ type: 'ExpireUnpaidOrder', data: { orderId: 'o1' } }).then([
        { type: 'OrderExpired', data: { orderId: 'o1', paymentDeadline: PAYMENT_DEADLINE } },
      ]));

    it('refuses before the deadline, and for a paid order', () => {
      at(PAYMENT_DEADLINE - 1).given([orderPlaced]).when({ type: 'ExpireUnpaidOrder', data: { orderId: 'o1' } }).thenRejects('PAYMENT_DEADLINE_NOT_REACHED');
      at(PAYMENT_DEADLINE + 1).given(paidOrder).when({ type: 'ExpireUnpaidOrder', data: { orderId: 'o1' } }).thenRejects('INVALID_ORDER_STATUS');
    });
  });

  describe('cancellation', () => {
    it('cancels an unpaid order with nothing to refund', () =>
      spec.given([orderPlaced]).when({ type: 'CancelOrder', data: { orderId: 'o1', reason: 'changed my mind' } }).then([
        { type: 'OrderCancelled', data: { orderId: 'o1', reason: 'changed my mind', paymentId: null, refundDue: cny(0) } },
      ]));

    it('cancels a paid order with the whole payment due back', () =>
      spec.given(paidOrder).when({ type: 'CancelOrder', data: { orderId: 'o1', reason: 'changed my mind' } }).then([
        { type: 'OrderCancelled', data: { orderId: 'o1', reason: 'changed my mind', paymentId: 'o1', refundDue: cny(13800) } },
      ]));

    it('refuses once shipped: a shipped order can only be returned', () => {
      spec.given([...paidOrder, orderShipped]).when({ type: 'CancelOrder', data: { orderId: 'o1', reason: 'late' } }).thenRejects('ORDER_ALREADY_SHIPPED');
      spec.given(delivered).when({ type: 'CancelOrder', data: { orderId: 'o1', reason: 'late' } }).thenRejects('ORDER_ALREADY_SHIPPED');
    });

    it('records the refund that the cancellation owes, once', () => {
      const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId: 'o1', reason: 'x', paymentId: 'o1', refundDue: cny(13800) } };
      const refunded: OrderEvent = { type: 'OrderRefunded', data: { orderId: 'o1', refundId: 'cancellation', amount: cny(13800) } };
      spec.given([...paidOrder, cancelled]).when({ type: 'RecordOrderRefund', data: { orderId: 'o1', refundId: 'cancellation', amount: cny(13800) } }).then([refunded]);
      spec
        .given([...paidOrder, cancelled, refunded])
        .when({ type: 'RecordOrderRefund', data: { orderId: 'o1', refundId: 'cancellation', amount: cny(13800) } })
        .thenRejects('REFUND_NOT_DUE');
    });

    it("owes no refund under an id it was never due, whatever the id: Object's own fields are none", () => {
      const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId: 'o1', reason: 'x', paymentId: 'o1', refundDue: cny(13800) } };
      for (const refundId of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
        spec.given([...paidOrder, cancelled]).when({ type: 'RecordOrderRefund', data: { orderId: 'o1', refundId, amount: cny(13800) } }).thenRejects('REFUND_NOT_DUE');
      }
      expect(spec.given([...paidOrder, cancelled]).when({ type: 'RecordOrderRefund', data: { orderId: 'o1', refundId: 'cancellation', amount: cny(100) } }).decision).toMatchObject({
        left: { code: 'REFUND_AMOUNT_MISMATCH', message: 'refund cancellation of order o1 is 138.00 CNY' },
      });
    });
  });

  describe('fulfilment', () => {
    it('ships a paid order, not an unpaid one', () => {
      spec.given(paidOrder).when({ type: 'ShipOrder', data: { orderId: 'o1', carrier: 'SF-Express', trackingNumber: 'SF1' } }).then([orderShipped]);
      spec.given([orderPlaced]).when({ type: 'ShipOrder', data: { orderId: 'o1', carrier: 'SF-Express', trackingNumber: 'SF1' } }).thenRejects('INVALID_ORDER_STATUS');
    });

    it('records tracking updates with the shipment they belong to', () =>
      spec
        .given([...paidOrder, orderShipped])
        .when({ type: 'RecordTrackingUpdate', data: { orderId: 'o1', status: 'in-transit', description: 'Left the hub', location: 'Hangzhou' } })
        .then([
          {
            type: 'OrderTrackingUpdated',
            data: { orderId: 'o1', carrier: 'SF-Express', trackingNumber: 'SF1', status: 'in-transit', description: 'Left the hub', location: 'Hangzhou' },
          },
        ]));

    it('delivers, opening the after-sales window from the delivery time', () =>
      at(DELIVERED_AT).given([...paidOrder, orderShipped]).when({ type: 'DeliverOrder', data: { orderId: 'o1' } }).then([orderDelivered]));

    it("refuses to deliver under an after-sales window no event could hold, rather than store an order no one could read", () => {
      for (const afterSalesWindowMs of [1.5, Number.NaN, Number.POSITIVE_INFINITY, -1, Number.MAX_SAFE_INTEGER]) {
        deciderSpecification(orderDecider({ afterSalesWindowMs }), { now: DELIVERED_AT })
          .given([...paidOrder, orderShipped])
          .when({ type: 'DeliverOrder', data: { orderId: 'o1' } })
          .thenRejects('ORDER_POLICY_INVALID');
      }
    });

    it('completes a delivered order, and takes one review once completed', () => {
      spec.given(delivered).when({ type: 'CompleteOrder', data: { orderId: 'o1', pointsEarned: 138 } }).then([completed[completed.length - 1]!]);
      spec.given(delivered).when({ type: 'ReviewOrder', data: { orderId: 'o1', rating: 5, comment: null } }).thenRejects('INVALID_ORDER_STATUS');
      const reviewed: OrderEvent = { type: 'OrderReviewed', data: { orderId: 'o1', rating: 5, comment: 'great' } };
      spec.given(completed).when({ type: 'ReviewOrder', data: { orderId: 'o1', rating: 5, comment: 'great' } }).then([reviewed]);
      spec.given([...completed, reviewed]).when({ type: 'ReviewOrder', data: { orderId: 'o1', rating: 1, comment: null } }).thenRejects('ORDER_ALREADY_REVIEWED');
    });

    it('takes customer-service notes at any point after placement', () => {
      const note = { type: 'AddOrderNote' as const, data: { orderId: 'o1', author: 'agent-7', text: 'Customer called' } };
      for (const history of [[orderPlaced], paidOrder, completed]) spec.given(history).when(note).then([{ type: 'OrderNoteAdded', data: note.data }]);
    });
  });

  describe('after-sales', () => {
    const within = at(DELIVERED_AT + 1000);

    it('prices a request per line from what was paid for it', () =>
      within
        .given(delivered)
        .when({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId: 'r1', kind: 'refund', lines: [{ sku: 'tea', quantity: 1 }], reason: 'damaged' } })
        .then([requested('r1', 'refund', 'tea', 1, 5000)]));

    it('refuses after the window, for unknown lines, and for more units than bought', () => {
      at(AFTER_SALES_DEADLINE + 1)
        .given(delivered)
        .when({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId: 'r1', kind: 'refund', lines: [{ sku: 'tea', quantity: 1 }], reason: 'x' } })
        .thenRejects('AFTER_SALES_WINDOW_CLOSED');
      within
        .given(delivered)
        .when({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId: 'r1', kind: 'refund', lines: [{ sku: 'kettle', quantity: 1 }], reason: 'x' } })
        .thenRejects('LINE_NOT_FOUND');
      within
        .given([...delivered, requested('r1', 'refund', 'tea', 1, 5000)])
        .when({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId: 'r2', kind: 'return', lines: [{ sku: 'tea', quantity: 2 }], reason: 'x' } })
        .thenRejects('AFTER_SALES_QUANTITY_EXCEEDED');
      spec
        .given(paidOrder)
        .when({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId: 'r1', kind: 'refund', lines: [{ sku: 'tea', quantity: 1 }], reason: 'x' } })
        .thenRejects('INVALID_ORDER_STATUS');
    });

    it("refuses the request ids of the engine's own refunds, which its refund would be taken for", () => {
      for (const requestId of ['cancellation', 'late-capture']) {
        within
          .given(delivered)
          .when({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId, kind: 'refund', lines: [{ sku: 'tea', quantity: 1 }], reason: 'x' } })
          .thenRejects('RESERVED_REQUEST_ID');
      }
    });

    it('approves a refund request with the money due now; rejects with a reason', () => {
      const history = [...delivered, requested('r1', 'refund', 'tea', 1, 5000)];
      within.given(history).when({ type: 'ApproveAfterSales', data: { orderId: 'o1', requestId: 'r1' } }).then([
        { type: 'AfterSalesApproved', data: { orderId: 'o1', requestId: 'r1', kind: 'refund', paymentId: 'o1', refundDue: cny(5000) } },
      ]);
      within.given(history).when({ type: 'RejectAfterSales', data: { orderId: 'o1', requestId: 'r1', reason: 'no photo' } }).then([
        { type: 'AfterSalesRejected', data: { orderId: 'o1', requestId: 'r1', reason: 'no photo' } },
      ]);
      within.given(history).when({ type: 'ApproveAfterSales', data: { orderId: 'o1', requestId: 'r9' } }).thenRejects('AFTER_SALES_REQUEST_NOT_FOUND');
    });

    it('a return is refunded once the goods are back', () => {
      const approved: OrderEvent = { type: 'AfterSalesApproved', data: { orderId: 'o1', requestId: 'r1', kind: 'return', paymentId: 'o1', refundDue: cny(3000) } };
      const history = [...delivered, requested('r1', 'return', 'cup', 1, 3000), approved];
      within
        .given(history)
        .when({ type: 'RecordOrderRefund', data: { orderId: 'o1', refundId: 'r1', amount: cny(3000) } })
        .thenRejects('REFUND_NOT_DUE');
      const received: OrderEvent = { type: 'ReturnedGoodsReceived', data: { orderId: 'o1', requestId: 'r1', paymentId: 'o1', refundDue: cny(3000) } };
      within.given(history).when({ type: 'ReceiveReturnedGoods', data: { orderId: 'o1', requestId: 'r1' } }).then([received]);
      const refunded = within.given([...history, received]).when({ type: 'RecordOrderRefund', data: { orderId: 'o1', refundId: 'r1', amount: cny(3000) } });
      refunded.then([{ type: 'OrderRefunded', data: { orderId: 'o1', refundId: 'r1', amount: cny(3000) } }]);
      within
        .given([...delivered, requested('r2', 'refund', 'cup', 1, 3000), { ...approved, data: { ...approved.data, requestId: 'r2', kind: 'refund' } }])
        .when({ type: 'ReceiveReturnedGoods', data: { orderId: 'o1', requestId: 'r2' } })
        .thenRejects('NOT_A_RETURN');
    });

    it('settles a refund of nothing as it falls due, so the request ends refunded', () => {
      const nothingDue = (requestId: string) => ({ type: 'OrderRefunded', data: { orderId: 'o1', refundId: requestId, amount: cny(0) } }) as const;
      const refund = [...delivered, requested('r1', 'refund', 'cup', 1, 0)];
      const approvedRefund: OrderEvent = { type: 'AfterSalesApproved', data: { orderId: 'o1', requestId: 'r1', kind: 'refund', paymentId: 'o1', refundDue: cny(0) } };
      within.given(refund).when({ type: 'ApproveAfterSales', data: { orderId: 'o1', requestId: 'r1' } }).then([approvedRefund, nothingDue('r1')]);
      const note = { type: 'AddOrderNote', data: { orderId: 'o1', author: 'agent-7', text: 'checked' } } as const;
      expect(within.given([...refund, approvedRefund, nothingDue('r1')]).when(note).state).toMatchObject({ afterSales: [{ requestId: 'r1', status: 'refunded' }], refundsDue: {} });

      const approvedReturn: OrderEvent = { type: 'AfterSalesApproved', data: { orderId: 'o1', requestId: 'r2', kind: 'return', paymentId: 'o1', refundDue: cny(0) } };
      const returned = [...delivered, requested('r2', 'return', 'cup', 1, 0), approvedReturn];
      within.given([...delivered, requested('r2', 'return', 'cup', 1, 0)]).when({ type: 'ApproveAfterSales', data: { orderId: 'o1', requestId: 'r2' } }).then([approvedReturn]);
      within.given(returned).when({ type: 'ReceiveReturnedGoods', data: { orderId: 'o1', requestId: 'r2' } }).then([
        { type: 'ReturnedGoodsReceived', data: { orderId: 'o1', requestId: 'r2', paymentId: 'o1', refundDue: cny(0) } },
        nothingDue('r2'),
      ]);
    });

    /** An order of one line, `quantity` mugs for which the shopper paid `paid` in all, delivered. */
    const mugsDelivered = (quantity: number, paid: number): OrderEvent[] => {
      const line = { sku: 'mug', name: 'Mug', category: 'tableware', unitPrice: paid, quantity, lineTotal: paid, paidAmount: paid };
      return [{ type: 'OrderPlaced', data: { ...orderPlaced.data, pricing: { ...pricing, lines: [line] } } } as OrderEvent, orderPaid, orderShipped, orderDelivered];
    };

    it('refunds units returned one request at a time what they would refund together, and a whole line exactly what it was paid', () => {
      const decider = orderDecider();
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 12 }).chain((quantity) =>
            fc.record({
              quantity: fc.constant(quantity),
              paid: fc.integer({ min: 0, max: 1_000_000 }),
              requests: fc.array(fc.integer({ min: 1, max: quantity }), { minLength: 1, maxLength: quantity }),
            }),
          ),
          ({ quantity, paid, requests }) => {
            const history: OrderEvent[] = mugsDelivered(quantity, paid);
            let units = 0;
            let refunded = 0;
            for (const [i, requestedUnits] of requests.entries()) {
              if (units + requestedUnits > quantity) break;
              const command = { type: 'RequestAfterSales', data: { orderId: 'o1', requestId: `r${i}`, kind: 'return', lines: [{ sku: 'mug', quantity: requestedUnits }], reason: 'x' } } as const;
              const decision = decider.decide(command, replay(decider, history), { now: DELIVERED_AT + 1000 });
              if (E.isLeft(decision)) throw new Error(decision.left.message);
              const [event] = decision.right;
              if (event?.type !== 'AfterSalesRequested') throw new Error(`unexpected ${event?.type}`);
              history.push(event);
              units += requestedUnits;
              refunded += event.data.refundAmount.amount;
              expect(refunded).toBe(Math.floor((paid * units) / quantity));
            }
          },
        ),
      );
      // A line of 4 paid 39.99: one at a time, 9.99 and then 10.00 each, as two together would be 19.99.
      within
        .given([...mugsDelivered(4, 3999), requested('r1', 'return', 'mug', 1, 999)])
        .when({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId: 'r2', kind: 'return', lines: [{ sku: 'mug', quantity: 1 }], reason: 'damaged' } })
        .then([requested('r2', 'return', 'mug', 1, 1000)]);
    });

    it('a rejected request frees its units for a new one', () =>
      within
        .given([...delivered, requested('r1', 'refund', 'cup', 1, 3000), { type: 'AfterSalesRejected', data: { orderId: 'o1', requestId: 'r1', reason: 'x' } }])
        .when({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId: 'r2', kind: 'return', lines: [{ sku: 'cup', quantity: 1 }], reason: 'damaged' } })
        .then([requested('r2', 'return', 'cup', 1, 3000)]));
  });

  describe('cancelled as unpayable, as the process manager does when its own payment went back', () => {
    const unpayable = { type: 'CancelUnpayableOrder', data: { orderId: 'o1', reason: 'its payment o1 went back' } } as const;

    it('cancels an order still awaiting payment, owing nothing', () =>
      spec.given([orderPlaced]).when(unpayable).then([{ type: 'OrderCancelled', data: { orderId: 'o1', reason: 'its payment o1 went back', paymentId: null, refundDue: cny(0) } }]));

    it('leaves an order paid meanwhile (by another payment), closed or never placed as it is', () => {
      for (const history of [[], paidOrder, [...paidOrder, orderShipped], [orderPlaced, { type: 'OrderExpired', data: { orderId: 'o1', paymentDeadline: PAYMENT_DEADLINE } } as OrderEvent]]) {
        spec.given(history).when(unpayable).then([]);
      }
    });
  });

  describe("refunds its payment made, as the process manager records them", () => {
    const within = at(DELIVERED_AT + 1000);
    const paymentRefund = (refundId: string, amount: number, paymentId = 'o1') => ({ type: 'RecordPaymentRefund', data: { orderId: 'o1', paymentId, refundId, amount: cny(amount) } }) as const;
    const refunded = (refundId: string, amount: number): OrderEvent => ({ type: 'OrderRefunded', data: { orderId: 'o1', refundId, amount: cny(amount) } });

    it("counts one a host sent straight to the payment, once, and then owes only what the payment still holds", () => {
      spec.given(paidOrder).when(paymentRefund('goodwill', 500)).then([refunded('goodwill', 500)]);
      spec.given([...paidOrder, refunded('goodwill', 500)]).when(paymentRefund('goodwill', 500)).then([]);
      spec.given([...paidOrder, refunded('goodwill', 500)]).when({ type: 'CancelOrder', data: { orderId: 'o1', reason: 'changed my mind' } }).then([
        { type: 'OrderCancelled', data: { orderId: 'o1', reason: 'changed my mind', paymentId: 'o1', refundDue: cny(13300) } },
      ]);
      spec.given([...paidOrder, refunded('goodwill', 13800)]).when({ type: 'CancelOrder', data: { orderId: 'o1', reason: 'changed my mind' } }).then([
        { type: 'OrderCancelled', data: { orderId: 'o1', reason: 'changed my mind', paymentId: 'o1', refundDue: cny(0) } },
      ]);
    });

    it('an after-sales refund is no more than the payment still holds', () => {
      const history = [...delivered, refunded('goodwill', 12800), requested('r1', 'refund', 'cup', 1, 3000)];
      const approved: OrderEvent = { type: 'AfterSalesApproved', data: { orderId: 'o1', requestId: 'r1', kind: 'refund', paymentId: 'o1', refundDue: cny(1000) } };
      within.given(history).when({ type: 'ApproveAfterSales', data: { orderId: 'o1', requestId: 'r1' } }).then([approved]);
      within.given([...history, approved]).when(paymentRefund('r1', 1000)).then([refunded('r1', 1000)]);

      const returned = [...delivered, requested('r2', 'return', 'cup', 1, 3000), { ...approved, data: { ...approved.data, requestId: 'r2', kind: 'return' as const, refundDue: cny(3000) } }];
      within.given([...returned, refunded('goodwill', 13800)]).when({ type: 'ReceiveReturnedGoods', data: { orderId: 'o1', requestId: 'r2' } }).then([
        { type: 'ReturnedGoodsReceived', data: { orderId: 'o1', requestId: 'r2', paymentId: 'o1', refundDue: cny(0) } },
        refunded('r2', 0),
      ]);
    });

    it('settles a refund it owes short only when the payment has given back all it was paid', () => {
      const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId: 'o1', reason: 'x', paymentId: 'o1', refundDue: cny(13800) } };
      // The host's refund of 5.00 went to the payment as the cancellation was decided: the payment had 133.00 left.
      const history = [...paidOrder, cancelled, refunded('goodwill', 500)];
      spec.given(history).when(paymentRefund('cancellation', 13300)).then([refunded('cancellation', 13300)]);
      expect(spec.given(history).when(paymentRefund('cancellation', 13200)).decision).toMatchObject({
        left: { code: 'REFUND_AMOUNT_MISMATCH', message: 'refund cancellation of order o1 is 138.00 CNY' },
      });
      spec.given([...paidOrder, cancelled]).when(paymentRefund('cancellation', 13800)).then([refunded('cancellation', 13800)]);
    });

    it("passes over a payment that did not pay the order, and never has it refund more than it was paid", () => {
      spec.given(paidOrder).when(paymentRefund('goodwill', 500, 'p-late')).then([]);
      spec.given([orderPlaced]).when(paymentRefund('goodwill', 500)).then([]);
      spec.given([]).when(paymentRefund('goodwill', 500)).then([]);
      expect(spec.given([...paidOrder, refunded('goodwill', 13000)]).when(paymentRefund('again', 1000)).decision).toMatchObject({
        left: { code: 'REFUND_EXCEEDS_PAID', message: 'order o1 was paid 138.00 CNY and has refunded 130.00 CNY of it' },
      });
      const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId: 'o1', reason: 'x', paymentId: 'o1', refundDue: cny(13800) } };
      spec
        .given([...paidOrder, cancelled, refunded('goodwill', 500)])
        .when({ type: 'RecordOrderRefund', data: { orderId: 'o1', refundId: 'cancellation', amount: cny(13800) } })
        .thenRejects('REFUND_EXCEEDS_PAID');
    });

    it('will not ship an order that has given back all it was paid', () => {
      const ship = { type: 'ShipOrder', data: { orderId: 'o1', carrier: 'SF', trackingNumber: 'SF1' } } as const;
      spec.given([...paidOrder, refunded('late-capture', 13800)]).when(ship).thenRejects('ORDER_REFUNDED');
      spec.given([...paidOrder, refunded('goodwill', 13700)]).when(ship).then([{ type: 'OrderShipped', data: ship.data }]);
    });

    it('keeps the id of an after-sales request whose refund is not due yet for that refund', () => {
      const history = [...delivered, requested('r1', 'return', 'cup', 1, 3000)];
      within.given(history).when(paymentRefund('r1', 3000)).thenRejects('REFUND_NOT_DUE');
    });
  });
});
