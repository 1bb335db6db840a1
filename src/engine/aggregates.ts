import * as t from 'io-ts';
import { CartCommand, type CartDecision, ReturnCheckedOutLines } from '../domain/cart/commands';
import { cartDecider, CartState } from '../domain/cart/decider';
import { CartEvent } from '../domain/cart/events';
import { CancelUnpayableOrder, OrderCommand, OrderDecision, RecordPaymentRefund } from '../domain/order/commands';
import { orderDecider, OrderPolicy, OrderState } from '../domain/order/decider';
import { OrderEvent } from '../domain/order/events';
import { PaymentCommand, PaymentDecision, RefundRemainingCapture } from '../domain/payment/commands';
import { paymentDecider, PaymentState } from '../domain/payment/decider';
import { PaymentEvent } from '../domain/payment/events';
import type { PricingPolicy } from '../domain/pricing/pricing-policy';
import {
  ClaimProviderTransaction,
  providerTransactionDecider,
  ProviderTransactionEvent,
  ProviderTransactionState,
} from '../domain/provider-transaction/provider-transaction';
import type { Aggregate } from './aggregate';

export const CART_STREAM_PREFIX = 'cart-';
export const ORDER_STREAM_PREFIX = 'order-';
export const PAYMENT_STREAM_PREFIX = 'payment-';
export const PROVIDER_TRANSACTION_STREAM_PREFIX = 'provider-transaction-';

export const cartStreamId = (cartId: string): string => `${CART_STREAM_PREFIX}${cartId}`;
export const orderStreamId = (orderId: string): string => `${ORDER_STREAM_PREFIX}${orderId}`;
export const paymentStreamId = (paymentId: string): string => `${PAYMENT_STREAM_PREFIX}${paymentId}`;

export interface Aggregates {
  readonly cart: Aggregate<CartDecision, CartEvent, CartState>;
  readonly order: Aggregate<OrderDecision, OrderEvent, OrderState>;
  readonly payment: Aggregate<PaymentDecision, PaymentEvent, PaymentState>;
  readonly providerTransaction: Aggregate<ClaimProviderTransaction, ProviderTransactionEvent, ProviderTransactionState>;
}

export const aggregates = (pricing: PricingPolicy, orderPolicy: OrderPolicy): Aggregates => ({
  cart: { name: 'cart', streamPrefix: CART_STREAM_PREFIX, decider: cartDecider(pricing), eventCodec: CartEvent, streamIdOf: (c) => cartStreamId(c.data.cartId) },
  order: { name: 'order', streamPrefix: ORDER_STREAM_PREFIX, decider: orderDecider(orderPolicy), eventCodec: OrderEvent, streamIdOf: (c) => orderStreamId(c.data.orderId) },
  payment: {
    name: 'payment',
    streamPrefix: PAYMENT_STREAM_PREFIX,
    decider: paymentDecider,
    eventCodec: PaymentEvent,
    streamIdOf: (c) => paymentStreamId(c.data.paymentId),
  },
  providerTransaction: {
    name: 'provider-transaction',
    streamPrefix: PROVIDER_TRANSACTION_STREAM_PREFIX,
    decider: providerTransactionDecider,
    eventCodec: ProviderTransactionEvent,
    streamIdOf: (c) => `${PROVIDER_TRANSACTION_STREAM_PREFIX}${c.data.providerTransactionId}`,
  },
});

/** Every command a host may send, by type, with the codec that decodes it. */
export const publicCommandCodecs: ReadonlyMap<string, t.Decoder<unknown, CartCommand | OrderCommand | PaymentCommand>> = new Map(
  [...CartCommand.types, ...OrderCommand.types, ...PaymentCommand.types].map((codec) => [codec.name, codec as t.Decoder<unknown, CartCommand | OrderCommand | PaymentCommand>]),
);

export type HostCommand = CartCommand | OrderCommand | PaymentCommand;

/** What the engine's process manager may send besides: commands no host may. */
export type EngineCommand = HostCommand | ReturnCheckedOutLines | RefundRemainingCapture | RecordPaymentRefund | CancelUnpayableOrder;

/** Every command the process manager may send, by type: a host's, and the engine's own. */
export const engineCommandCodecs: ReadonlyMap<string, t.Decoder<unknown, EngineCommand>> = new Map([
  ...publicCommandCodecs,
  [ReturnCheckedOutLines.name, ReturnCheckedOutLines as t.Decoder<unknown, EngineCommand>],
  [RefundRemainingCapture.name, RefundRemainingCapture as t.Decoder<unknown, EngineCommand>],
  [RecordPaymentRefund.name, RecordPaymentRefund as t.Decoder<unknown, EngineCommand>],
  [CancelUnpayableOrder.name, CancelUnpayableOrder as t.Decoder<unknown, EngineCommand>],
]);

const CART_COMMAND_TYPES: ReadonlySet<string> = new Set([...CartCommand.types.map((codec) => codec.name), ReturnCheckedOutLines.name]);
const PAYMENT_COMMAND_TYPES: ReadonlySet<string> = new Set([...PaymentCommand.types.map((codec) => codec.name), RefundRemainingCapture.name]);

export const isCartCommand = (command: EngineCommand): command is CartDecision => CART_COMMAND_TYPES.has(command.type);
export const isPaymentCommand = (command: EngineCommand): command is PaymentCommand | RefundRemainingCapture => PAYMENT_COMMAND_TYPES.has(command.type);
