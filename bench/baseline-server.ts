// The baseline: a bare Socket.IO 4.8 relay speaking the subset of Parley's
// events the load generator uses — one room per visitor/agent pair, forward to
// the peer, ack the sender, nothing else (no sessions, validation, storage,
// presence). Same transports, limits and payload shapes as Parley, so every
// Parley figure can be read as a ratio to plain Socket.IO on the same machine.
//
// Identity is whatever id the client puts in `auth.id`. A claim is a first-wins
// entry in a Map (the least a relay must do to hand a conversation to one agent).
// Run: PORT=… HOST=127.0.0.1 node bench/baseline-server.ts
//
// With REDIS_URL, it is one node of a cluster of relays: the Socket.IO Redis adapter
// (@socket.io/redis-adapter on ioredis, with the key Parley's cluster uses) carries
// broadcasts to the other nodes, and nothing else is shared. A node that meets a
// conversation it does not know (an agent on node 2 claiming what a visitor on node 1
// opened) takes it as new: the least a relay must do, with first-wins claims per node.

import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';

type Ack = (result: object) => void;
interface Conversation {
  id: string;
  visitorId: string;
  lastSeq: number;
  agentId: string | null;
  createdAt: string;
}

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
// Parley's frame limit for the default MAX_MESSAGE_LENGTH (see server/realtime/io.ts).
const MAX_FRAME = 64 * 1024;

const httpServer = createServer((req, res) => {
  if (req.url === '/healthz') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  else res.writeHead(404).end();
});
const io = new Server(httpServer, {
  serveClient: false,
  transports: ['polling', 'websocket'],
  maxHttpBufferSize: MAX_FRAME,
  perMessageDeflate: false,
});
const redisUrl = process.env.REDIS_URL;
const redis = redisUrl ? [new Redis(redisUrl), new Redis(redisUrl)] : [];
if (redis.length) io.adapter(createAdapter(redis[0], redis[1], { key: 'parley', requestsTimeout: 3000 }));
const visitors = io.of('/visitor');
const agents = io.of('/agent');

const conversations = new Map<string, Conversation>();
const queued = new Map<string, Conversation>();
const room = (id: string) => `conversation:${id}`;
const idOf = (socket: Socket): string => String((socket.handshake.auth as { id?: unknown }).id ?? socket.id);
const summary = (c: Conversation) => ({
  id: c.id,
  visitor: { id: c.visitorId, name: '' },
  status: c.agentId ? 'active' : 'queued',
  agent: c.agentId ? { id: c.agentId, name: '' } : null,
  queuePosition: null,
  lastSeq: c.lastSeq,
  createdAt: c.createdAt,
});

/** Forwards to the peer's namespace (an agent's messages to the visitor, and back). */
function relay(c: Conversation, author: { kind: 'visitor' | 'agent'; id: string }, input: { clientId?: unknown; body?: unknown }) {
  const message = {
    id: `${c.id}:${++c.lastSeq}`,
    conversationId: c.id,
    seq: c.lastSeq,
    clientId: input.clientId,
    author: { kind: author.kind, id: author.id, name: '' },
    body: input.body,
    createdAt: new Date().toISOString(),
  };
  (author.kind === 'visitor' ? agents : visitors).to(room(c.id)).emit('message', message);
  return message;
}

visitors.on('connection', (socket) => {
  const visitorId = idOf(socket);
  const conversationId = `c-${visitorId}`;
  socket.join(room(conversationId));
  socket.on('message:send', (input: { clientId?: unknown; body?: unknown }, ack: Ack) => {
    let c = conversations.get(conversationId);
    if (!c) {
      c = { id: conversationId, visitorId, lastSeq: 0, agentId: null, createdAt: new Date().toISOString() };
      conversations.set(c.id, c);
      queued.set(c.id, c);
      agents.to('queue').emit('queue:add', summary(c));
      // As Parley does, the visitor learns of its new (queued) conversation.
      socket.emit('conversation', { ...summary(c), queuePosition: queued.size });
    }
    const message = relay(c, { kind: 'visitor', id: visitorId }, input ?? {});
    if (typeof ack === 'function') ack({ ok: true, message });
  });
});

/** The conversation; in a cluster, one opened on another node is taken as new here. */
function known(id: unknown): Conversation | undefined {
  const found = conversations.get(String(id));
  if (found || !redis.length || typeof id !== 'string' || !id.startsWith('c-')) return found;
  // seq 1 was the visitor's opening message, on the node that opened it: this node's deliveries follow it.
  const c: Conversation = { id, visitorId: id.slice(2), lastSeq: 1, agentId: null, createdAt: new Date().toISOString() };
  conversations.set(id, c);
  return c;
}

agents.on('connection', (socket) => {
  const agentId = idOf(socket);
  socket.join('queue');
  socket.emit('queue', { conversations: [...queued.values()].map(summary) });
  socket.on('conversation:claim', (input: { conversationId?: unknown }, ack: Ack) => {
    const c = known(input?.conversationId);
    if (typeof ack !== 'function') return;
    if (!c) return ack({ ok: false, error: { code: 'not_found', message: 'no such conversation' } });
    if (c.agentId) return ack({ ok: false, error: { code: 'already_claimed', message: 'already claimed' } });
    c.agentId = agentId;
    queued.delete(c.id);
    socket.join(room(c.id));
    agents.to('queue').emit('queue:remove', { conversationId: c.id, reason: 'claimed' });
    ack({ ok: true, conversation: summary(c) });
  });
  socket.on('message:send', (input: { conversationId?: unknown; clientId?: unknown; body?: unknown }, ack: Ack) => {
    const c = known(input?.conversationId);
    if (typeof ack !== 'function') return;
    if (!c) return ack({ ok: false, error: { code: 'not_found', message: 'no such conversation' } });
    ack({ ok: true, message: relay(c, { kind: 'agent', id: agentId }, input) });
  });
});

httpServer.listen(port, host, () => {
  const address = httpServer.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`${JSON.stringify({ event: 'server.listening', url: `http://${host}:${actual}` })}\n`);
});

const stop = () =>
  io.close(() => {
    for (const r of redis) r.disconnect();
    process.exit(0);
  });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
