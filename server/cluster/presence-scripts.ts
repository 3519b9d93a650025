// Lua scripts of the Redis presence registry: each is atomic in Redis, so two
// nodes changing one person's count never interleave.

/** KEYS conns, announced, nodeConns; ARGV connId, nodeId, personId, key → 1 when a join is due. */
export const LUA_CONNECT = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[4] .. '|' .. ARGV[1])
return redis.call('SADD', KEYS[2], ARGV[3])
`;

/** KEYS conns, nodeConns, pendingSettle; ARGV connId, key, dueAt → remaining connections. */
export const LUA_DISCONNECT = `
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2] .. '|' .. ARGV[1])
local left = redis.call('HLEN', KEYS[1])
if left == 0 then redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2]) end
return left
`;

/** KEYS conns, announced, attrs, pendingSettle; ARGV personId, key → 1 when a leave is due. */
export const LUA_SETTLE = `
if redis.call('HLEN', KEYS[1]) > 0 then
  redis.call('ZREM', KEYS[4], ARGV[2])
  return 0
end
redis.call('ZREM', KEYS[4], ARGV[2])
redis.call('DEL', KEYS[3])
return redis.call('SREM', KEYS[2], ARGV[1])
`;

/** KEYS conns, announced, nodeConns; ARGV connId, nodeId, personId, key, announce → 1 when newly announced. */
export const LUA_RESTORE = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[4] .. '|' .. ARGV[1])
local added = redis.call('SADD', KEYS[2], ARGV[3])
if ARGV[5] == '1' then return added end
return 0
`;
