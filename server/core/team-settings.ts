// The team's settings an admin changes at run time (the dashboard's settings
// page, `PUT /api/settings`): stored in the database, so every node and every
// restart sees the same. The environment gives the defaults (config.ts) until an
// admin sets a value. Each node keeps the current values in memory; a change made
// on one node reaches the others through `reload()` (wired to a cluster signal).

import type { Logger } from '../logger.ts';
import type { BusinessHours } from '../protocol/business-hours.ts';
import { scheduleProblem } from './business-hours.ts';
import type { Store } from '../store/store.ts';

export type RoutingMode = 'auto' | 'manual';

export interface TeamSettingsValues {
  /** `manual`: agents claim from the queue; `auto`: routing assigns queued conversations. */
  routingMode: RoutingMode;
  /** Active conversations routing gives an agent whose own capacity is not set. */
  defaultCapacity: number;
  /** An offline agent's active conversations go back to the queue after this (ms); 0: never. */
  offlineRequeueMs: number;
  /** A console without activity this long (ms) sets its agent away (back online on activity); 0: never. */
  awayAfterMs: number;
  /** When the team is open (core/business-hours.ts); null: always. */
  businessHours: BusinessHours | null;
  /** Unread agent replies are emailed once the visitor has been away this long (ms; core/email.ts). */
  emailFollowUpDelayMs: number;
}

/** What each setting accepts: the HTTP API and the store's text both go through it. */
export const SETTING_RULES = {
  routingMode: { kind: 'enum', values: ['auto', 'manual'] },
  defaultCapacity: { kind: 'int', min: 1, max: 100 },
  offlineRequeueMs: { kind: 'int', min: 0, max: 86_400_000 },
  awayAfterMs: { kind: 'int', min: 0, max: 86_400_000 },
  businessHours: { kind: 'schedule' },
  emailFollowUpDelayMs: { kind: 'int', min: 0, max: 86_400_000 },
} as const satisfies Record<
  keyof TeamSettingsValues,
  { kind: 'enum'; values: readonly string[] } | { kind: 'int'; min: number; max: number } | { kind: 'schedule' }
>;

export type SettingsPatch = Partial<TeamSettingsValues>;

export interface TeamSettings {
  /** The current values (this node's copy). */
  current(): TeamSettingsValues;
  /** Stores the patch (validated by the caller) and applies it here; returns the new values. */
  update(patch: SettingsPatch): Promise<TeamSettingsValues>;
  /** Reads every value from the store again (another node changed some). */
  reload(): Promise<TeamSettingsValues>;
}

/** A stored value that is not what its rule accepts (an older or hand-edited row) is ignored: the default applies. */
function parseStored<K extends keyof TeamSettingsValues>(key: K, text: string): TeamSettingsValues[K] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return validSetting(key, value) ? (value as TeamSettingsValues[K]) : undefined;
}

export function validSetting(key: keyof TeamSettingsValues, value: unknown): boolean {
  const rule = SETTING_RULES[key];
  if (rule.kind === 'schedule') return value === null || scheduleProblem(value) === null;
  if (rule.kind === 'enum') return typeof value === 'string' && (rule.values as readonly string[]).includes(value);
  return typeof value === 'number' && Number.isInteger(value) && value >= rule.min && value <= rule.max;
}

/** Starts on the environment's defaults: call reload() before serving (app.listen does). */
export function createTeamSettings(deps: {
  store: Pick<Store, 'getSettings' | 'putSettings'>;
  /** The environment's values (ROUTING, DEFAULT_AGENT_CAPACITY, OFFLINE_REQUEUE_MS, AWAY_AFTER_MS; business hours: none): what applies until an admin sets one. */
  defaults: TeamSettingsValues;
  now: () => number;
  logger: Logger;
  /** Called after this node's values changed (an update here, or a reload that found a change). */
  onChange?: (values: TeamSettingsValues, previous: TeamSettingsValues) => void;
}): TeamSettings {
  const { store, defaults, now } = deps;
  let values = defaults;

  function set(next: TeamSettingsValues): TeamSettingsValues {
    const previous = values;
    // Compared as stored (JSON): a schedule read again is a new object with the same content.
    // Unchanged, the current object stays (what is computed from it stays valid).
    if ((Object.keys(next) as Array<keyof TeamSettingsValues>).every((k) => JSON.stringify(next[k]) === JSON.stringify(previous[k]))) return previous;
    values = next;
    deps.onChange?.(next, previous);
    return next;
  }

  async function read(): Promise<TeamSettingsValues> {
    const stored = await store.getSettings();
    const next: TeamSettingsValues = { ...defaults };
    for (const key of Object.keys(SETTING_RULES) as Array<keyof TeamSettingsValues>) {
      const text = stored.get(key);
      if (text === undefined) continue;
      const value = parseStored(key, text);
      if (value === undefined) deps.logger.warn({ event: 'settings.invalid_stored', key }, 'a stored setting is not valid: its default applies');
      else (next as unknown as Record<string, unknown>)[key] = value;
    }
    return next;
  }

  return {
    current: () => values,
    async update(patch) {
      const entries = (Object.keys(patch) as Array<keyof TeamSettingsValues>).filter((k) => patch[k] !== undefined);
      await store.putSettings(new Map(entries.map((k) => [k, JSON.stringify(patch[k])])), now());
      // Read back: another node's change committed meanwhile is in it too.
      return set(await read());
    },
    async reload() {
      return set(await read());
    },
  };
}
