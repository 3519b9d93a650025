// /admin: the dashboard's connection. Live `online` events and `online:get`.

import { onlineSnapshot } from '../core/dashboard.ts';
import { type RealtimeContext, eventBudget } from './context.ts';
import { agentHandshake } from './handshake.ts';
import { createRateLimiter } from './rate-limit.ts';
import { connectionLogger, respond } from './respond.ts';
import { type AdminSocket, room } from './types.ts';

export function registerAdminNamespace(ctx: RealtimeContext): void {
  const { ns, store, registry, clock, logger, config } = ctx;
  ns.admin.use(agentHandshake(store, logger, { adminOnly: true, trustProxy: config.trustProxy !== false }));

  ns.admin.on('connection', (socket: AdminSocket) => {
    const log = connectionLogger(logger, { ns: '/admin', socket: socket.id });
    const events = createRateLimiter(eventBudget(config.messageRateLimit));
    socket.join([room.admins, room.session(socket.data.sessionId)]);
    socket.on('online:get', (ack) =>
      respond(ack, log, 'online:get', async () => {
        events.take();
        return onlineSnapshot(store, registry, clock);
      }),
    );
  });
}
