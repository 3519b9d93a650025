// `npm run parley -- <command>`: account recovery and team chores without the UI, over the same
// core and store as the server, reading the same environment (config.ts). A composition root
// like main.ts. It may run beside live servers: what it changes raises the agents' change
// revision, which every node polls (realtime/account-sessions.ts), so sockets it ends close and
// a disabled agent's conversations go back to the queue within a few seconds.

import { systemClock } from './clock.ts';
import { ConfigError, type Config, loadConfig } from './config.ts';
import { createAccounts } from './core/accounts.ts';
import { createTeam, randomPassword } from './core/team.ts';
import { isAppError } from './protocol/errors.ts';
import { Email } from './edge/schemas.ts';
import { createLogger } from './logger.ts';
import { openStore } from './store/open-store.ts';
import type { AgentRecord, Store } from './store/store.ts';

const USAGE = `usage: npm run parley -- <command>

commands:
  create-admin EMAIL     create an admin with a new random password (printed once)
  reset-password EMAIL   set a new random password (printed once); that agent's sessions end
  disable EMAIL          refuse that agent's logins and end their sessions; their conversations go back to the queue
  enable EMAIL           let a disabled agent sign in again
  list-agents            every account: email, role, state, name

It reads the server's environment (DATABASE_URL, …): run it with the same settings as the server.`;

/** A refusal the operator can act on: printed without a stack, exit status 1. */
class CliError extends Error {}

interface Output {
  out(line: string): void;
}

async function run(args: string[], store: Store, io: Output): Promise<void> {
  const accounts = createAccounts({ store, clock: systemClock });
  // No live sockets here: the servers' account watch ends sessions and releases conversations.
  const team = createTeam({ store, accounts, sessions: { changed() {} } });
  const [command, email, ...rest] = args;

  const needEmail = (): string => {
    if (!email || rest.length > 0) throw new CliError(`${command} takes one EMAIL\n\n${USAGE}`);
    const parsed = Email.safeParse(email);
    if (!parsed.success) throw new CliError(`not an email address: ${email}`);
    return parsed.data.toLowerCase();
  };
  const find = async (address: string): Promise<AgentRecord> => {
    const agent = await store.getAgentByEmail(address);
    if (!agent) throw new CliError(`no account with the email ${address}`);
    return agent;
  };

  switch (command) {
    case 'create-admin': {
      const address = needEmail();
      if (await store.getAgentByEmail(address)) throw new CliError(`${address} already has an account: use reset-password or enable`);
      const password = randomPassword();
      const agent = await accounts.createAgent({ email: address, name: address.split('@')[0].slice(0, 100), password, role: 'admin' });
      io.out(`created admin ${agent.email}`);
      io.out(`password: ${password}`);
      return;
    }
    case 'reset-password': {
      const agent = await find(needEmail());
      const { password } = await team.resetPassword(null, agent.id);
      io.out(`new password set for ${agent.email}; their sessions end`);
      io.out(`password: ${password}`);
      return;
    }
    case 'disable': {
      const agent = await find(needEmail());
      await team.update(null, agent.id, { disabled: true });
      io.out(`disabled ${agent.email}; their sessions end and their conversations go back to the queue`);
      return;
    }
    case 'enable': {
      const agent = await find(needEmail());
      await team.update(null, agent.id, { disabled: false });
      io.out(`enabled ${agent.email}`);
      return;
    }
    case 'list-agents': {
      if (args.length > 1) throw new CliError(`list-agents takes no arguments\n\n${USAGE}`);
      const agents = await store.listAgents();
      io.out(['email', 'role', 'state', 'name'].join('\t'));
      for (const a of agents) io.out([a.email, a.role, a.disabled ? 'disabled' : 'active', a.name].join('\t'));
      return;
    }
    default:
      throw new CliError(command ? `unknown command: ${command}\n\n${USAGE}` : USAGE);
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`parley: invalid configuration: ${err.message}\n`);
      return 78; // EX_CONFIG, as the server
    }
    throw err;
  }
  // The store's own warnings go to stderr, so stdout stays the answer.
  const logger = createLogger(config.logLevel === 'silent' ? 'silent' : 'warn', process.stderr);
  const store = await openStore(config.database, logger);
  try {
    await run(args, store, { out: (line) => process.stdout.write(`${line}\n`) });
    return 0;
  } catch (err) {
    if (err instanceof CliError || isAppError(err)) {
      process.stderr.write(`parley: ${err.message}\n`);
      return err instanceof CliError && err.message.includes('usage:') ? 64 : 1;
    }
    throw err;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`parley: failed: ${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);
