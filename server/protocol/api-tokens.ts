// API token scopes and shapes (docs/api.md): what a token may do over the REST API. Imports
// nothing: the dashboard (client/admin) imports it too.

/** A closed set: a token is created with a non-empty subset. */
export const ApiScope = {
  /** List and read conversations and their messages. */
  ConversationsRead: 'conversations:read',
  /** Close conversations and assign them to agents. */
  ConversationsManage: 'conversations:manage',
  /** Send messages as an agent (into a conversation assigned to that agent). */
  MessagesSendAgent: 'messages:send_agent',
  /** Send messages as the system (an automated note the visitor sees, e.g. "your order shipped"). */
  MessagesSendSystem: 'messages:send_system',
  /** List the team's agents. */
  AgentsRead: 'agents:read',
} as const;
export type ApiScope = (typeof ApiScope)[keyof typeof ApiScope];
export const API_SCOPES: readonly ApiScope[] = Object.values(ApiScope);

/** Every secret starts with this, so secret scanners can find leaked ones. */
export const API_TOKEN_PREFIX = 'pky_';
/** At most this many tokens exist at once. */
export const API_TOKENS_MAX = 100;
export const API_TOKEN_NAME_MAX = 100;

/** A token as `GET /api/tokens` lists it: never its secret. */
export interface ApiToken {
  id: string;
  name: string;
  scopes: ApiScope[];
  /** The secret's first characters, to tell tokens apart (`pky_AbCd1234…`). */
  prefix: string;
  /** ISO-8601. */
  createdAt: string;
  /** ISO-8601; null until first used. Updated at most once a minute. */
  lastUsedAt: string | null;
  createdBy: { id: string; name: string } | null;
}

/** `POST /api/tokens`'s answer: the only time the secret is shown. */
export interface CreatedApiToken {
  id: string;
  name: string;
  scopes: ApiScope[];
  secret: string;
}
