// Agents and admins: creation, login with brute-force throttling (counted in
// the database, so every node shares it), and the first-start admin.

import { randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { Role } from '../protocol/shapes.ts';
import type { AgentRecord, Store } from '../store/store.ts';
import type { Clock } from './conversations.ts';
import { dummyHash, hashPassword, verifyPassword } from './passwords.ts';
import { emailTaken } from './store-outcomes.ts';

export interface LoginLimits {
  /** Failed attempts per account within the window before further attempts are refused. */
  perAccount: number;
  /** Failed attempts per client address within the window. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 5, perAddress: 20, windowMs: 15 * 60_000 };

export interface Accounts {
  /** Throws conflict when the email (case-insensitive) is taken. */
  createAgent(input: { email: string; name: string; password: string; role: Role }): Promise<AgentRecord>;
  /** Throws rate_limited or invalid_credentials; successful logins are never counted. */
  login(email: string, password: string, address: string): Promise<AgentRecord>;
  /** Creates the configured admin, or a generated one when no admin exists. Returns the generated password, if any. */
  bootstrapAdmin(config: { adminEmail: string | null; adminPassword: string | null }): Promise<{ email: string; password: string } | null>;
}

export function createAccounts(deps: { store: Store; clock: Clock; limits?: LoginLimits }): Accounts {
  const { store, clock, limits = DEFAULT_LOGIN_LIMITS } = deps;
  let dummy: Promise<string> | null = null;

  /** The agent, or null when the email is taken (also by one created at the same moment on another node). */
  async function insertAgent(input: { email: string; name: string; password: string; role: Role }): Promise<AgentRecord | null> {
    const passwordHash = await hashPassword(input.password);
    const result = await store.createAgent({ email: input.email.toLowerCase(), name: input.name, role: input.role, passwordHash });
    return result.kind === 'created' ? result.agent : null;
  }

  return {
    async createAgent(input) {
      const agent = await insertAgent(input);
      if (!agent) throw emailTaken();
      return agent;
    },

    async login(email, password, address) {
      const now = clock.now();
      const since = now - limits.windowMs;
      const accountKey = `account:${email.toLowerCase()}`;
      const addressKey = `address:${address}`;
      const [byAccount, byAddress] = await Promise.all([
        store.loginFailureCount(accountKey, since),
        store.loginFailureCount(addressKey, since),
      ]);
      if (byAccount >= limits.perAccount || byAddress >= limits.perAddress) {
        throw new AppError(ErrorCode.RateLimited, 'too many failed login attempts; try again later');
      }
      const agent = await store.getAgentByEmail(email.toLowerCase());
      // Unknown emails cost a full hash too, so timing does not reveal which accounts exist.
      dummy ??= dummyHash();
      const ok = await verifyPassword(password, agent?.passwordHash ?? (await dummy));
      if (!agent || !ok) {
        await Promise.all([store.loginFailureRecord(accountKey, now), store.loginFailureRecord(addressKey, now)]);
        throw new AppError(ErrorCode.InvalidCredentials, 'wrong email or password');
      }
      return agent;
    },

    async bootstrapAdmin({ adminEmail, adminPassword }) {
      if (adminEmail && adminPassword) {
        // Taken (also by another node at the same moment) is the outcome we wanted.
        if (!(await store.getAgentByEmail(adminEmail))) await insertAgent({ email: adminEmail, name: 'Admin', password: adminPassword, role: 'admin' });
        return null;
      }
      if ((await store.countAdmins()) > 0) return null;
      const password = randomBytes(12).toString('base64url');
      const admin = await insertAgent({ email: 'admin@localhost', name: 'Admin', password, role: 'admin' });
      return admin ? { email: 'admin@localhost', password } : null;
    },
  };
}
