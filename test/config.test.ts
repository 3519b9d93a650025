// [CONFIG] SPEC §8: configuration is validated once; a bad value names its variable.

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.ts';

describe('[CONFIG] loadConfig', () => {
  it('[CONFIG1] defaults give the embedded single-node setup', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      database: { kind: 'sqlite', path: './data/parley.db' },
      redisUrl: null,
      maxMessageLength: 4000,
      messageRateLimit: 50,
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
      sessionSecret: null,
      allowedOrigins: [],
      trustProxy: false,
      clusterHeartbeatMs: 3000,
      clusterDeadAfterMs: 12_000,
      smtpUrl: null,
      mailFrom: 'Parley <parley@localhost>',
      publicUrl: null,
      emailFollowUpDelayMs: 180_000,
      webhookRetryBaseMs: 30_000,
      webhookAllowPrivate: false,
      webhookTimeoutMs: 10_000,
    });
  });

  it('[CONFIG2] every variable is parsed', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '0.0.0.0',
      SESSION_SECRET: 'a-very-long-secret-value',
      DATABASE_URL: 'postgres://u:p@db.internal:5432/parley',
      DATABASE_POOL_SIZE: '40',
      REDIS_URL: 'redis://cache:6379',
      ALLOWED_ORIGINS: 'https://shop.example.com, https://www.example.org',
      TRUST_PROXY: '1',
      ADMIN_EMAIL: 'Boss@Example.com',
      ADMIN_PASSWORD: 'long password',
      MAX_MESSAGE_LENGTH: '2000',
      MESSAGE_RATE_LIMIT: '0',
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '25000',
      CLUSTER_HEARTBEAT_MS: '1000',
      CLUSTER_DEAD_AFTER_MS: '5000',
      SMTP_URL: 'smtps://u:p@mail.example.com:465',
      MAIL_FROM: 'Support <support@example.com>',
      PUBLIC_URL: 'https://chat.example.com/',
      EMAIL_FOLLOWUP_DELAY_MS: '60000',
      WEBHOOK_RETRY_BASE_MS: '5000',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_TIMEOUT_MS: '2000',
    });
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      database: { kind: 'postgres', url: 'postgres://u:p@db.internal:5432/parley', poolSize: 40 },
      redisUrl: 'redis://cache:6379',
      allowedOrigins: ['https://shop.example.com', 'https://www.example.org'],
      trustProxy: 1,
      adminEmail: 'boss@example.com',
      maxMessageLength: 2000,
      messageRateLimit: 0,
      logLevel: 'warn',
      shutdownTimeoutMs: 25_000,
      clusterHeartbeatMs: 1000,
      clusterDeadAfterMs: 5000,
      smtpUrl: 'smtps://u:p@mail.example.com:465',
      mailFrom: 'Support <support@example.com>',
      publicUrl: 'https://chat.example.com',
      emailFollowUpDelayMs: 60_000,
      webhookRetryBaseMs: 5000,
      webhookAllowPrivate: true,
      webhookTimeoutMs: 2000,
    });
    expect(loadConfig({ DATABASE_URL: 'sqlite:/var/lib/parley/db.sqlite' }).database).toEqual({ kind: 'sqlite', path: '/var/lib/parley/db.sqlite' });
    expect(loadConfig({ DATABASE_URL: 'postgres://db/parley' }).database).toEqual({ kind: 'postgres', url: 'postgres://db/parley', poolSize: 10 });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ NODE_ENV: 'production' }, 'SESSION_SECRET'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://db/parley', DATABASE_POOL_SIZE: '1' }, 'DATABASE_POOL_SIZE'],
    [{ DATABASE_URL: 'postgres://db/parley', DATABASE_POOL_SIZE: 'many' }, 'DATABASE_POOL_SIZE'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ ALLOWED_ORIGINS: 'not a url' }, 'ALLOWED_ORIGINS'],
    [{ ALLOWED_ORIGINS: 'https://ok.example.com/path' }, 'ALLOWED_ORIGINS'],
    [{ TRUST_PROXY: 'yes please!' }, 'TRUST_PROXY'],
    [{ ADMIN_EMAIL: 'a@b.c' }, 'ADMIN_PASSWORD'],
    [{ ADMIN_EMAIL: 'nope', ADMIN_PASSWORD: 'long enough' }, 'ADMIN_EMAIL'],
    [{ ADMIN_EMAIL: 'a@b.c', ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
    [{ MAX_MESSAGE_LENGTH: '0' }, 'MAX_MESSAGE_LENGTH'],
    [{ MESSAGE_RATE_LIMIT: '-1' }, 'MESSAGE_RATE_LIMIT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SEND_QUEUE_MAX: '-1' }, 'SEND_QUEUE_MAX'],
    [{ SEND_QUEUE_MAX_AGE_MS: 'soon' }, 'SEND_QUEUE_MAX_AGE_MS'],
    [{ SHUTDOWN_TIMEOUT_MS: '10s' }, 'SHUTDOWN_TIMEOUT_MS'],
    [{ SHUTDOWN_TIMEOUT_MS: '500' }, 'SHUTDOWN_TIMEOUT_MS'],
    [{ CLUSTER_HEARTBEAT_MS: '10' }, 'CLUSTER_HEARTBEAT_MS'],
    [{ CLUSTER_HEARTBEAT_MS: '5000', CLUSTER_DEAD_AFTER_MS: '8000' }, 'CLUSTER_DEAD_AFTER_MS'],
    [{ SMTP_URL: 'mail.example.com:25' }, 'SMTP_URL'],
    [{ SMTP_URL: 'https://mail.example.com' }, 'SMTP_URL'],
    [{ MAIL_FROM: 'Support' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'a@b.c\r\nBcc: x@y.z' }, 'MAIL_FROM'],
    [{ PUBLIC_URL: 'chat.example.com' }, 'PUBLIC_URL'],
    [{ EMAIL_FOLLOWUP_DELAY_MS: '3m' }, 'EMAIL_FOLLOWUP_DELAY_MS'],
    [{ WEBHOOK_RETRY_BASE_MS: '30s' }, 'WEBHOOK_RETRY_BASE_MS'],
    [{ WEBHOOK_ALLOW_PRIVATE: 'yes' }, 'WEBHOOK_ALLOW_PRIVATE'],
    [{ WEBHOOK_TIMEOUT_MS: '50' }, 'WEBHOOK_TIMEOUT_MS'],
    [{ IDENTITY_SECRET: 'short' }, 'IDENTITY_SECRET'],
    [{ IDENTITY_SECRET: 'a-long-enough-identity-key', IDENTITY_REQUIRED: 'yes' }, 'IDENTITY_REQUIRED'],
    [{ IDENTITY_REQUIRED: 'true' }, 'IDENTITY_REQUIRED'],
  ])('[CONFIG3] %j is refused naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toContain(variable);
  });

  it('[IDENT1] IDENTITY_SECRET and IDENTITY_REQUIRED: off by default, parsed when set', () => {
    expect(loadConfig({})).toMatchObject({ identitySecret: null, identityRequired: false });
    expect(loadConfig({ IDENTITY_SECRET: ' a-long-enough-identity-key ', IDENTITY_REQUIRED: 'true' })).toMatchObject({
      identitySecret: 'a-long-enough-identity-key',
      identityRequired: true,
    });
    expect(loadConfig({ IDENTITY_SECRET: 'a-long-enough-identity-key', IDENTITY_REQUIRED: 'false' }).identityRequired).toBe(false);
  });
});
