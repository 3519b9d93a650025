// The people of a scenario and their clients, all through the balancer: agents' consoles, visitors'
// tabs, one admin dashboard; who talks with whom (participants); the writers of the continuous
// traffic; and reloading a tab.

import { eventually } from '../helpers/clients.ts';
import type { Agent, Conversation, Visitor } from '../../server/protocol/shapes.ts';
import { type Account, signIn, visitorSession } from './accounts.ts';
import { type AdminObserver, openAdminObserver } from './admin-observer.ts';
import { type AgentConsole, openAgentConsole } from './agent-console.ts';
import { type ClientLog, type PersonKey, personKey, type Recorder, type Transport } from './recorder.ts';
import type { Stack } from './stack.ts';
import { TabStorage } from './tab-storage.ts';
import type { Writer } from './traffic.ts';
import { openVisitorTab, type VisitorTab } from './visitor-tab.ts';

export interface VisitorPerson {
  n: number;
  key: PersonKey;
  visitor: Visitor;
  cookie: string;
  transport: Transport;
  /** Open tabs; the first one writes. */
  tabs: VisitorTab[];
  storages: TabStorage[];
  reloads: number;
  conversationId: string | null;
}

export interface AgentPerson {
  n: number;
  key: PersonKey;
  agent: Agent;
  cookie: string;
  transport: Transport;
  console: AgentConsole;
}

export interface World {
  stack: Stack;
  rec: Recorder;
  visitors: VisitorPerson[];
  agents: AgentPerson[];
  admin: AdminObserver | null;
  /** conversationId → the people who must receive its messages. */
  participants: Map<string, PersonKey[]>;
}

const transportOf = (i: number): Transport => (i % 2 === 0 ? 'websocket' : 'polling');
const connected = (s: { connected: boolean }) => s.connected;

/** Runs `make` over `items` with at most `width` at a time. */
export async function inBatches<T, R>(items: T[], width: number, make: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map((item, j) => make(item, i + j)))));
  return out;
}

export function createWorld(stack: Stack, rec: Recorder): World {
  return { stack, rec, visitors: [], agents: [], admin: null, participants: new Map() };
}

export async function addAgents(world: World, accounts: Account[]): Promise<AgentPerson[]> {
  const added = await inBatches(accounts, 10, async (account, i) => {
    const n = world.agents.length + i;
    const { agent, cookie } = await signIn(world.stack.url, account);
    const transport = transportOf(n);
    const key = personKey('agent', agent.id);
    const console = openAgentConsole({ base: world.stack.url, cookie, transport, me: agent, id: `a${n}`, person: key, rec: world.rec, storage: new TabStorage() });
    await eventually(() => connected(console.socket), 15_000, `console a${n} connected`);
    return { n, key, agent, cookie, transport, console };
  });
  world.agents.push(...added);
  return added;
}

export async function addAdmin(world: World): Promise<AdminObserver> {
  const { agent, cookie } = await signIn(world.stack.url, world.stack.accounts.admin);
  const admin = openAdminObserver({ base: world.stack.url, cookie, transport: 'websocket', person: personKey('agent', agent.id), rec: world.rec });
  await eventually(() => connected(admin.socket), 15_000, 'admin connected');
  world.admin = admin;
  return admin;
}

function openTab(world: World, v: VisitorPerson, tab: number, replaces?: string): VisitorTab {
  const incarnation = replaces ? `#${v.reloads}` : '';
  return openVisitorTab({
    base: world.stack.url,
    cookie: v.cookie,
    transport: v.transport,
    id: `v${v.n}/tab${tab + 1}${incarnation}`,
    person: v.key,
    rec: world.rec,
    storage: v.storages[tab],
    replaces,
  });
}

/** Visitors who each open a tab and write their first message (their conversation is then queued). */
export async function addVisitors(world: World, count: number, opts: { width?: number } = {}): Promise<VisitorPerson[]> {
  const added = await inBatches(Array.from({ length: count }), opts.width ?? 10, async (_, i) => {
    const n = world.visitors.length + i;
    const { visitor, cookie } = await visitorSession(world.stack.url, `Visitor ${n}`);
    const v: VisitorPerson = { n, key: personKey('visitor', visitor.id), visitor, cookie, transport: transportOf(n), tabs: [], storages: [new TabStorage()], reloads: 0, conversationId: null };
    const tab = openTab(world, v, 0);
    v.tabs.push(tab);
    tab.write(`hello from v${n}`);
    await eventually(() => tab.model.getState().conversationId !== null && tab.sending() === 0, 15_000, `v${n}'s first message stored`);
    v.conversationId = tab.model.getState().conversationId;
    return v;
  });
  world.visitors.push(...added);
  return added;
}

/** A second tab for the visitor (same browser session). */
export async function openSecondTab(world: World, v: VisitorPerson): Promise<VisitorTab> {
  v.storages.push(new TabStorage());
  const tab = openTab(world, v, v.tabs.length);
  v.tabs.push(tab);
  await eventually(() => connected(tab.socket) && tab.model.getState().loaded, 15_000, `${tab.log.id} connected and loaded`);
  return tab;
}

/**
 * Reloads the visitor's tab: the page and its socket go, a new one starts in the same tab (same
 * sessionStorage). Whatever the old page had not sent is only still there if the client kept it.
 */
export function reloadTab(world: World, v: VisitorPerson, tab = 0): VisitorTab {
  const old = v.tabs[tab];
  old.close();
  v.reloads++;
  const next = openTab(world, v, tab, old.log.id);
  v.tabs[tab] = next;
  return next;
}

/**
 * Agent `i % agents` claims visitor i's conversation; both are then the conversation's participants.
 * One at a time, newest first, once every visitor was told their place: a claim then moves nobody
 * up, so no queue-position update is in flight around it. (A position update read before a claim
 * can reach the visitor after the claim's snapshot and show them queued again: the claim storm's
 * [VIEW1] is about that; the other scenarios' verdicts should be about their fault.)
 */
export async function claimRoundRobin(world: World): Promise<void> {
  const ids = new Set(world.visitors.map((v) => v.conversationId!));
  const order = () => world.agents[0].console.queue().filter((id) => ids.has(id));
  await eventually(() => order().length === ids.size, 15_000, 'the console lists every waiting conversation');
  const place = new Map(order().map((id, i) => [id, i + 1]));
  await eventually(
    () => world.visitors.every((v) => v.tabs[0].log.snapshots.at(-1)?.queuePosition === place.get(v.conversationId!)),
    15_000,
    'every visitor told their place in the queue',
  );
  for (const id of order().reverse()) {
    const i = world.visitors.findIndex((v) => v.conversationId === id);
    const v = world.visitors[i];
    const a = world.agents[i % world.agents.length];
    const answer = await a.console.claim(id);
    if (answer.outcome !== 'ok') throw new Error(`claim of v${v.n}'s conversation by a${a.n}: ${answer.code}`);
    world.participants.set(id, [v.key, a.key]);
  }
}

/** Whether `log`'s current connection has been told that `person` is present in the conversation. */
export function toldPresent(log: ClientLog, conversationId: string, person: PersonKey): boolean {
  const conn = log.connects.length;
  return log.presence.filter((e) => e.conn === conn && e.conversationId === conversationId && e.person === person).at(-1)?.action === 'join';
}

/** Why a client does not look settled: what its model holds and what it was told. */
export function describeClient(log: ClientLog, state: { conversation: Conversation | null; peerOnline: boolean } | undefined): string {
  const c = state?.conversation;
  return `${log.id}: model ${c ? `${c.status}${c.queuePosition ?? ''} agent ${c.agent?.id.slice(0, 8) ?? '-'}` : 'no conversation'} peerOnline ${state?.peerOnline}; told ${JSON.stringify(
    log.presence.slice(-3).map((e) => `${e.conn}:${e.action}:${e.person.slice(0, 14)}`),
  )}; snapshots ${JSON.stringify(log.snapshots.slice(-4).map((x) => `${x.conn}:${x.status}${x.queuePosition ?? ''}@${Math.round(x.t)}`))}`;
}

/**
 * Until every tab and console has been told the other party of its conversation is present (the
 * presence events, on its current connection), and the admin counts every visitor tab.
 */
/** Open tabs and consoles not (yet) told on their current connection that the other party is present. */
export function notToldPresent(world: World): string[] {
  const agentOf = new Map(world.agents.map((a) => [a.key, a]));
  const out: string[] = [];
  for (const [id, people] of world.participants) {
    const [visitorKey, agentKey] = people;
    const v = world.visitors.find((x) => x.key === visitorKey)!;
    for (const t of v.tabs) if (agentKey && t.log.closedAt === null && !toldPresent(t.log, id, agentKey)) out.push(describeClient(t.log, t.model.getState()));
    const a = agentKey ? agentOf.get(agentKey) : undefined;
    if (a && !toldPresent(a.console.log, id, visitorKey)) out.push(describeClient(a.console.log, a.console.con.model(id)?.getState()));
  }
  return out;
}

export async function settle(world: World): Promise<void> {
  const unsettled = () => notToldPresent(world);
  await eventually(() => unsettled().length === 0, 15_000, () => `every tab and console told the other party is present; not yet: ${unsettled().slice(0, 4).join(' | ')}`);
  if (world.admin) {
    let counted = '';
    await eventually(
      async () => {
        const s = await world.admin!.online();
        counted = world.visitors.map((v) => `${s.visitors.find((x) => x.id === v.visitor.id)?.connections ?? 0}/${v.tabs.length}`).join(' ');
        return world.visitors.every((v) => s.visitors.find((x) => x.id === v.visitor.id)?.connections === v.tabs.length);
      },
      15_000,
      () => `the admin counts every visitor tab (counted/open: ${counted})`,
    );
  }
}

/** The writers: each visitor's first tab, and each agent once per conversation of theirs. */
export function writers(world: World): Writer[] {
  const list: Writer[] = [];
  for (const v of world.visitors) {
    list.push({
      id: `v${v.n}`,
      write: (n) => v.tabs[0].write(`v${v.n} says ${n}`),
      sending: () => v.tabs[0].sending(),
      retryFailed: () => v.tabs[0].retryFailed(),
    });
  }
  const agentOf = new Map(world.agents.map((a) => [a.key, a]));
  for (const [conversationId, people] of world.participants) {
    for (const p of people) {
      const a = agentOf.get(p);
      if (!a) continue;
      list.push({
        id: `a${a.n}@${conversationId.slice(-6)}`,
        write: (n) => a.console.write(conversationId, `a${a.n} answers ${n}`),
        sending: () => a.console.sending(conversationId),
        retryFailed: () => a.console.retryFailed(),
      });
    }
  }
  return list;
}

export function openTabs(world: World): VisitorTab[] {
  return world.visitors.flatMap((v) => v.tabs);
}

export function allClientsConnected(world: World): boolean {
  return openTabs(world).every((t) => t.socket.connected) && world.agents.every((a) => a.console.socket.connected) && (world.admin?.socket.connected ?? true);
}

export function closeAll(world: World): void {
  for (const t of openTabs(world)) if (t.log.closedAt === null) t.close();
  for (const a of world.agents) if (a.console.log.closedAt === null) a.console.close();
  world.admin?.close();
}
