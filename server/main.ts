// The only composition root: config → logger → store → app → listen, and the
// signals that stop it. Everything else receives its dependencies.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createApp } from './app.ts';
import { systemClock } from './clock.ts';
import { ConfigError, type Config, loadConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { openStore } from './store/open-store.ts';
import { openCluster } from './cluster/open-cluster.ts';

/** Development only: a random secret kept beside the database, so restarts keep everyone logged in. */
function developmentSecret(config: Config, logger: Logger): string {
  const dir = config.database.kind === 'sqlite' && config.database.path !== ':memory:' ? dirname(config.database.path) : './data';
  const file = join(dir, 'session-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dir, { recursive: true });
    const secret = randomBytes(32).toString('hex');
    writeFileSync(file, secret, { mode: 0o600 });
    logger.warn({ event: 'config.dev_secret', file }, 'SESSION_SECRET unset: using a generated development secret');
    return secret;
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`parley: invalid configuration: ${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const clock = systemClock;
  const store = await openStore(config.database, logger, clock);
  const cluster = await openCluster(config, logger, { clock });
  const app = createApp({
    config,
    clock,
    sessionSecret: config.sessionSecret ?? developmentSecret(config, logger),
    logger,
    store,
    cluster: cluster ?? undefined,
  });

  // SIGTERM (or SIGINT) drains: out of rotation at once, the acks in flight are sent, every client is
  // told to reconnect (to another node, behind a balancer), then HTTP, the cluster and the store
  // close; all within SHUTDOWN_TIMEOUT_MS. A second signal stops at once.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ event: 'server.stop_now', signal }, 'second signal: stopping without draining');
      process.exit(1);
    }
    stopping = true;
    const timeoutMs = config.shutdownTimeoutMs;
    const started = clock.now();
    logger.info({ event: 'server.draining', signal, timeoutMs }, 'draining: refusing new connections, finishing what runs');
    const force = setTimeout(() => {
      logger.error({ event: 'server.stop_timeout', timeoutMs }, 'shutdown took longer than SHUTDOWN_TIMEOUT_MS');
      process.exit(1);
    }, timeoutMs);
    force.unref();
    // Kept for what follows the connections: HTTP requests still running, the cluster, the store.
    const reserve = Math.min(3000, Math.floor(timeoutMs / 3));
    try {
      const { closed, forced } = await app.drain(timeoutMs - reserve);
      const drained = { event: 'server.drained', closed, forced, ms: clock.now() - started };
      if (forced > 0) logger.warn(drained, 'drain timed out: connections with handlers still running were cut');
      else logger.info(drained, 'every connection closed');
      await app.close(Math.floor(reserve / 2));
      await cluster?.close();
      await store.close();
      logger.info({ event: 'server.stopped', ms: clock.now() - started }, 'stopped');
      process.exit(forced > 0 ? 1 : 0);
    } catch (err) {
      logger.error({ event: 'server.stop_failed', err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const created = await app.accounts.bootstrapAdmin(config);
  const address = await app.listen(config.port, config.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;
  logger.info({ event: 'server.listening', url, database: store.engine, cluster: cluster !== null }, `Parley listening on ${url}`);
  if (created) {
    // Printed once, on the first start, to the terminal only (not into structured logs).
    process.stdout.write(
      `\n  Parley is running at ${url}\n  First start: an admin was created.\n    email:    ${created.email}\n    password: ${created.password}\n  Log in at ${url}/login and change it under "Your account" (your name, top right).\n  Lost it? npm run parley -- reset-password ${created.email}\n\n`,
    );
  }

}

// Last line of defence: a stray rejection (a dependency's unhandled promise) is logged, not fatal.
process.on('unhandledRejection', (reason) => {
  console.error(JSON.stringify({ level: 50, event: 'process.unhandled_rejection', err: String((reason as Error)?.stack ?? reason) }));
});

main().catch((err: unknown) => {
  console.error('parley: failed to start:', err);
  process.exit(1);
});
