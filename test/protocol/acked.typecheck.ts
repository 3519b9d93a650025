// Compile-time checks of the typed emit-with-ack and listen helpers (acked.ts,
// test/helpers/clients.ts, client/lib/ack.ts): `npm run typecheck` fails if a
// line marked @ts-expect-error compiles. Never run (not a *.test.ts file).

import type { Socket } from 'socket.io-client';
import { call, emitAck } from '../../client/lib/ack.ts';
import type { Conversation, Message } from '../../server/protocol/shapes.ts';
import { type AdminClient, type AgentClient, type VisitorClient, arrived, next, ok, record, request, requestUntyped } from '../helpers/clients.ts';

export async function typedCalls(visitor: VisitorClient, agent: AgentClient, admin: AdminClient, raw: Socket): Promise<void> {
  // What the maps allow compiles, and the results carry the map's types.
  const sent: Message = (await ok(visitor, 'message:send', { clientId: 'c', body: 'hi' })).message;
  const claimed: Conversation = (await ok(agent, 'conversation:claim', { conversationId: sent.conversationId })).conversation;
  const online: number = (await ok(admin, 'online:get')).agents.length;
  const ack = await request(agent, 'status:set', { status: 'away' });
  const code: string = ack.ok ? 'ok' : ack.error.code;
  const message: Message = await next(agent, 'message', (m) => m.seq > 1);
  const queue: Conversation[] = (await arrived(agent, 'queue')).conversations;
  const changes: undefined[] = record(admin, 'online:changed');
  void [claimed, online, code, message, queue, changes];

  // @ts-expect-error a wrong event name: the visitor map has `message:send`, not `message:sent`
  await ok(visitor, 'message:sent', { clientId: 'c', body: 'hi' });
  // @ts-expect-error an event of another namespace: only agents claim
  await ok(visitor, 'conversation:claim', { conversationId: 'c' });
  // @ts-expect-error an event without an ack: `typing` is fire-and-forget
  await request(visitor, 'typing', { typing: true });

  // @ts-expect-error a wrong payload field: the body is `body`, not `text`
  await ok(visitor, 'message:send', { clientId: 'c', text: 'hi' });
  // @ts-expect-error a missing payload field: an agent's message names its conversation
  await ok(agent, 'message:send', { clientId: 'c', body: 'hi' });
  // @ts-expect-error a wrong payload type: status is 'online' or 'away'
  await ok(agent, 'status:set', { status: 'busy' });
  // @ts-expect-error a payload for an event that takes none
  await ok(admin, 'online:get', {});

  // @ts-expect-error a wrong result type: message:send answers {message}, not {conversation}
  const wrong: { conversation: Conversation } = await ok(visitor, 'message:send', { clientId: 'c', body: 'hi' });
  // @ts-expect-error a result field the ack does not have: online:get has agents, visitors and queue
  void (await ok(admin, 'online:get')).conversations;
  // @ts-expect-error an ack's error half has no result: it must be checked first
  void (await request(visitor, 'history:get', {})).messages;

  // @ts-expect-error a server event the namespace does not send: visitors get no queue
  await next(visitor, 'queue:add');
  // @ts-expect-error a matcher of the wrong payload type: `message` carries a Message
  await next(visitor, 'message', (c: Conversation) => c.status === 'closed');
  // @ts-expect-error a recorded payload of the wrong type
  const presences: Message[] = record(visitor, 'presence');

  // @ts-expect-error a socket without event maps has no acked events: the typed helpers refuse it
  await ok(raw, 'message:send', { clientId: 'c', body: 'hi' });
  // Bad input on purpose takes the explicitly untyped path; its answer is still typed by the event.
  const refused = await requestUntyped(visitor, 'message:send', { clientId: 'c', body: 42 });
  const refusal: string = refused.ok ? refused.message.id : refused.error.code;

  // The client's helper is bound the same way.
  const history: Message[] = (await call(agent, 'history:get', { conversationId: 'c', limit: 1 })).messages;
  // @ts-expect-error client: a wrong event name
  await call(agent, 'conversation:claimed', { conversationId: 'c' });
  // @ts-expect-error client: a wrong payload field
  await call(visitor, 'profile:update', { nickname: 'Ann' });
  // @ts-expect-error client: a wrong result type
  const visitorOfAgent: { visitor: { id: string } } = await call(agent, 'conversation:close', { conversationId: 'c' });
  // @ts-expect-error client: the outbox's raw ack is the event's own
  const notAConversation: { ok: true; conversation: Conversation } | { ok: false } = await emitAck(visitor, 'message:send', { clientId: 'c', body: 'hi' });
  void [wrong, presences, refusal, history, visitorOfAgent, notAConversation];
}
