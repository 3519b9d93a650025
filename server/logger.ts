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
      redact: { paths: ['password', 'body', 'email', '*.password', '*.body', '*.email', 'req.headers.cookie'], remove: true },
    },
    destination,
  );
}
