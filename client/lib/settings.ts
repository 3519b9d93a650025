// Settings the server writes into every page (server/http/pages.ts), read before connecting.

/** MAX_MESSAGE_LENGTH: longer messages are refused, so the composer counts toward it. */
export function maxMessageLength(doc: Pick<Document, 'querySelector'> = document): number {
  const raw = doc.querySelector<HTMLMetaElement>('meta[name="parley:max-message-length"]')?.content;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : 4000;
}
