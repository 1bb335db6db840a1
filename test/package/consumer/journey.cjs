// The few steps every consumer check runs against the installed package, whichever way it was loaded:
// open a cart, add an item, have a command refused, and read the outcome back. `ordersource` is the
// loaded module itself, so that this file decides nothing about how it was loaded.
const assert = require('node:assert/strict');

exports.journey = async (ordersource) => {
  const clock = ordersource.manualClock(Date.parse('2026-11-25T09:00:00Z'));
  const engine = ordersource.createEngine({ clock: clock.now, newId: ordersource.sequentialIds() });
  const send = (commandId, command) => engine.execute({ commandId, actor: 'consumer', correlationId: 'package-check', command });
  try {
    const opened = await send('cmd-1', { type: 'OpenCart', data: { cartId: 'cart-1', customerId: 'ada', currency: 'CNY' } });
    assert.equal(opened._tag, 'Right', 'OpenCart is accepted');
    const added = await send('cmd-2', {
      type: 'AddCartItem',
      data: { cartId: 'cart-1', sku: 'tea', name: 'Oolong tea', category: 'tea', unitPrice: { amount: 6800, currency: 'CNY' }, quantity: 2 },
    });
    assert.equal(added._tag, 'Right', 'AddCartItem is accepted');
    assert.equal(added.right.revision, 1);

    const refused = await send('cmd-3', { type: 'AddCartItem', data: { cartId: 'cart-1', sku: 'tea', quantity: 0 } });
    assert.equal(refused._tag, 'Left', 'a malformed command comes back as a value');
    assert.equal(refused.left.code, 'INVALID_COMMAND');

    const cart = await engine.cartState('cart-1');
    assert.equal(cart._tag, 'Right');
    assert.equal(cart.right.state.status, 'open');
    assert.deepEqual(cart.right.state.lines.map((line) => [line.sku, line.quantity]), [['tea', 2]]);

    const stored = await engine.eventStore.readStream(ordersource.cartStreamId('cart-1'));
    assert.deepEqual(stored.map((event) => event.type), ['CartOpened', 'CartItemAdded']);
    assert.equal(ordersource.formatMoney({ amount: 6800, currency: 'CNY' }).includes('68'), true);
  } finally {
    await engine.close();
  }
};
