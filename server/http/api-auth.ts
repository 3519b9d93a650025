// Identities over HTTP: visitor sessions, agent login/logout, `/api/me`.

import { Router } from 'express';
import type { Request } from 'express';
import type { Accounts } from '../core/accounts.ts';
import type { VisitorService } from '../core/visitors.ts';
import { toAgent, toVisitor } from '../core/mappers.ts';
import type { Logger } from '../logger.ts';
import { parse, type Schemas } from '../edge/schemas.ts';
import type { Store } from '../store/store.ts';
import { agentOf, embedOriginsOnly, requireAgent, sameOriginOnly, sessionAgent } from './guards.ts';
import { SESSION_COOKIE } from '../edge/session-cookie.ts';
import { readDeviceCookie, setDeviceCookie } from './device-cookie.ts';
import type { AddressRate } from '../edge/address-limits.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { Team } from '../core/team.ts';

export interface AuthRouterDeps {
  store: Store;
  accounts: Accounts;
  schemas: Schemas;
  logger: Logger;
  allowedOrigins: readonly string[];
  trustProxy: boolean;
  /** Closes the session's sockets everywhere; its visitor's too, when it has one. */
  disconnectSession(sessionId: string, visitorId?: string): void;
  /** Signs the device cookie (the session secret). */
  secret: string;
  /** New visitor identities per client address (NEW_VISITOR_RATE_LIMIT). */
  newVisitors: AddressRate;
  visitors: VisitorService;
  team: Team;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const regenerate = (req: Request) => new Promise<void>((ok, fail) => req.session.regenerate((err) => (err ? fail(err) : ok())));
const save = (req: Request) => new Promise<void>((ok, fail) => req.session.save((err) => (err ? fail(err) : ok())));
const destroy = (req: Request) => new Promise<void>((ok, fail) => req.session.destroy((err) => (err ? fail(err) : ok())));

function partitionForEmbed(req: Request, trustProxy: boolean): void {
  // A widget framed by another site (its page asks with `?embed=cross-site`) needs the cookie sent
  // there, in that site's partition. Only then: a partitioned cookie on Parley's own pages would
  // shadow the agent cookie a later /api/login sets (same name, older, so sent first).
  // Browsers count http://localhost and 127.0.0.1 as secure, so direct loopback requests qualify.
  const loopback = !trustProxy && LOOPBACK_HOSTS.has(req.hostname);
  if (req.query.embed === 'cross-site' && (req.secure || loopback)) {
    req.session.cookie.sameSite = 'none';
    req.session.cookie.secure = true;
    // express-session ≥1.18 serialises `partitioned`; its type definitions lag behind.
    (req.session.cookie as { partitioned?: boolean }).partitioned = true;
    // express-session only emits a Secure cookie on a request it believes is TLS.
    if (!req.secure) Object.defineProperty(req, 'secure', { value: true });
  }
}

export function authRouter(deps: AuthRouterDeps): Router {
  const { store, accounts, schemas, logger, trustProxy } = deps;
  const router = Router();

  router.post('/api/visitor/session', embedOriginsOnly(deps.allowedOrigins, trustProxy), async (req, res) => {
    const input = parse(schemas.visitorSession, req.body ?? {});
    // Every new identity is a row and a 30-day session: one client made 1,000 in 0.35 s.
    const existing = req.session.visitorId ? await store.getVisitor(req.session.visitorId) : null;
    if (!existing && !deps.newVisitors.take(req.ip ?? 'unknown')) {
      throw new AppError(ErrorCode.RateLimited, 'too many new visitors from this address; try again later');
    }
    const { visitor, created } = await deps.visitors.identify(existing, input);
    if (existing && (created || (visitor.verified && !existing.verified))) {
      // Becoming a verified visitor (another one, or this one now bound to its user): a fresh session
      // id, so a session id known before the identify never carries the identity (fixation).
      const { agentId, agentEpoch } = req.session;
      await regenerate(req);
      if (agentId) Object.assign(req.session, { agentId, agentEpoch });
      req.session.visitorId = visitor.id;
    }
    if (created) {
      req.session.visitorId = visitor.id;
      logger.info({ event: visitor.verified ? 'visitor.verified' : 'visitor.created', visitorId: visitor.id }, 'visitor session created');
    }
    partitionForEmbed(req, trustProxy);
    await save(req);
    res.json({ visitor: toVisitor(visitor) });
  });

  // Parley.reset(): the host site's user logged out. The session forgets its visitor; the next
  // identify or chat starts a new one (the old conversation is not reachable from this browser).
  router.delete('/api/visitor/session', embedOriginsOnly(deps.allowedOrigins, trustProxy), async (req, res) => {
    if (req.session.visitorId) {
      const { agentId, agentEpoch } = req.session;
      await regenerate(req);
      if (agentId) Object.assign(req.session, { agentId, agentEpoch });
      partitionForEmbed(req, trustProxy);
      await save(req);
    }
    res.status(204).end();
  });

  // Parley.setAttributes(): custom attributes shown to agents beside the visitor's conversation.
  router.put('/api/visitor/attributes', embedOriginsOnly(deps.allowedOrigins, trustProxy), async (req, res) => {
    const visitor = req.session.visitorId ? await store.getVisitor(req.session.visitorId) : null;
    if (!visitor) throw new AppError(ErrorCode.Unauthorized, 'no visitor session');
    const { attributes } = parse(schemas.visitorAttributes, req.body ?? {});
    const updated = await deps.visitors.setAttributes({ id: visitor.id, name: visitor.name }, attributes);
    res.json({ attributes: updated.attributes });
  });

  router.post('/api/login', sameOriginOnly(trustProxy), async (req, res) => {
    const { email, password } = parse(schemas.login, req.body ?? {});
    const agent = await accounts.login(email, password, { address: req.ip ?? 'unknown', device: readDeviceCookie(req, deps.secret) });
    const visitorId = req.session.visitorId;
    // A fresh session id on every login: a planted cookie never becomes an agent session (fixation).
    await regenerate(req);
    req.session.agentId = agent.id;
    req.session.agentEpoch = agent.sessionEpoch;
    if (visitorId) req.session.visitorId = visitorId;
    await save(req);
    setDeviceCookie(req, res, deps.secret, agent.id);
    logger.info({ event: 'agent.login', agentId: agent.id }, 'agent logged in');
    res.json({ agent: toAgent(agent) });
  });

  router.post('/api/logout', sameOriginOnly(trustProxy), requireAgent(store), async (req, res) => {
    const sid = req.sessionID;
    const visitorId = req.session.visitorId;
    await destroy(req);
    deps.disconnectSession(sid, visitorId);
    res.clearCookie(SESSION_COOKIE);
    res.status(204).end();
  });

  router.get('/api/me', async (req, res) => {
    const [agent, visitor] = await Promise.all([sessionAgent(store, req), req.session.visitorId ? store.getVisitor(req.session.visitorId) : null]);
    if (!agent && !visitor) {
      res.status(401).json({ error: { code: 'unauthorized', message: 'no session' } });
      return;
    }
    res.json({ ...(agent ? { agent: toAgent(agent) } : {}), ...(visitor ? { visitor: toVisitor(visitor) } : {}) });
  });

  // The signed-in agent's own settings: the console's language and their display name (docs/protocol.md).
  router.patch('/api/me', sameOriginOnly(trustProxy), requireAgent(store), async (req, res) => {
    const { language, name } = parse(schemas.updateMe, req.body ?? {});
    let agent = agentOf(res);
    if (language !== undefined) {
      const updated = await store.setAgentLanguage(agent.id, language);
      if (!updated) throw new AppError(ErrorCode.Unauthorized, 'log in as an agent first');
      agent = updated;
      logger.info({ event: 'agent.language', agentId: agent.id, language }, 'agent language set');
    }
    if (name !== undefined && name !== agent.name) {
      agent = await deps.team.update(agent, agent.id, { name });
      logger.info({ event: 'agent.renamed', agentId: agent.id, by: agent.id }, 'agent renamed');
    }
    res.json({ agent: toAgent(agent) });
  });

  // Own password: the current one is required; every other session of this agent ends, on every node.
  router.post('/api/me/password', sameOriginOnly(trustProxy), requireAgent(store), async (req, res) => {
    const input = parse(schemas.changePassword, req.body ?? {});
    const from = { address: req.ip ?? 'unknown', device: readDeviceCookie(req, deps.secret) };
    const before = req.session.agentEpoch;
    const agent = await deps.team
      .changeOwnPassword(agentOf(res), input, from, async (epoch) => {
        req.session.agentEpoch = epoch;
        await save(req);
      })
      .catch(async (err: unknown) => {
        // The change did not commit: this session keeps the epoch it had (if it was moved at all).
        if (req.session.agentEpoch !== before) {
          req.session.agentEpoch = before ?? 0;
          await save(req).catch(() => {});
        }
        throw err;
      });
    logger.info({ event: 'agent.password_changed', agentId: agent.id }, 'agent changed their password');
    res.json({ agent: toAgent(agent) });
  });

  return router;
}
