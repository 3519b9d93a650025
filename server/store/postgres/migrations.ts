// The PostgreSQL schema as numbered migrations, and the function that applies
// the pending ones through the shared runner (../migrations.ts). Append new
// migrations; never edit an applied one (its checksum is recorded, and a
// changed one stops the start).

import type { PoolClient } from 'pg';
import { type Migration, type MigrationRun, type MigrationTarget, runMigrations } from '../migrations.ts';

// Ids and other keys that are ordered on use COLLATE "C": byte order, as SQLite's
// BINARY, whatever locale the database was created with.
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE agents (
        id TEXT COLLATE "C" PRIMARY KEY,
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('agent', 'admin')),
        password_hash TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX agents_email_key ON agents (lower(email));

      CREATE TABLE visitors (
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT,
        created_at BIGINT NOT NULL
      );

      CREATE TABLE sessions (
        sid TEXT COLLATE "C" PRIMARY KEY,
        data TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX sessions_expires_at ON sessions (expires_at);

      CREATE TABLE login_failures (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        key TEXT NOT NULL,
        at BIGINT NOT NULL
      );
      CREATE INDEX login_failures_key_at ON login_failures (key, at);
      CREATE INDEX login_failures_at ON login_failures (at);

      CREATE TABLE conversations (
        id TEXT COLLATE "C" PRIMARY KEY,
        visitor_id TEXT COLLATE "C" NOT NULL,
        visitor_name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'active', 'closed')),
        agent_id TEXT COLLATE "C",
        agent_name TEXT,
        last_seq INTEGER NOT NULL DEFAULT 0,
        queued_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        closed_at BIGINT
      );
      -- At most one open conversation per visitor: openConversation() relies on it.
      CREATE UNIQUE INDEX conversations_one_open_per_visitor
        ON conversations (visitor_id) WHERE status IN ('queued', 'active');
      CREATE INDEX conversations_queue ON conversations (queued_at, id) WHERE status = 'queued';
      CREATE INDEX conversations_by_visitor ON conversations (visitor_id, created_at DESC, id DESC);
      CREATE INDEX conversations_by_agent ON conversations (agent_id, created_at DESC, id DESC);
      CREATE INDEX conversations_by_status ON conversations (status, created_at DESC, id DESC);

      CREATE TABLE messages (
        id TEXT COLLATE "C" PRIMARY KEY,
        conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        client_id TEXT NOT NULL,
        author_kind TEXT NOT NULL CHECK (author_kind IN ('visitor', 'agent', 'system')),
        author_id TEXT NOT NULL,
        author_name TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (conversation_id, seq),
        UNIQUE (conversation_id, client_id)
      );

      CREATE TABLE read_positions (
        conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        participant_kind TEXT NOT NULL CHECK (participant_kind IN ('visitor', 'agent')),
        participant_id TEXT COLLATE "C" NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (conversation_id, participant_kind, participant_id)
      );
    `,
  },
  {
    version: 2,
    name: 'conversations: read positions of each side',
    // Snapshots and history carry how far each side has read (SPEC: Conversation.reads). Kept on
    // the conversation's row, which setReadPosition updates in the same statement, so every read
    // of a conversation has them without a join.
    sql: `
      ALTER TABLE conversations
        ADD COLUMN visitor_read_seq INTEGER NOT NULL DEFAULT 0,
        ADD COLUMN agent_read_seq INTEGER NOT NULL DEFAULT 0;
      UPDATE conversations c SET
        visitor_read_seq = coalesce((SELECT max(seq) FROM read_positions r WHERE r.conversation_id = c.id AND r.participant_kind = 'visitor'), 0),
        agent_read_seq = coalesce((SELECT max(seq) FROM read_positions r WHERE r.conversation_id = c.id AND r.participant_kind = 'agent'), 0)
      WHERE EXISTS (SELECT 1 FROM read_positions r WHERE r.conversation_id = c.id);
    `,
  },
  {
    version: 3,
    name: 'agents: console language',
    // The language the agent chose for the console and dashboard (a shipped code, i18n/locales.ts);
    // NULL follows the browser.
    sql: `ALTER TABLE agents ADD COLUMN language TEXT;`,
  },
  {
    version: 4,
    name: 'conversations: revision',
    // Bumped by every change of status, agent or visitor name, so that clients can order the
    // snapshots of a conversation that reach them by different nodes (a queue-position update read
    // before a claim can arrive after it).
    sql: `ALTER TABLE conversations ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;`,
  },
  {
    version: 5,
    name: 'conversations: what reports measure',
    // As SQLite's migration 6: first claim (time, agent) and first agent message, set once each by
    // claim and append; old conversations get their first agent message and agent, not a claim
    // time. Partial indexes on each report's time column keep a 30-day range a range scan.
    sql: `
      ALTER TABLE conversations
        ADD COLUMN claimed_at BIGINT,
        ADD COLUMN claimed_by TEXT COLLATE "C",
        ADD COLUMN first_reply_at BIGINT;
      -- One pass over the rows (each update of a row rewrites it and its index entries).
      UPDATE conversations c SET claimed_by = c.agent_id, first_reply_at = m.first
        FROM conversations o
        LEFT JOIN (SELECT conversation_id, min(created_at) AS first FROM messages WHERE author_kind = 'agent' GROUP BY conversation_id) m
          ON m.conversation_id = o.id
        WHERE o.id = c.id AND (o.agent_id IS NOT NULL OR m.first IS NOT NULL);
      CREATE INDEX conversations_by_created ON conversations (created_at);
      CREATE INDEX conversations_by_claimed ON conversations (claimed_at) WHERE claimed_at IS NOT NULL;
      CREATE INDEX conversations_by_closed ON conversations (closed_at) WHERE closed_at IS NOT NULL;
    `,
  },
  {
    version: 6,
    name: 'agents: disabled, session epoch, change revision',
    // disabled: refused at login and on every request. session_epoch: a session or socket opened
    // under an older epoch is no longer the agent's (a password change or reset ends them).
    // revision: raised on every account change, so each node (and a CLI run beside them) finds
    // what changed with one indexed read (realtime/account-watch.ts).
    sql: `
      ALTER TABLE agents ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT false;
      ALTER TABLE agents ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE agents ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
      CREATE INDEX agents_revision ON agents (revision);
    `,
  },
  {
    version: 7,
    name: 'notes: private notes',
    // Agents' private notes, apart from messages so that they never take a seq (the visitor's
    // seq stays gap-free). after_seq places a note after that message; a clientId is unique per
    // conversation, as a message's is (nodes racing on one are settled by the unique index).
    // mentions: JSON [{id, name}] of the agents its @names named.
    sql: `
      CREATE TABLE notes (
        id TEXT COLLATE "C" PRIMARY KEY,
        conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        client_id TEXT COLLATE "C" NOT NULL,
        after_seq INTEGER NOT NULL,
        author_id TEXT NOT NULL,
        author_name TEXT NOT NULL,
        body TEXT NOT NULL,
        mentions TEXT NOT NULL DEFAULT '[]',
        created_at BIGINT NOT NULL,
        UNIQUE (conversation_id, client_id)
      );
      CREATE INDEX notes_by_place ON notes (conversation_id, after_seq, created_at, id);
    `,
  },
  {
    version: 8,
    name: 'attachments',
    // Uploaded files, bytes in the database (server/store/attachment-store.ts), so every node of a
    // cluster serves every file. A message that carries one keeps a copy of its record (id, name,
    // type, size), so history reads no join. messages_attachment: who may read a file (the
    // conversations carrying it), and the prune of uploads no message carries.
    sql: `
      CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        owner_kind TEXT NOT NULL CHECK (owner_kind IN ('visitor', 'agent')),
        owner_id TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        size INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        data BYTEA NOT NULL
      );
      CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id, created_at);
      CREATE INDEX attachments_created ON attachments (created_at);
      ALTER TABLE messages ADD COLUMN attachment_id TEXT;
      ALTER TABLE messages ADD COLUMN attachment_name TEXT;
      ALTER TABLE messages ADD COLUMN attachment_type TEXT;
      ALTER TABLE messages ADD COLUMN attachment_size INTEGER;
      CREATE INDEX messages_attachment ON messages (attachment_id) WHERE attachment_id IS NOT NULL;
    `,
  },
  {
    version: 9,
    name: 'search and tags',
    // Full text (#17 search). Messages: a stored tsvector column, computed once per insert, with a
    // GIN index on it: a query reads it instead of parsing each candidate's body again (search
    // ranks the newest matches, and walks the primary key backwards for a common word, which
    // tests each row it passes). Adding it rewrites the table once. Visitors: a GIN index on the
    // expression (few rows to rank). The 'simple' configuration folds case and does not stem, as
    // SQLite's unicode61; translate() first turns the punctuation that PostgreSQL's parser would
    // keep inside one token (emails, hosts, URLs, hyphenated words) into spaces, so "example"
    // finds "jane@example.com" as in SQLite. postgres/search.ts repeats the visitors' expression
    // exactly. Tags: one row per (conversation, tag), as SQLite's migration 10.
    sql: `
      ALTER TABLE messages ADD COLUMN search_doc tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, translate(body, '@.:/+_=?&#%~-', '             '))) STORED;
      CREATE INDEX messages_search_doc ON messages USING GIN (search_doc);
      CREATE INDEX visitors_fts ON visitors USING GIN ((to_tsvector('simple'::regconfig, translate(name || ' ' || coalesce(email, ''), '@.:/+_=?&#%~-', '             '))));
      CREATE TABLE conversation_tags (
        conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        tag TEXT COLLATE "C" NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (conversation_id, tag)
      );
      CREATE INDEX conversation_tags_by_tag ON conversation_tags (tag, conversation_id);
    `,
  },
  {
    version: 10,
    name: 'agent tools: canned replies, page views, satisfaction ratings',
    // Canned replies: owner_id NULL is the team's; shortcut_key is the shortcut lower-cased by the
    // server (the same in both engines), unique per owner. Page views: the visitor's latest pages,
    // pruned to a bound on every insert. CSAT: one row per conversation (its primary key), replaced
    // while the window is open; counted by the conversation's closed_at (reports).
    sql: `
      CREATE TABLE canned_replies (
        id TEXT COLLATE "C" PRIMARY KEY,
        owner_id TEXT COLLATE "C" REFERENCES agents (id) ON DELETE CASCADE,
        shortcut TEXT NOT NULL,
        shortcut_key TEXT COLLATE "C" NOT NULL,
        body TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX canned_replies_owner_shortcut ON canned_replies (coalesce(owner_id, ''), shortcut_key);
      -- An agent's deletion finds their personal replies (ON DELETE CASCADE) through it.
      CREATE INDEX canned_replies_owner ON canned_replies (owner_id);

      CREATE TABLE page_views (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        visitor_id TEXT COLLATE "C" NOT NULL,
        url TEXT NOT NULL,
        title TEXT,
        user_agent TEXT,
        time_zone TEXT,
        at BIGINT NOT NULL
      );
      CREATE INDEX page_views_by_visitor ON page_views (visitor_id, id);

      CREATE TABLE csat_ratings (
        conversation_id TEXT COLLATE "C" PRIMARY KEY REFERENCES conversations (id),
        visitor_id TEXT COLLATE "C" NOT NULL,
        agent_id TEXT COLLATE "C",
        rating TEXT NOT NULL CHECK (rating IN ('good', 'okay', 'bad')),
        comment TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 11,
    name: 'routing: team settings, agent capacity',
    // As SQLite's migration 12.
    sql: `
      CREATE TABLE settings (
        key TEXT COLLATE "C" PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      ALTER TABLE agents ADD COLUMN capacity INTEGER;
      ALTER TABLE agents ADD COLUMN last_assigned_at BIGINT;
      CREATE INDEX conversations_active_by_agent ON conversations (agent_id) WHERE status = 'active';
    `,
  },
  {
    version: 12,
    name: 'email: the outbox, follow-up state, visitors last seen and language',
    // As SQLite's migration 14. Workers on every node claim due rows with FOR UPDATE SKIP LOCKED.
    sql: `
      CREATE TABLE email_outbox (
        id TEXT COLLATE "C" PRIMARY KEY,
        key TEXT COLLATE "C" NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('followup', 'transcript')),
        conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id),
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        text_body TEXT NOT NULL,
        html_body TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT,
        sent_at BIGINT,
        failed_at BIGINT,
        last_error TEXT,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
      CREATE INDEX email_outbox_by_conversation ON email_outbox (conversation_id);
      CREATE TABLE email_followups (
        conversation_id TEXT COLLATE "C" PRIMARY KEY REFERENCES conversations (id),
        visitor_id TEXT COLLATE "C" NOT NULL,
        emailed_seq INTEGER NOT NULL DEFAULT 0,
        pending_at BIGINT,
        revision INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX email_followups_pending ON email_followups (pending_at) WHERE pending_at IS NOT NULL;
      ALTER TABLE visitors ADD COLUMN last_seen_at BIGINT;
      ALTER TABLE visitors ADD COLUMN language TEXT;
    `,
  },
  {
    version: 13,
    name: 'API tokens',
    // As SQLite's migration 15; conversations_by_status (migration 1) already serves one status's
    // newest-first pages, and (created_at DESC, id DESC) serves those of every status.
    sql: `
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        secret_hash TEXT COLLATE "C" NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_by TEXT,
        created_at BIGINT NOT NULL,
        last_used_at BIGINT
      );
      CREATE INDEX conversations_newest ON conversations (created_at DESC, id DESC);
    `,
  },
  {
    version: 14,
    name: 'webhooks and their delivery outbox',
    // As SQLite's migration 16. Workers on every node claim due rows with FOR UPDATE SKIP LOCKED.
    sql: `
      CREATE TABLE webhooks (
        id TEXT COLLATE "C" PRIMARY KEY,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        secret TEXT NOT NULL,
        enabled BOOLEAN NOT NULL DEFAULT TRUE,
        disabled_reason TEXT,
        disabled_at BIGINT,
        failing_since BIGINT,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE webhook_deliveries (
        webhook_id TEXT COLLATE "C" NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        event_id TEXT COLLATE "C" NOT NULL,
        event_type TEXT NOT NULL,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT,
        delivered_at BIGINT,
        failed_at BIGINT,
        last_status INTEGER,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (webhook_id, event_id)
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
      CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, created_at);
    `,
  },
  {
    version: 15,
    name: 'verified visitor identity and custom attributes',
    // As SQLite's migration 17.
    sql: `
      ALTER TABLE visitors ADD COLUMN user_id TEXT COLLATE "C";
      ALTER TABLE visitors ADD COLUMN verified BOOLEAN NOT NULL DEFAULT false;
      ALTER TABLE visitors ADD COLUMN attributes TEXT;
      CREATE UNIQUE INDEX visitors_by_user_id ON visitors (user_id) WHERE user_id IS NOT NULL;
    `,
  },
];

/** An arbitrary constant naming "Parley's schema" among advisory locks ('parley' in ASCII). */
export const MIGRATION_LOCK_KEY = 0x7061726c6579;

/** schema_migrations in this database, through the client whose transaction holds the lock. */
function postgresTarget(client: PoolClient): MigrationTarget {
  return {
    engine: 'postgres',
    async prepare() {
      await client.query(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          applied_at BIGINT NOT NULL,
          checksum TEXT
        )`);
      // A database from before checksums has the table without the column.
      await client.query('ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum TEXT');
    },
    async applied() {
      return (await client.query<{ version: number; checksum: string | null }>('SELECT version, checksum FROM schema_migrations')).rows;
    },
    async recordChecksum(version, checksum) {
      await client.query('UPDATE schema_migrations SET checksum = $2 WHERE version = $1', [version, checksum]);
    },
    async apply(migration, checksum, now) {
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)', [
        migration.version,
        migration.name,
        now,
        checksum,
      ]);
    },
  };
}

/**
 * Applies pending migrations (after checking the applied ones' checksums). The
 * caller has opened a transaction on `client`; the transaction-scoped advisory
 * lock makes nodes that start together take turns, and the last to get it finds
 * nothing left to do. Throws MigrationChangedError when an applied migration was edited.
 */
export async function applyMigrations(client: PoolClient, now: number, list: readonly Migration[] = migrations): Promise<MigrationRun> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
  return runMigrations(postgresTarget(client), list, now);
}
