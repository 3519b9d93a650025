// The name a visitor has until they give one. The server stores and sends it in
// this one form ("Visitor " + the first four characters of the id); clients
// show it in the reader's language (client/lib/translator.ts `name`).

const PREFIX = 'Visitor ';
const TAG = 4;

export function defaultVisitorName(visitorId: string): string {
  return PREFIX + visitorId.slice(0, TAG);
}

/** The four-character tag of a default name ("Visitor 1a2b" → "1a2b"), or null for a name someone gave. */
export function defaultNameTag(name: string): string | null {
  if (name.length !== PREFIX.length + TAG || !name.startsWith(PREFIX)) return null;
  const tag = name.slice(PREFIX.length);
  for (const ch of tag) if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) return null;
  return tag;
}
