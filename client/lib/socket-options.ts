// Socket.IO client options shared by the three apps: `?transport=polling` in a
// page's address forces HTTP long-polling (networks that block WebSocket).

import type { ManagerOptions, SocketOptions } from 'socket.io-client';

export function transportFrom(search: string): 'polling' | 'auto' {
  return new URLSearchParams(search).get('transport') === 'polling' ? 'polling' : 'auto';
}

export function socketOptions(transport: 'polling' | 'auto'): Partial<ManagerOptions & SocketOptions> {
  return {
    // Polling first, then upgrade: works behind proxies that break WebSocket.
    transports: transport === 'polling' ? ['polling'] : ['polling', 'websocket'],
    withCredentials: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 4000,
  };
}
