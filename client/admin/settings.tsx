// The dashboard's Settings page (/admin#settings): the team's routing (manual or automatic), how
// many conversations routing gives each agent (the team's limit and each agent's own), and when an
// offline agent's conversations go back to the queue, and the business hours. GET/PUT /api/settings
// and PATCH /api/agents/:id {capacity}; docs/protocol.md, "Routing" and "Business hours". Below
// them, the API tokens (api-tokens.tsx) and the webhooks (webhooks.tsx).

import { useEffect, useState } from 'preact/hooks';
import type { Agent } from '../../server/protocol/shapes.ts';
import { api, ApiError } from '../lib/api.ts';
import type { AdminKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import type { BusinessHours } from '../../server/protocol/business-hours.ts';
import { ApiTokensCard } from './api-tokens.tsx';
import { WebhooksCard } from './webhooks.tsx';
import { BusinessHoursCard, dayProblems, draftOf, type HoursDraft, hoursOf } from './business-hours-editor.tsx';

interface Settings {
  routingMode: 'auto' | 'manual';
  defaultCapacity: number;
  offlineRequeueMs: number;
  awayAfterMs: number;
  businessHours: BusinessHours | null;
  emailFollowUpDelayMs: number;
}

/** Whether the service sends email (SMTP_URL, set by the operator) and from whom. */
interface EmailInfo {
  enabled: boolean;
  from: string;
}

const CAPACITY = { min: 1, max: 100 };
const REQUEUE_MINUTES = { min: 0, max: 1440 };
const AWAY_MINUTES = { min: 0, max: 1440 };
const FOLLOW_UP_MINUTES = { min: 0, max: 1440 };

/** A whole number within the bounds, or null. */
function wholeNumber(text: string, bounds: { min: number; max: number }): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) return null;
  const n = Number(trimmed);
  return n >= bounds.min && n <= bounds.max ? n : null;
}

/** A whole-number field with its hint, which says what is wrong while the value is not accepted. */
function NumberField(props: { id: string; label: string; value: string; onInput(value: string): void; hint: string; invalid: boolean }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        inputMode="numeric"
        value={props.value}
        aria-invalid={props.invalid}
        aria-describedby={`${props.id}-hint`}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <p class="field-hint" id={`${props.id}-hint`}>
        {props.hint}
      </p>
    </div>
  );
}

export function SettingsPage({ onError }: { onError(text: string): void }) {
  const { t, number } = useI18n<AdminKey>();
  const [saved, setSaved] = useState<Settings | null>(null);
  const [mode, setMode] = useState<Settings['routingMode']>('manual');
  const [capacity, setCapacity] = useState('');
  const [requeue, setRequeue] = useState('');
  const [away, setAway] = useState('');
  const [followUp, setFollowUp] = useState('');
  const [email, setEmail] = useState<EmailInfo | null>(null);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [own, setOwn] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const [hours, setHours] = useState<HoursDraft>(draftOf(null));
  const [newHoliday, setNewHoliday] = useState('');

  function show(settings: Settings, team: Agent[]) {
    setSaved(settings);
    setMode(settings.routingMode);
    setCapacity(String(settings.defaultCapacity));
    setRequeue(String(Math.round(settings.offlineRequeueMs / 60_000)));
    setAway(String(Math.round(settings.awayAfterMs / 60_000)));
    setFollowUp(String(Math.round(settings.emailFollowUpDelayMs / 60_000)));
    setHours(draftOf(settings.businessHours));
    const active = team.filter((a) => !a.disabled).sort((a, b) => a.name.localeCompare(b.name));
    setAgents(active);
    setOwn(Object.fromEntries(active.map((a) => [a.id, a.capacity === null ? '' : String(a.capacity)])));
  }

  async function load() {
    const [{ settings, email: info }, { agents: team }] = await Promise.all([
      api<{ settings: Settings; email: EmailInfo }>('GET', '/api/settings'),
      api<{ agents: Agent[] }>('GET', '/api/agents'),
    ]);
    setEmail(info);
    show(settings, team);
  }

  useEffect(() => {
    load().catch(() => onError(t('admin.settings.loadFailed')));
  }, []);

  const capacityValue = wholeNumber(capacity, CAPACITY);
  const requeueValue = wholeNumber(requeue, REQUEUE_MINUTES);
  const awayValue = wholeNumber(away, AWAY_MINUTES);
  const followUpValue = wholeNumber(followUp, FOLLOW_UP_MINUTES);
  const ownValues = Object.fromEntries(agents.map((a) => [a.id, (own[a.id] ?? '').trim() === '' ? null : wholeNumber(own[a.id], CAPACITY)]));
  const ownInvalid = (id: string) => (own[id] ?? '').trim() !== '' && ownValues[id] === null;
  const hoursInvalid = hours.enabled && Object.keys(dayProblems(hours)).length > 0;
  const invalid = capacityValue === null || requeueValue === null || awayValue === null || followUpValue === null || agents.some((a) => ownInvalid(a.id)) || hoursInvalid;

  async function save(e: Event) {
    e.preventDefault();
    if (invalid || !saved) return;
    setBusy(true);
    setMessage(null);
    try {
      const patch: Partial<Settings> = {};
      if (mode !== saved.routingMode) patch.routingMode = mode;
      if (capacityValue !== saved.defaultCapacity) patch.defaultCapacity = capacityValue!;
      // Minutes on the page; a value set in ms elsewhere (the API) is kept unless its minutes were changed here.
      if (requeueValue! * 60_000 !== Math.round(saved.offlineRequeueMs / 60_000) * 60_000) patch.offlineRequeueMs = requeueValue! * 60_000;
      if (awayValue! * 60_000 !== Math.round(saved.awayAfterMs / 60_000) * 60_000) patch.awayAfterMs = awayValue! * 60_000;
      if (followUpValue! * 60_000 !== Math.round(saved.emailFollowUpDelayMs / 60_000) * 60_000) patch.emailFollowUpDelayMs = followUpValue! * 60_000;
      const businessHours = hoursOf(hours);
      if (JSON.stringify(businessHours) !== JSON.stringify(saved.businessHours)) patch.businessHours = businessHours;
      if (Object.keys(patch).length > 0) await api('PUT', '/api/settings', patch);
      for (const a of agents) {
        if (ownValues[a.id] !== a.capacity) await api('PATCH', `/api/agents/${a.id}`, { capacity: ownValues[a.id] });
      }
      await load();
      setMessage({ text: t('admin.settings.saved'), error: false });
    } catch (err) {
      setMessage({ text: err instanceof ApiError ? err.message : t('admin.settings.saveFailed'), error: true });
    } finally {
      setBusy(false);
    }
  }

  const rangeProblem = (bounds: { min: number; max: number }) => t('admin.settings.range', { min: bounds.min, max: bounds.max });

  return (
    <div class="settings-page">
      <form class="settings" onSubmit={save} noValidate aria-busy={saved === null} inert={saved === null}>
        <h1 class="page-title">{t('admin.settings.heading')}</h1>
        <section class="card" aria-labelledby="routing-heading">
          <h2 id="routing-heading">{t('admin.settings.routing.heading')}</h2>
          <fieldset class="choice-group">
            <legend class="card-hint">{t('admin.settings.routing.hint')}</legend>
            {(['manual', 'auto'] as const).map((value) => (
              <label class="choice" key={value}>
                <input type="radio" name="routingMode" value={value} checked={mode === value} onChange={() => setMode(value)} />
                <span>
                  <strong>{t(value === 'auto' ? 'admin.settings.routing.auto' : 'admin.settings.routing.manual')}</strong>
                  <span class="choice-hint">{t(value === 'auto' ? 'admin.settings.routing.autoHint' : 'admin.settings.routing.manualHint')}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <div class="settings-fields">
            <NumberField id="default-capacity" label={t('admin.settings.capacity.label')} value={capacity} onInput={setCapacity} hint={capacityValue === null ? rangeProblem(CAPACITY) : t('admin.settings.capacity.hint')} invalid={capacityValue === null} />
            <NumberField id="offline-requeue" label={t('admin.settings.requeue.label')} value={requeue} onInput={setRequeue} hint={requeueValue === null ? rangeProblem(REQUEUE_MINUTES) : t('admin.settings.requeue.hint')} invalid={requeueValue === null} />
            <NumberField id="away-after" label={t('admin.settings.away.label')} value={away} onInput={setAway} hint={awayValue === null ? rangeProblem(AWAY_MINUTES) : t('admin.settings.away.hint')} invalid={awayValue === null} />
          </div>
        </section>

        <section class="card" aria-labelledby="own-heading">
          <h2 id="own-heading">{t('admin.settings.agents.heading')}</h2>
          <p class="card-hint">{t('admin.settings.agents.hint', { count: capacityValue ?? saved?.defaultCapacity ?? 0 })}</p>
          <table class="table table-stack">
            <thead>
              <tr>
                <th scope="col">{t('admin.settings.agents.agent')}</th>
                <th scope="col">{t('admin.settings.agents.limit')}</th>
              </tr>
            </thead>
            <tbody>
              {agents.map((a) => (
                <tr key={a.id}>
                  <td data-label={t('admin.settings.agents.agent')}>
                    <bdi>{a.name}</bdi>
                  </td>
                  <td data-label={t('admin.settings.agents.limit')}>
                    <input
                      class="capacity-input"
                      type="text"
                      inputMode="numeric"
                      aria-label={t('admin.settings.agents.limitOf', { name: a.name })}
                      placeholder={number(capacityValue ?? saved?.defaultCapacity ?? 0)}
                      value={own[a.id] ?? ''}
                      aria-invalid={ownInvalid(a.id)}
                      onInput={(e) => setOwn({ ...own, [a.id]: e.currentTarget.value })}
                    />
                    {ownInvalid(a.id) && <p class="field-problem">{rangeProblem(CAPACITY)}</p>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <BusinessHoursCard draft={hours} onChange={setHours} newHoliday={newHoliday} onNewHoliday={setNewHoliday} />

        <section class="card" aria-labelledby="email-heading">
          <h2 id="email-heading">{t('admin.settings.email.heading')}</h2>
          <p class="card-hint" data-testid="email-status">
            {email === null ? '' : email.enabled ? t('admin.settings.email.on', { from: email.from }) : t('admin.settings.email.off')}
          </p>
          <div class="settings-fields">
            <NumberField
              id="follow-up-delay"
              label={t('admin.settings.email.delay.label')}
              value={followUp}
              onInput={setFollowUp}
              hint={followUpValue === null ? rangeProblem(FOLLOW_UP_MINUTES) : t('admin.settings.email.delay.hint')}
              invalid={followUpValue === null}
            />
          </div>
        </section>

        <div class="team-submit">
          <button class="btn btn-primary" type="submit" disabled={busy || invalid || saved === null}>
            {t('admin.settings.save')}
          </button>
          {message && (
            <p class={`form-message${message.error ? ' form-error' : ''}`} role="status">
              {message.text}
            </p>
          )}
        </div>
      </form>
      {/* Its own form: saving the settings never creates a token, nor the reverse. */}
      <ApiTokensCard />
      <WebhooksCard />
    </div>
  );
}
