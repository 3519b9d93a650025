// Client-generated message ids (`clientId`): the same id on every retry lets
// the server de-duplicate a resend.

export function newClientId(): string {
  // randomUUID needs a secure context; plain-http deployments still have getRandomValues.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
