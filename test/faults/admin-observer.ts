// The admin dashboard's view of presence, without its page: a real /admin socket with the
// product's options, recording every `online` event and asking `online:get` on each connect,
// as client/admin/dashboard.tsx does.

import { io, type Socket } from 'socket.io-client';
import type { AdminClientEvents, AdminServerEvents } from '../../server/protocol/events.ts';
import type { OnlineAgent, OnlineVisitor } from '../../server/protocol/shapes.ts';
import { call } from '../../client/lib/ack.ts';
import { socketOptions } from '../../client/lib/socket-options.ts';
import type { ClientLog, PersonKey, Recorder, Transport } from './recorder.ts';
import { tapSocket } from './tap.ts';

export interface OnlineSnapshot {
  agents: OnlineAgent[];
  visitors: OnlineVisitor[];
}

export interface AdminObserver {
  log: ClientLog;
  socket: Socket<AdminServerEvents, AdminClientEvents>;
  online(): Promise<OnlineSnapshot>;
  close(): void;
}

export function openAdminObserver(opts: { base: string; cookie: string; transport: Transport; person: PersonKey; rec: Recorder }): AdminObserver {
  const log = opts.rec.client({ id: 'admin', person: opts.person, kind: 'admin', transport: opts.transport });
  const socket: Socket<AdminServerEvents, AdminClientEvents> = io(`${opts.base}/admin`, {
    ...socketOptions(opts.transport === 'polling' ? 'polling' : 'auto'),
    forceNew: true,
    extraHeaders: { cookie: opts.cookie, origin: opts.base },
  });
  tapSocket(socket, log, opts.rec);
  const online = async () => {
    const { agents, visitors } = await call(socket, 'online:get');
    return { agents, visitors };
  };
  socket.on('connect', () => void online().catch(() => {}));
  return {
    log,
    socket,
    online,
    close() {
      log.closedAt = opts.rec.now();
      socket.close();
    },
  };
}
