// Agents and admins: creation, login with brute-force throttling (counted in
// the database, so every node shares it), and the first-start admin.

import { randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { Role } from '../protocol/shapes.ts';
import type { AgentRecord, Store } from '../store/store.ts';
import type { Clock } from '../clock.ts';
import { createPasswordHasher, type PasswordHasher } from './password-hasher.ts';
import { emailTaken } from './store-outcomes.ts';

export interface LoginLimits {
  /** Failed attempts per account from browsers it never signed in on, within the window; then those are refused. */
  perAccount: number;
  /** Failed attempts per client address within the window, all accounts together. */
  perAddress: number;
  /** Failed attempts from one browser the account signed in on before (its device cookie). */
  perDevice: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 5, perAddress: 20, perDevice: 10, windowMs: 15 * 60_000 };

/** Where a login attempt comes from. */
export interface LoginOrigin {
  address: string;
  /** A browser this agent signed in on before (verified device cookie), or null. */
  device: { agentId: string; deviceId: string } | null;
}

export interface Accounts {
  /** Throws conflict when the email (case-insensitive) is taken. */
  createAgent(input: { email: string; name: string; password: string; role: Role }): Promise<AgentRecord>;
  /**
   * Throws rate_limited or invalid_credentials; successful logins are never counted. An attacker is
   * throttled by address and, on browsers the account never used, by account; the owner's own
   * browser (its device cookie) answers to its own limit only, so nobody can lock the owner out.
   */
  login(email: string, password: string, from: LoginOrigin): Promise<AgentRecord>;
  /**
   * Checks a signed-in agent's own password (changing it needs the current one), under the login
   * limits of their own browser: a stolen session cannot guess it faster than a login could.
   */
  verifyOwn(agent: AgentRecord, password: string, from: LoginOrigin): Promise<void>;
  /** Hashes a new password (the same capped hasher logins use). */
  hash(password: string): Promise<string>;
  /** Forgets an account's failed attempts from unknown browsers (an admin lifting a lock). */
  unlock(agent: AgentRecord): Promise<void>;
  /** Whether unknown browsers are refused for this account now. */
  isLocked(agent: AgentRecord): Promise<boolean>;
  /** Creates the configured admin, or a generated one when no admin exists. Returns the generated password, if any. */
  bootstrapAdmin(config: { adminEmail: string | null; adminPassword: string | null }): Promise<{ email: string; password: string } | null>;
}

const accountKey = (email: string) => `account:${email.toLowerCase()}`;

export function createAccounts(deps: { store: Store; clock: Clock; limits?: LoginLimits; hasher?: PasswordHasher }): Accounts {
  const { store, clock, limits = DEFAULT_LOGIN_LIMITS, hasher = createPasswordHasher() } = deps;
  // Attempts being checked right now, per key. The stored count is read before the (slow) hash and
  // written after it: without these, 50 concurrent guesses all passed a limit of 5.
  const pending = new Map<string, number>();
  const adjust = (keys: string[], by: number) => {
    for (const k of keys) {
      const n = (pending.get(k) ?? 0) + by;
      if (n === 0) pending.delete(k);
      else pending.set(k, n);
    }
  };

  /** The agent, or null when the email is taken (also by one created at the same moment on another node). */
  async function insertAgent(input: { email: string; name: string; password: string; role: Role }): Promise<AgentRecord | null> {
    const passwordHash = await hasher.hash(input.password);
    const result = await store.createAgent({ email: input.email.toLowerCase(), name: input.name, role: input.role, passwordHash });
    return result.kind === 'created' ? result.agent : null;
  }

  /**
   * Checks a password under the login limits. Throws rate_limited or invalid_credentials (also when
   * `allowed` refuses a matching account); successful attempts are never counted.
   */
  async function attempt(email: string, agent: AgentRecord | null, password: string, from: LoginOrigin, allowed: (a: AgentRecord) => boolean): Promise<AgentRecord> {
    const now = clock.now();
    const trusted = agent !== null && from.device?.agentId === agent.id;
    const checks: Array<[string, number]> = trusted
      ? [[`device:${from.device!.deviceId}`, limits.perDevice]]
      : [
          [accountKey(email), limits.perAccount],
          [`address:${from.address}`, limits.perAddress],
        ];
    const keys = checks.map(([k]) => k);
    const counts = await Promise.all(keys.map((k) => store.loginFailureCount(k, now - limits.windowMs)));
    // From here to adjust() nothing awaits: check and reservation are one step.
    if (checks.some(([k, limit], i) => counts[i] + (pending.get(k) ?? 0) >= limit)) {
      throw new AppError(ErrorCode.RateLimited, 'too many failed login attempts; try again later');
    }
    adjust(keys, 1);
    try {
      // Unknown emails cost a full hash too, so timing does not reveal which accounts exist.
      const ok = agent ? await hasher.verify(password, agent.passwordHash) : await hasher.verifyDummy(password);
      if (agent && ok && allowed(agent)) return agent;
      await Promise.all(keys.map((k) => store.loginFailureRecord(k, now)));
      throw new AppError(ErrorCode.InvalidCredentials, 'wrong email or password');
    } finally {
      adjust(keys, -1);
    }
  }

  return {
    async createAgent(input) {
      const agent = await insertAgent(input);
      if (!agent) throw emailTaken();
      return agent;
    },

    async login(email, password, from) {
      const agent = await store.getAgentByEmail(email.toLowerCase());
      // A disabled account answers exactly as a wrong password does (same code, same cost, counted alike).
      return attempt(email, agent, password, from, (a) => !a.disabled);
    },

    async verifyOwn(agent, password, from) {
      await attempt(agent.email, agent, password, { ...from, device: { agentId: agent.id, deviceId: from.device?.deviceId ?? `session:${agent.id}` } }, () => true);
    },

    hash: (password) => hasher.hash(password),

    unlock(agent) {
      return store.loginFailureClear(accountKey(agent.email));
    },

    async isLocked(agent) {
      return (await store.loginFailureCount(accountKey(agent.email), clock.now() - limits.windowMs)) >= limits.perAccount;
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
