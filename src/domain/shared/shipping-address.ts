import * as t from 'io-ts';
import { Text } from './codecs';

export const ShippingAddress = t.readonly(
  t.type({
    recipient: Text,
    phone: Text,
    line1: Text,
    city: Text,
    postalCode: Text,
    country: Text,
  }),
  'ShippingAddress',
);
export type ShippingAddress = t.TypeOf<typeof ShippingAddress>;
