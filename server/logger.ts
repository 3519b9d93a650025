// Structured, levelled logging (pino). Every line carries a stable `event`
// field; callers never log message bodies, passwords or emails.

import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Defence in depth: these keys never reach a log line even if passed by mistake.
      // API token secrets (docs/api.md) and the header that carries them, likewise.
      redact: {
        paths: ['password', 'body', 'email', 'secret', '*.password', '*.body', '*.email', '*.secret', 'req.headers.cookie', 'req.headers.authorization', 'headers.authorization'],
        remove: true,
      },
    },
    destination,
  );
}
