// What to tell a person when the server says no: its error code (server/protocol/errors.ts ErrorCode)
// turned into a sentence of the page's catalogue (common.error.<code>, common.notSent.<code>), never the
// server's own English `message`, which is for logs and integrators.

import { ErrorCode } from '../../server/protocol/errors.ts';
import type { CommonKey, I18n } from './translator.ts';

type Speaker = Pick<I18n<CommonKey>, 't'>;

const CODES: ReadonlySet<string> = new Set<string>(Object.values(ErrorCode));

/** A code the server may send, or `network` when no answer came; anything unknown reads as `internal`. */
export function errorText(i18n: Speaker, code: string): string {
  const known: ErrorCode | 'network' = code === 'network' || code === 'timeout' ? 'network' : CODES.has(code) ? (code as ErrorCode) : 'internal';
  return i18n.t(`common.error.${known}`);
}

/** The codes a failed send is explained by; any other (timeout, unavailable, internal) means the server could not be reached. */
const NOT_SENT = ['invalid_payload', 'forbidden', 'conversation_closed', 'not_found', 'rate_limited'] as const;

/** "Not sent: the conversation has ended", for one's own message that failed with `code`. */
export function notSentText(i18n: Speaker, code: string | null): string {
  const known = NOT_SENT.find((c) => c === code);
  return i18n.t(`common.notSent.${known ?? 'unreachable'}`);
}
