// /admin: the dashboard's connection. Live `online` events and `online:get`.

import { onlineSnapshot } from '../core/dashboard.ts';
import { ConnectionState, type RealtimeContext } from './context.ts';
import { agentHandshake } from './handshake.ts';
import { respond } from './respond.ts';
import { type AdminSocket, room } from './types.ts';

export function registerAdminNamespace(ctx: RealtimeContext): void {
  const { ns, store, registry, clock, logger, config } = ctx;
  ns.admin.use(agentHandshake(store, logger, { adminOnly: true, trustProxy: config.trustProxy !== false, now: () => clock.now() }));

  ns.admin.on('connection', (socket: AdminSocket) => {
    const c = new ConnectionState({ logger, ns: '/admin', socketId: socket.id, messageRateLimit: config.messageRateLimit, overloaded: () => false });
    socket.join([room.admins, room.session(socket.data.sessionId)]);
    socket.on('disconnect', () => c.close());
    socket.on('online:get', (ack) =>
      respond(ack, () => c.log(), 'online:get', async () => {
        c.events.take();
        return c.heavy(() => onlineSnapshot(store, registry, clock));
      }),
    );
  });
}
