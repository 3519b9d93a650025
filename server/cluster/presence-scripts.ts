// Lua scripts of the Redis presence registry: each is atomic in Redis, so two
// nodes changing one person's count never interleave. Time in them is Redis's
// own (`TIME`, when the script runs), never a node's: a command that waited
// out a stall is stamped when it lands, and nodes on hosts whose clocks
// disagree still compare like with like.

/** Redis's clock in epoch milliseconds. */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** KEYS conns, announced, nodeConns; ARGV connId, nodeId, personId, key → 1 when a join is due. */
export const LUA_CONNECT = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[4] .. '|' .. ARGV[1])
return redis.call('SADD', KEYS[2], ARGV[3])
`;

/** KEYS conns, nodeConns, pendingSettle; ARGV connId, key, graceMs → remaining connections. */
export const LUA_DISCONNECT = `${NOW}
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2] .. '|' .. ARGV[1])
local left = redis.call('HLEN', KEYS[1])
if left == 0 then redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[2]) end
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

/**
 * One heartbeat. KEYS nodes, own tombstone, pendingSettle; ARGV nodeId, deadAfterMs, maxGapMs, overdueMs
 * → {wasListed, wasReaped, gapMs (-1 on the first), candidates, overdue}.
 *
 * The score is Redis's time when the heartbeat lands, so one that waited out a stall is fresh, not
 * as old as the stall. And only a node whose own previous heartbeat landed less than maxGapMs ago
 * names dead candidates: if its heartbeats were held up too (a stalled or unreachable Redis, or
 * this node paused), the others' silence proves nothing yet, and it waits a round for theirs.
 */
export const LUA_HEARTBEAT = `${NOW}
local prev = redis.call('ZSCORE', KEYS[1], ARGV[1])
local reaped = redis.call('GET', KEYS[2])
if reaped then redis.call('DEL', KEYS[2]) end
redis.call('ZADD', KEYS[1], now, ARGV[1])
local gap = -1
local candidates = {}
if prev then
  gap = now - tonumber(prev)
  if gap <= tonumber(ARGV[3]) then
    candidates = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
  end
end
local overdue = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[4]))
return {prev and 1 or 0, reaped and 1 or 0, gap, candidates, overdue}
`;

/**
 * Removes a node's connections. KEYS nodes, nodeConns, tombstone, pendingSettle, then one conns key per
 * connection; ARGV node, reaper ('' for a node leaving by itself), deadAfterMs, maxGapMs, tombstoneMs,
 * count, then per connection its id and its person key (members as SMEMBERS listed them)
 * → the number removed, or -1 when the node must not be reaped now, -2 when its list changed meanwhile.
 *
 * A reap checks again, by Redis's time at this moment, that the node is still silent and that the
 * reaper's own heartbeat is recent: between the heartbeat that named the candidate and this script,
 * Redis may have stalled, and the node's own heartbeat may have landed.
 */
export const LUA_REAP = `${NOW}
local count = tonumber(ARGV[6])
if ARGV[2] ~= '' then
  local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
  if not score or now - tonumber(score) < tonumber(ARGV[3]) then return -1 end
  local own = redis.call('ZSCORE', KEYS[1], ARGV[2])
  if not own or now - tonumber(own) > tonumber(ARGV[4]) then return -1 end
end
if redis.call('SCARD', KEYS[2]) ~= count then return -2 end
for i = 1, count do
  redis.call('HDEL', KEYS[4 + i], ARGV[5 + 2 * i])
  -- Listed as pending too, so some node settles them even if the reaper stops before it can.
  redis.call('ZADD', KEYS[4], now, ARGV[6 + 2 * i])
end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('SET', KEYS[3], '1', 'PX', tonumber(ARGV[5])) end
return count
`;
