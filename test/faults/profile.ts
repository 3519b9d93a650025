// How much traffic and how long: FAULTS_PROFILE=short (CI, the default) or long (more clients,
// longer phases, faults repeated). The only reader of FAULTS_* in the suite.

export interface Profile {
  name: 'short' | 'long';
  /** Conversations with continuous traffic in the cluster scenarios (half the visitors long-poll). */
  conversations: number;
  /** Agents sharing them (half long-poll); each claims conversations round robin. */
  agents: number;
  /** Visitors with a second tab open (they receive their own messages there). */
  secondTabs: number;
  /** Messages per second each writer (a visitor's first tab, an agent per conversation) aims at. */
  ratePerWriter: number;
  /** Traffic before the first fault, and after the last one before it stops. */
  warmupMs: number;
  recoveryMs: number;
  /** How many times a repeatable fault (kill -9, rolling restart, restarts) is applied. */
  rounds: number;
  /** SQLite scenario: conversations and the total write rate. */
  sqliteConversations: number;
  sqliteRate: number;
  /** Claim storm: queued conversations and agents racing for them. */
  claimConversations: number;
  claimAgents: number;
  /** Tab reload scenario: reloads of tabs holding unsent messages. */
  reloads: number;
}

const PROFILES: Record<Profile['name'], Profile> = {
  short: {
    name: 'short',
    conversations: 8,
    agents: 4,
    secondTabs: 2,
    ratePerWriter: 1,
    warmupMs: 3000,
    recoveryMs: 5000,
    rounds: 1,
    sqliteConversations: 20,
    sqliteRate: 200,
    claimConversations: 200,
    claimAgents: 50,
    reloads: 6,
  },
  long: {
    name: 'long',
    conversations: 24,
    agents: 6,
    secondTabs: 6,
    ratePerWriter: 2,
    warmupMs: 10_000,
    recoveryMs: 20_000,
    rounds: 3,
    sqliteConversations: 40,
    sqliteRate: 200,
    claimConversations: 400,
    claimAgents: 50,
    reloads: 24,
  },
};

export function loadProfile(env: NodeJS.ProcessEnv = process.env): Profile {
  const name = env.FAULTS_PROFILE ?? 'short';
  if (name !== 'short' && name !== 'long') throw new Error(`FAULTS_PROFILE must be short or long, not ${JSON.stringify(name)}`);
  return PROFILES[name];
}
