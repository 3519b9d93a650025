// The only reader of process.env: parses and validates every setting once at
// start (SPEC §8). A bad value throws ConfigError naming the variable.

import { LANGUAGES } from '../i18n/locales.ts';

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string }
  /** poolSize: DATABASE_POOL_SIZE, connections this node opens at most (the engine's default when absent). */
  | { kind: 'postgres'; url: string; poolSize?: number };

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** null only in development, where main.ts keeps a generated secret beside the database. */
  sessionSecret: string | null;
  database: DatabaseConfig;
  redisUrl: string | null;
  /** Origins (scheme://host[:port]) of sites that may embed the widget. */
  allowedOrigins: string[];
  /** Value for express' `trust proxy`; false when unset. Also makes cookies `Secure`. */
  trustProxy: boolean | number | string;
  adminEmail: string | null;
  adminPassword: string | null;
  maxMessageLength: number;
  /** Messages per 10 s per connection; 0 disables. */
  messageRateLimit: number;
  /** Sends waiting for the store, node-wide, beyond which new sends are answered `unavailable`; 0 disables. */
  sendQueueMax: number;
  /** Age (ms) of the oldest send waiting for the store beyond which new sends are answered `unavailable`; 0 disables. */
  sendQueueMaxAgeMs: number;
  /** New visitor identities per client address per 10 minutes; 0 disables. */
  newVisitorRateLimit: number;
  /** Open Socket.IO connections per client address; 0 disables. */
  connectionsPerAddress: number;
  /** API requests per client address per 10 s from clients without an agent session; 0 disables. */
  httpRateLimit: number;
  /** Refused `Authorization: Bearer` attempts (unknown or revoked API tokens) per client address per 10 minutes; 0 disables. */
  apiTokenFailureLimit: number;
  /** The largest attachment accepted, in bytes (POST /api/attachments). */
  maxUploadBytes: number;
  /** Attachment uploads per client address per 10 minutes from clients without an agent session; 0 disables. */
  uploadRateLimit: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How long a person may be gone before presence says "leave" (absorbs reloads and blips). */
  presenceGraceMs: number;
  /** Cluster mode: how often a node records itself alive in Redis. */
  clusterHeartbeatMs: number;
  /** Cluster mode: how long a node may go unheard before another removes its connections (at least 2 heartbeats). */
  clusterDeadAfterMs: number;
  /** WIDGET_LANGUAGE: the widget's language for every visitor (a shipped code), or null to follow each browser. */
  widgetLanguage: string | null;
  /** IDENTITY_SECRET: the key host sites sign their user ids with (verified identity); null: verification off. */
  identitySecret: string | null;
  /** IDENTITY_REQUIRED: only verified visitors may chat. */
  identityRequired: boolean;
  /** SIGTERM to exit at most: the drain (in-flight acks, then every connection closed) and the close. */
  shutdownTimeoutMs: number;
  /** ROUTING: how queued conversations reach agents until an admin changes it (the team settings). */
  routing: RoutingMode;
  /** DEFAULT_AGENT_CAPACITY: active conversations routing gives an agent, until the team settings say otherwise. */
  defaultAgentCapacity: number;
  /** OFFLINE_REQUEUE_MS: an offline agent's active conversations go back to the queue after this; 0 never. */
  offlineRequeueMs: number;
  /** AWAY_AFTER_MS: an agent whose console sees no activity this long is set away; 0 never. */
  awayAfterMs: number;
  /** SMTP_URL (smtp:// or smtps://): where email is sent; null turns email (follow-ups, transcripts) off. */
  smtpUrl: string | null;
  /** MAIL_FROM: the From of every email Parley sends. */
  mailFrom: string;
  /** PUBLIC_URL: this service's address as visitors reach it (scheme://host[:port]), for links in emails; null: http://HOST:PORT. */
  publicUrl: string | null;
  /** EMAIL_FOLLOWUP_DELAY_MS: unseen agent replies are emailed after the visitor was away this long. */
  emailFollowUpDelayMs: number;
  /** WEBHOOK_RETRY_BASE_MS: a failed webhook delivery is first tried again after this, then after twice as long each time (for 24 h). */
  webhookRetryBaseMs: number;
  /** WEBHOOK_ALLOW_PRIVATE: webhooks may reach private, loopback and link-local addresses (off: refused, against SSRF). */
  webhookAllowPrivate: boolean;
  /** WEBHOOK_TIMEOUT_MS: a webhook request's time limit (a 2xx must come within it). */
  webhookTimeoutMs: number;
}

export type RoutingMode = 'auto' | 'manual';

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function str(env: Env, name: string): string | null {
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = str(env, name);
  if (v === null) return fallback;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `must be a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function parseDatabase(env: Env): DatabaseConfig {
  const v = str(env, 'DATABASE_URL');
  if (v === null) return { kind: 'sqlite', path: './data/parley.db' };
  if (v.startsWith('sqlite:')) {
    const path = v.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new ConfigError('DATABASE_URL', 'sqlite: needs a path, e.g. sqlite:./data/parley.db');
    return { kind: 'sqlite', path };
  }
  if (v.startsWith('postgres://') || v.startsWith('postgresql://')) {
    try {
      new URL(v);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    // Every node opens up to this many: their sum must stay below PostgreSQL's max_connections.
    return { kind: 'postgres', url: v, poolSize: int(env, 'DATABASE_POOL_SIZE', 10, 2, 500) };
  }
  throw new ConfigError('DATABASE_URL', 'must start with sqlite: or postgres://');
}

function parseOrigins(env: Env): string[] {
  const v = str(env, 'ALLOWED_ORIGINS');
  if (v === null) return [];
  return v.split(',').map((raw) => {
    const s = raw.trim();
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw new ConfigError('ALLOWED_ORIGINS', `"${s}" is not an origin like https://www.example.com`);
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || s.endsWith('/')) {
      if (url.origin !== s) throw new ConfigError('ALLOWED_ORIGINS', `"${s}" is not an origin like https://www.example.com`);
    }
    return url.origin;
  });
}

function parseTrustProxy(env: Env): boolean | number | string {
  const v = str(env, 'TRUST_PROXY');
  if (v === null || v === 'false' || v === '0') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  if (/^[\w.:/, -]+$/.test(v)) return v; // loopback, uniquelocal, CIDRs, addresses
  throw new ConfigError('TRUST_PROXY', 'must be true, false, a hop count, or a list of addresses/subnets');
}

function parseIdentity(env: Env): { identitySecret: string | null; identityRequired: boolean } {
  const identitySecret = str(env, 'IDENTITY_SECRET');
  // A short key makes the host's signatures guessable: the same floor as SESSION_SECRET.
  if (identitySecret !== null && identitySecret.length < 16) throw new ConfigError('IDENTITY_SECRET', 'must be at least 16 characters');
  const v = str(env, 'IDENTITY_REQUIRED');
  if (v !== null && v !== 'true' && v !== 'false') throw new ConfigError('IDENTITY_REQUIRED', `must be true or false, got "${v}"`);
  const identityRequired = v === 'true';
  // Requiring what nobody can prove would lock every visitor out.
  if (identityRequired && identitySecret === null) throw new ConfigError('IDENTITY_REQUIRED', 'needs IDENTITY_SECRET');
  return { identitySecret, identityRequired };
}

function parseRouting(env: Env): RoutingMode {
  const v = str(env, 'ROUTING');
  if (v === null || v === 'manual') return 'manual';
  if (v === 'auto') return 'auto';
  throw new ConfigError('ROUTING', `must be auto or manual, got "${v}"`);
}

function parseSmtpUrl(env: Env): string | null {
  const v = str(env, 'SMTP_URL');
  if (v === null) return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError('SMTP_URL', 'is not a URL like smtp://user:password@mail.example.com:587');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new ConfigError('SMTP_URL', 'must start with smtp:// or smtps://');
  return v;
}

function parsePublicUrl(env: Env): string | null {
  const v = str(env, 'PUBLIC_URL');
  if (v === null) return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError('PUBLIC_URL', `"${v}" is not an address like https://chat.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('PUBLIC_URL', 'must start with http:// or https://');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function parseMailFrom(env: Env): string {
  const v = str(env, 'MAIL_FROM');
  if (v === null) return 'Parley <parley@localhost>';
  // "Name <address>" or a bare address; no line breaks (they would start new headers).
  if (/[\r\n]/.test(v) || !/^[^<>@\s]+@[^<>@\s]+$|<[^<>@\s]+@[^<>@\s]+>$/.test(v)) {
    throw new ConfigError('MAIL_FROM', `must be an address or "Name <address>", got "${v}"`);
  }
  return v;
}

function parseLanguage(env: Env, name: string): string | null {
  const v = str(env, name);
  if (v === null || v === 'auto') return null;
  const code = LANGUAGES.find((l) => l.code.toLowerCase() === v.toLowerCase())?.code;
  if (!code) throw new ConfigError(name, `must be auto or one of ${LANGUAGES.map((l) => l.code).join(', ')}, got "${v}"`);
  return code;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnvRaw = str(env, 'NODE_ENV') ?? 'development';
  if (nodeEnvRaw !== 'development' && nodeEnvRaw !== 'production' && nodeEnvRaw !== 'test') {
    throw new ConfigError('NODE_ENV', 'must be development, production or test');
  }
  const sessionSecret = str(env, 'SESSION_SECRET');
  if (sessionSecret === null && nodeEnvRaw !== 'development') {
    throw new ConfigError('SESSION_SECRET', 'is required outside development (32+ random characters)');
  }
  if (sessionSecret !== null && sessionSecret.length < 16) {
    throw new ConfigError('SESSION_SECRET', 'must be at least 16 characters');
  }
  const redisUrl = str(env, 'REDIS_URL');
  if (redisUrl !== null && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError('REDIS_URL', 'must start with redis:// or rediss://');
  }
  const logLevel = (str(env, 'LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const adminEmail = str(env, 'ADMIN_EMAIL');
  const adminPassword = str(env, 'ADMIN_PASSWORD');
  if ((adminEmail === null) !== (adminPassword === null)) {
    throw new ConfigError(adminEmail === null ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD', 'ADMIN_EMAIL and ADMIN_PASSWORD go together');
  }
  if (adminEmail !== null && !/^[^\s@]+@[^\s@]+$/.test(adminEmail)) throw new ConfigError('ADMIN_EMAIL', 'is not an email address');
  if (adminPassword !== null && adminPassword.length < 8) throw new ConfigError('ADMIN_PASSWORD', 'must be at least 8 characters');

  const clusterHeartbeatMs = int(env, 'CLUSTER_HEARTBEAT_MS', 3000, 100, 60_000);
  const clusterDeadAfterMs = int(env, 'CLUSTER_DEAD_AFTER_MS', 12_000, 200, 600_000);
  // A node judges others only while its own heartbeats are under dead-after minus one heartbeat apart.
  if (clusterDeadAfterMs < 2 * clusterHeartbeatMs) {
    throw new ConfigError('CLUSTER_DEAD_AFTER_MS', `must be at least twice CLUSTER_HEARTBEAT_MS (${clusterHeartbeatMs}), got ${clusterDeadAfterMs}`);
  }

  return {
    nodeEnv: nodeEnvRaw,
    port: int(env, 'PORT', 3000, 0, 65535),
    host: str(env, 'HOST') ?? '127.0.0.1',
    sessionSecret,
    database: parseDatabase(env),
    redisUrl,
    allowedOrigins: parseOrigins(env),
    trustProxy: parseTrustProxy(env),
    adminEmail: adminEmail?.toLowerCase() ?? null,
    adminPassword,
    maxMessageLength: int(env, 'MAX_MESSAGE_LENGTH', 4000, 1, 100_000),
    messageRateLimit: int(env, 'MESSAGE_RATE_LIMIT', 50, 0, 1_000_000),
    sendQueueMax: int(env, 'SEND_QUEUE_MAX', 5000, 0, 1_000_000),
    sendQueueMaxAgeMs: int(env, 'SEND_QUEUE_MAX_AGE_MS', 2000, 0, 600_000),
    newVisitorRateLimit: int(env, 'NEW_VISITOR_RATE_LIMIT', 30, 0, 1_000_000),
    connectionsPerAddress: int(env, 'CONNECTIONS_PER_ADDRESS', 200, 0, 1_000_000),
    httpRateLimit: int(env, 'HTTP_RATE_LIMIT', 300, 0, 1_000_000),
    apiTokenFailureLimit: int(env, 'API_TOKEN_FAILURE_LIMIT', 20, 0, 1_000_000),
    maxUploadBytes: int(env, 'MAX_UPLOAD_BYTES', 10 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    uploadRateLimit: int(env, 'UPLOAD_RATE_LIMIT', 60, 0, 1_000_000),
    logLevel,
    presenceGraceMs: int(env, 'PRESENCE_GRACE_MS', 3000, 0, 120_000),
    clusterHeartbeatMs,
    clusterDeadAfterMs,
    widgetLanguage: parseLanguage(env, 'WIDGET_LANGUAGE'),
    ...parseIdentity(env),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 1000, 600_000),
    routing: parseRouting(env),
    defaultAgentCapacity: int(env, 'DEFAULT_AGENT_CAPACITY', 3, 1, 100),
    offlineRequeueMs: int(env, 'OFFLINE_REQUEUE_MS', 120_000, 0, 86_400_000),
    awayAfterMs: int(env, 'AWAY_AFTER_MS', 900_000, 0, 86_400_000),
    smtpUrl: parseSmtpUrl(env),
    mailFrom: parseMailFrom(env),
    publicUrl: parsePublicUrl(env),
    emailFollowUpDelayMs: int(env, 'EMAIL_FOLLOWUP_DELAY_MS', 180_000, 0, 86_400_000),
    webhookRetryBaseMs: int(env, 'WEBHOOK_RETRY_BASE_MS', 30_000, 10, 3_600_000),
    webhookAllowPrivate: parseBoolean(env, 'WEBHOOK_ALLOW_PRIVATE'),
    webhookTimeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
  };
}

function parseBoolean(env: NodeJS.ProcessEnv, name: string): boolean {
  const v = env[name];
  if (v === undefined || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw new ConfigError(name, `must be true or false, got "${v}"`);
}
