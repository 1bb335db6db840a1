\set s random(1, 100000)
\set r random(1, 1000000000)
INSERT INTO commit_probe.raw (stream_id, revision, type, data) VALUES ('cart-' || :s, :r, 'CartItemAdded', '{"cartId":"cart-1","sku":"s3","name":"Product 3","category":"cat-0","unitPrice":{"amount":103,"currency":"EUR"},"quantity":1}'::json);
