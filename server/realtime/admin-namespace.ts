// /admin: the dashboard's connection. Live `online` events and `online:get`.

import { onlineSnapshot } from '../core/dashboard.ts';
import { ConnectionState, type RealtimeContext } from './context.ts';
import { agentHandshake } from './handshake.ts';
import { acked, respond, WRONG_ARITY } from './respond.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import { type AdminSocket, room } from './types.ts';

export function registerAdminNamespace(ctx: RealtimeContext): void {
  const { ns, store, registry, clock, logger, config } = ctx;
  ns.admin.use(agentHandshake(store, logger, { adminOnly: true, trustProxy: config.trustProxy !== false, now: () => clock.now() }));

  ns.admin.on('connection', (socket: AdminSocket) => {
    const c = new ConnectionState({ logger, ns: '/admin', socketId: socket.id, messageRateLimit: config.messageRateLimit, overloaded: () => false });
    socket.join([room.admins, room.session(socket.data.sessionId)]);
    socket.on('disconnect', () => c.close());
    // online:get takes no payload; the ack is the last argument (acked()), and anything before it is refused.
    socket.on('online:get', (...args: unknown[]) => {
      const { input, ack } = acked(args, 0);
      respond(ack, () => c.log(), 'online:get', async () => {
        if (input === WRONG_ARITY) throw new AppError(ErrorCode.InvalidPayload, 'online:get takes no payload');
        c.events.take();
        return c.heavy(() => onlineSnapshot(store, registry, clock));
      });
    });
  });
}
