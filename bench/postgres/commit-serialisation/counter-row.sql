\set s random(1, 100000)
WITH advanced AS (UPDATE commit_probe.streams SET last_revision = last_revision + 1, last_hash = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' WHERE stream_id = 'cart-' || :s RETURNING stream_id, last_revision),
reserved AS (UPDATE commit_probe.counter SET last_position = last_position + 1 WHERE singleton AND EXISTS (SELECT FROM advanced) RETURNING last_position),
inserted AS (INSERT INTO commit_probe.events SELECT r.last_position, a.stream_id, a.last_revision, '0190a3b2-1c2d-7e3f-8a9b-0c1d2e3f4a5b', 'CartItemAdded', 1, '{"cartId":"cart-1","sku":"s3","name":"Product 3","category":"cat-0","unitPrice":{"amount":103,"currency":"EUR"},"quantity":1}'::json, 1764000000000, 1764000000000, 'w1-1-3', 'w1-1-3', 'w1-1-3', 'bench-shopper', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' FROM reserved r, advanced a),
notified AS (SELECT pg_notify('commit_probe', r.last_position::text) FROM reserved r)
SELECT r.last_position FROM reserved r WHERE (SELECT count(*) FROM notified) > 0;
