// The Settings page's "Webhooks" card (/admin#settings): where Parley sends its events (docs/api.md,
// "Webhooks") — list, add (the signing secret shown once, with a copy button), pause and turn on,
// delete after a confirmation, each webhook's delivery log, and a notice on a webhook Parley turned
// off after a day of failed deliveries. /api/webhooks and /api/webhooks/:id[/deliveries].

import { useEffect, useState } from 'preact/hooks';
import { type CreatedWebhook, type Webhook, type WebhookDelivery, type WebhookEvent, WEBHOOK_EVENTS, WEBHOOK_URL_MAX, WEBHOOKS_MAX } from '../../server/protocol/webhooks.ts';
import { api, ApiError } from '../lib/api.ts';
import type { AdminKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { ConfirmDialog, Modal } from '../ui/modal.tsx';
import { NameChecklist, SecretOnceDialog } from './secret-dialogs.tsx';

const EVENT_LABEL: Record<WebhookEvent, AdminKey> = {
  'conversation.created': 'admin.hooks.event.conversationCreated',
  'conversation.claimed': 'admin.hooks.event.conversationClaimed',
  'conversation.assigned': 'admin.hooks.event.conversationAssigned',
  'conversation.closed': 'admin.hooks.event.conversationClosed',
  'message.created': 'admin.hooks.event.messageCreated',
  'csat.created': 'admin.hooks.event.csatCreated',
  'agent.status': 'admin.hooks.event.agentStatus',
};

type Dialog = { kind: 'secret'; webhook: CreatedWebhook } | { kind: 'delete'; webhook: Webhook } | { kind: 'log'; webhook: Webhook };

/** An address the server would take (it checks more: a private address, for one). */
function urlProblem(value: string): boolean {
  if (!value || value.length > WEBHOOK_URL_MAX) return true;
  try {
    const url = new URL(value);
    return (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '';
  } catch {
    return true;
  }
}

export function WebhooksCard() {
  const { t, fullTime } = useI18n<AdminKey>();
  const [webhooks, setWebhooks] = useState<Webhook[] | null>(null);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>([]);
  const [problem, setProblem] = useState<{ url?: string; events?: string }>({});
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => setWebhooks((await api<{ webhooks: Webhook[] }>('GET', '/api/webhooks')).webhooks);
  useEffect(() => {
    load().catch(() => setMessage({ text: t('admin.hooks.error.load'), error: true }));
  }, []);

  const refusal = (err: unknown) => {
    if (err instanceof ApiError && err.code === 'conflict') return t('admin.hooks.error.tooMany', { max: WEBHOOKS_MAX });
    if (err instanceof ApiError && err.code === 'invalid_payload') return t('admin.hooks.error.refused');
    return t('admin.tokens.error.action');
  };

  async function create(e: Event) {
    e.preventDefault();
    const wanted = url.trim();
    const found = {
      url: urlProblem(wanted) ? t('admin.hooks.problem.url') : undefined,
      events: events.length === 0 ? t('admin.tokens.problem.scopes') : undefined,
    };
    setProblem(found);
    if (found.url || found.events) return;
    setBusy(true);
    setMessage(null);
    try {
      const { webhook } = await api<{ webhook: CreatedWebhook }>('POST', '/api/webhooks', { url: wanted, events });
      setUrl('');
      setEvents([]);
      setDialog({ kind: 'secret', webhook });
      await load();
    } catch (err) {
      setMessage({ text: refusal(err), error: true });
    } finally {
      setBusy(false);
    }
  }

  async function change(webhook: Webhook, enabled: boolean) {
    setMessage(null);
    try {
      await api('PATCH', `/api/webhooks/${encodeURIComponent(webhook.id)}`, { enabled });
    } catch (err) {
      setMessage({ text: refusal(err), error: true });
    }
    await load().catch(() => {});
  }

  async function remove(webhook: Webhook) {
    setDialog(null);
    try {
      await api('DELETE', `/api/webhooks/${encodeURIComponent(webhook.id)}`);
      setMessage({ text: t('admin.hooks.deleted'), error: false });
    } catch (err) {
      setMessage({ text: refusal(err), error: true });
    }
    await load().catch(() => {});
  }

  const toggle = (event: WebhookEvent, on: boolean) => {
    setEvents((now) => (on ? [...now, event] : now.filter((x) => x !== event)));
    setProblem((p) => ({ ...p, events: undefined }));
  };

  const turnedOff = (webhooks ?? []).filter((w) => w.disabledReason === 'failures');

  return (
    <section class="card webhooks" aria-labelledby="hooks-heading" aria-busy={webhooks === null}>
      <h2 id="hooks-heading">{t('admin.hooks.heading')}</h2>
      <p class="card-hint">{t('admin.hooks.hint')}</p>
      {turnedOff.map((w) => (
        <p class="hook-notice" role="alert" key={w.id} data-testid="hook-disabled-notice">
          {t('admin.hooks.disabledNotice', { url: w.url, time: fullTime(w.disabledAt!) })}
        </p>
      ))}
      {webhooks !== null && webhooks.length === 0 && <p class="tokens-empty">{t('admin.hooks.empty')}</p>}
      {webhooks !== null && webhooks.length > 0 && (
        <table class="table table-stack">
          <thead>
            <tr>
              <th scope="col">{t('admin.hooks.url')}</th>
              <th scope="col">{t('admin.hooks.events')}</th>
              <th scope="col">{t('admin.hooks.status')}</th>
              <th scope="col">
                <span class="sr-only">{t('admin.tokens.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {webhooks.map((w) => (
              <tr key={w.id} data-testid="hook-row">
                <td data-label={t('admin.hooks.url')}>
                  <div class="token-cell">
                    <code class="hook-url">{w.url}</code>
                  </div>
                </td>
                <td data-label={t('admin.hooks.events')}>
                  <ul class="token-scopes token-cell">
                    {w.events.map((x) => (
                      <li key={x}>{t(EVENT_LABEL[x])}</li>
                    ))}
                  </ul>
                </td>
                <td data-label={t('admin.hooks.status')}>
                  <div class="token-cell">
                    <span class={`hook-status${w.enabled ? '' : ' hook-off'}`}>{w.enabled ? t('admin.hooks.on') : w.disabledReason === 'failures' ? t('admin.hooks.offFailures') : t('admin.hooks.paused')}</span>
                    {w.enabled && w.failingSince && <span class="token-by">{t('admin.hooks.failing', { time: fullTime(w.failingSince) })}</span>}
                  </div>
                </td>
                <td>
                  <div class="hook-actions">
                    <button type="button" class="btn btn-small" aria-label={t('admin.hooks.logLabel', { url: w.url })} onClick={() => setDialog({ kind: 'log', webhook: w })}>
                      {t('admin.hooks.log')}
                    </button>
                    {w.enabled ? (
                      <button type="button" class="btn btn-small" aria-label={t('admin.hooks.disableLabel', { url: w.url })} onClick={() => void change(w, false)}>
                        {t('admin.hooks.disable')}
                      </button>
                    ) : (
                      <button type="button" class="btn btn-small btn-primary" aria-label={t('admin.hooks.enableLabel', { url: w.url })} onClick={() => void change(w, true)}>
                        {t('admin.hooks.enable')}
                      </button>
                    )}
                    <button type="button" class="btn btn-small btn-danger" aria-label={t('admin.hooks.deleteLabel', { url: w.url })} onClick={() => setDialog({ kind: 'delete', webhook: w })}>
                      {t('admin.hooks.delete')}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <form class="team-form token-form" onSubmit={create} noValidate>
        <h3>{t('admin.hooks.createHeading')}</h3>
        <div class="field">
          <label for="hook-url">{t('admin.hooks.urlLabel')}</label>
          <input
            id="hook-url"
            type="url"
            class="hook-url-input"
            value={url}
            maxLength={WEBHOOK_URL_MAX}
            placeholder="https://"
            aria-invalid={problem.url ? 'true' : undefined}
            aria-describedby="hook-url-hint"
            onInput={(e) => {
              setUrl(e.currentTarget.value);
              setProblem((p) => ({ ...p, url: undefined }));
            }}
          />
          <p class={problem.url ? 'field-problem' : 'field-hint'} id="hook-url-hint">
            {problem.url ?? t('admin.hooks.urlHint')}
          </p>
        </div>
        <NameChecklist
          legend={t('admin.hooks.eventsLegend')}
          names={WEBHOOK_EVENTS}
          label={(event) => t(EVENT_LABEL[event])}
          checked={events}
          onToggle={toggle}
          problem={problem.events}
          problemId="hook-events-problem"
        />
        <div class="team-submit">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {t('admin.hooks.create')}
          </button>
          {message && (
            <p class={`form-message${message.error ? ' form-error' : ''}`} role="status">
              {message.text}
            </p>
          )}
        </div>
      </form>

      {dialog?.kind === 'secret' && (
        <SecretOnceDialog
          title={t('admin.hooks.secretTitle')}
          body={t('admin.hooks.secretBody')}
          secret={dialog.webhook.secret}
          codeId="new-hook-secret"
          copyFailed={t('admin.hooks.copyFailed')}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'log' && <DeliveryLog webhook={dialog.webhook} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          title={t('admin.hooks.deleteTitle')}
          body={t('admin.hooks.deleteBody', { url: dialog.webhook.url })}
          confirm={t('admin.hooks.delete')}
          danger
          onCancel={() => setDialog(null)}
          onConfirm={() => void remove(dialog.webhook)}
        />
      )}
    </section>
  );
}

/** The newest deliveries of one webhook: what was sent, how often, and how it went. */
function DeliveryLog({ webhook, onClose }: { webhook: Webhook; onClose(): void }) {
  const { t, fullTime } = useI18n<AdminKey>();
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    api<{ deliveries: WebhookDelivery[] }>('GET', `/api/webhooks/${encodeURIComponent(webhook.id)}/deliveries`)
      .then((r) => setDeliveries(r.deliveries))
      .catch(() => setFailed(true));
  }, [webhook.id]);
  const title = t('admin.hooks.logTitle', { url: webhook.url });
  const result = (d: WebhookDelivery) => {
    if (d.deliveredAt) return t('admin.hooks.logDelivered', { time: fullTime(d.deliveredAt) });
    if (d.failedAt) return t('admin.hooks.logGivenUp', { time: fullTime(d.failedAt) });
    // A turned-off webhook's deliveries wait for it to be turned on, whatever their next try said.
    if (!webhook.enabled) return t('admin.hooks.logWaiting');
    return d.nextAttemptAt ? t('admin.hooks.logNext', { time: fullTime(d.nextAttemptAt) }) : '';
  };
  return (
    <Modal label={title} onClose={onClose}>
      <div class="dialog-form hook-log">
        <h2>{title}</h2>
        {failed && <p class="form-message form-error">{t('admin.hooks.error.load')}</p>}
        {deliveries !== null && deliveries.length === 0 && <p class="tokens-empty">{t('admin.hooks.logEmpty')}</p>}
        {deliveries !== null && deliveries.length > 0 && (
          <div class="hook-log-scroll">
            <table class="table table-stack" data-testid="hook-log">
              <thead>
                <tr>
                  <th scope="col">{t('admin.hooks.logEvent')}</th>
                  <th scope="col">{t('admin.hooks.logAttempts')}</th>
                  <th scope="col">{t('admin.hooks.logResult')}</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.map((d) => (
                  <tr key={d.eventId}>
                    <td data-label={t('admin.hooks.logEvent')}>
                      <div class="token-cell">
                        <code>{d.type}</code>
                        <span class="token-by">
                          <code>{d.eventId}</code> · {fullTime(d.createdAt)}
                        </span>
                      </div>
                    </td>
                    <td data-label={t('admin.hooks.logAttempts')}>{d.attempts}</td>
                    <td data-label={t('admin.hooks.logResult')}>
                      <div class="token-cell">
                        <span class={d.deliveredAt ? '' : 'hook-off'}>{result(d)}</span>
                        {/* The receiver's status when delivered; else what went wrong (its status is in the error). */}
                        {(d.lastStatus !== null || d.lastError) && <span class="token-by hook-error">{d.deliveredAt || !d.lastError ? `HTTP ${d.lastStatus}` : d.lastError}</span>}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div class="dialog-actions">
          <button type="button" class="btn btn-primary" autofocus onClick={onClose}>
            {t('admin.hooks.close')}
          </button>
        </div>
      </div>
    </Modal>
  );
}
