// Settings the server writes into every page (server/http/pages.ts), read before connecting.

/** MAX_MESSAGE_LENGTH: longer messages are refused, so the composer counts toward it. */
export function maxMessageLength(doc: Pick<Document, 'querySelector'> = document): number {
  const raw = doc.querySelector<HTMLMetaElement>('meta[name="parley:max-message-length"]')?.content;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : 4000;
}

/** What a composer says about its text's length: nothing far from the limit, what is left near it, by how much over it. */
export interface LengthStatus {
  shown: boolean;
  over: boolean;
  text: string;
}

/** The counter appears once this share of the limit is used. */
const COUNT_FROM = 0.8;

export function lengthStatus(length: number, limit: number): LengthStatus {
  const over = length - limit;
  return {
    shown: length >= limit * COUNT_FROM,
    over: over > 0,
    text: over > 0 ? `${over.toLocaleString()} characters too long (at most ${limit.toLocaleString()})` : `${(limit - length).toLocaleString()} characters left`,
  };
}
