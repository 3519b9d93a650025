// The SQLite schema as numbered migrations, and migrate(), which applies the
// pending ones through the shared runner (../migrations.ts) in one BEGIN
// IMMEDIATE transaction, synchronously. Append new migrations; never edit an applied one (its
// checksum is recorded, and a changed one stops the start).

import type { DatabaseSync } from 'node:sqlite';
import { type AppliedMigration, type Migration, type MigrationRun, runMigrationsSync, type SyncMigrationTarget } from '../migrations.ts';

// Timestamps are epoch ms integers. Ids are TEXT compared with BINARY collation,
// the same byte order as PostgreSQL's COLLATE "C", so (queued_at, id) sorts alike.
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('agent', 'admin')),
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      -- Case-insensitive uniqueness (ASCII folding, as NOCASE does); the email keeps its case.
      CREATE UNIQUE INDEX agents_email_key ON agents (email COLLATE NOCASE);

      CREATE TABLE visitors (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE sessions (
        sid TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX sessions_expires_at ON sessions (expires_at);

      CREATE TABLE login_failures (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX login_failures_key_at ON login_failures (key, at);
      CREATE INDEX login_failures_at ON login_failures (at);

      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        visitor_id TEXT NOT NULL,
        visitor_name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'active', 'closed')),
        agent_id TEXT,
        agent_name TEXT,
        last_seq INTEGER NOT NULL DEFAULT 0,
        queued_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        closed_at INTEGER
      );
      -- At most one open conversation per visitor, even when two tabs race:
      -- openConversation() relies on it.
      CREATE UNIQUE INDEX conversations_one_open_per_visitor
        ON conversations (visitor_id) WHERE status IN ('queued', 'active');
      CREATE INDEX conversations_queue ON conversations (status, queued_at, id);
      CREATE INDEX conversations_by_visitor ON conversations (visitor_id, created_at, id);
      CREATE INDEX conversations_by_agent ON conversations (agent_id, created_at, id);
      CREATE INDEX conversations_by_created ON conversations (created_at, id);

      CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        client_id TEXT NOT NULL,
        author_kind TEXT NOT NULL CHECK (author_kind IN ('visitor', 'agent', 'system')),
        author_id TEXT NOT NULL,
        author_name TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (conversation_id, seq),
        UNIQUE (conversation_id, client_id)
      );

      CREATE TABLE read_positions (
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        participant_kind TEXT NOT NULL CHECK (participant_kind IN ('visitor', 'agent')),
        participant_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (conversation_id, participant_kind, participant_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'messages: cheaper indexes per insert',
    // What each stored message costs in B-tree pages written: an index on id went (nothing looks
    // a message up by id, and ids are generated here, time-ordered with 74 random bits), and so
    // did the foreign key check (appendMessage reads the conversation row in the same transaction
    // just before inserting, and conversations are never deleted). The clientId dedupe index is
    // on client_id alone: the widget's and console's ids are time-ordered, so new entries of every
    // conversation land on the same last page instead of one page per conversation. It is not
    // UNIQUE (a clientId is unique per conversation only): appendMessage looks it up under the
    // write lock before inserting. The table is rebuilt in rowid order.
    sql: `
      CREATE TABLE messages_new (
        id TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        client_id TEXT NOT NULL,
        author_kind TEXT NOT NULL CHECK (author_kind IN ('visitor', 'agent', 'system')),
        author_id TEXT NOT NULL,
        author_name TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (conversation_id, seq)
      );
      INSERT INTO messages_new (id, conversation_id, seq, client_id, author_kind, author_id, author_name, body, created_at)
        SELECT id, conversation_id, seq, client_id, author_kind, author_id, author_name, body, created_at FROM messages ORDER BY rowid;
      DROP TABLE messages;
      ALTER TABLE messages_new RENAME TO messages;
      CREATE INDEX messages_client_id ON messages (client_id);
    `,
  },
  {
    version: 3,
    name: 'conversations: last_seq derived from messages',
    // Every stored message also rewrote its conversation's row (and so one more WAL page per
    // message when a commit's messages go to different conversations). The last seq is the
    // end of the messages' (conversation_id, seq) index: statements.ts reads it from there.
    // Messages are never deleted, so the two always agreed.
    sql: `ALTER TABLE conversations DROP COLUMN last_seq;`,
  },
  {
    version: 4,
    name: 'agents: console language',
    // The language the agent chose for the console and dashboard (a shipped code, i18n/locales.ts);
    // NULL follows the browser.
    sql: `ALTER TABLE agents ADD COLUMN language TEXT;`,
  },
  {
    version: 5,
    name: 'conversations: revision',
    // Bumped by every change of status, agent or visitor name, so that clients can order the
    // snapshots of a conversation that reach them by different paths (a queue-position update read
    // before a claim can arrive after it).
    sql: `ALTER TABLE conversations ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 6,
    name: 'conversations: what reports measure',
    // Reports (server/core/reports.ts) need when a conversation was first claimed and by whom, and
    // when an agent first wrote in it: claim sets claimed_at/claimed_by once (a release and a
    // re-claim keep the first), an agent's first message sets first_reply_at once. Conversations
    // from before this migration get their first agent message and their agent, not a claim time
    // (it was never recorded). Partial indexes on each report's time column: a 30-day range is a
    // range scan, whatever the table's size.
    sql: `
      ALTER TABLE conversations ADD COLUMN claimed_at INTEGER;
      ALTER TABLE conversations ADD COLUMN claimed_by TEXT;
      ALTER TABLE conversations ADD COLUMN first_reply_at INTEGER;
      UPDATE conversations SET claimed_by = agent_id, first_reply_at =
        (SELECT min(created_at) FROM messages WHERE messages.conversation_id = conversations.id AND author_kind = 'agent');
      CREATE INDEX conversations_by_claimed ON conversations (claimed_at) WHERE claimed_at IS NOT NULL;
      CREATE INDEX conversations_by_closed ON conversations (closed_at) WHERE closed_at IS NOT NULL;
    `,
  },
  {
    version: 7,
    name: 'agents: disabled, session epoch, change revision',
    // disabled: refused at login and on every request. session_epoch: a session or socket opened
    // under an older epoch is no longer the agent's (a password change or reset ends them).
    // revision: raised on every account change, so each node (and a CLI run beside them) finds
    // what changed with one indexed read (realtime/account-watch.ts).
    sql: `
      ALTER TABLE agents ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE agents ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE agents ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX agents_revision ON agents (revision);
    `,
  },
  {
    version: 8,
    name: 'notes: private notes',
    // Agents' private notes, apart from messages so that they never take a seq (the visitor's
    // seq stays gap-free). after_seq places a note after that message; a clientId is unique per
    // conversation, as a message's is. mentions: JSON [{id, name}] of the agents its @names named.
    sql: `
      CREATE TABLE notes (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        after_seq INTEGER NOT NULL,
        author_id TEXT NOT NULL,
        author_name TEXT NOT NULL,
        body TEXT NOT NULL,
        mentions TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        UNIQUE (conversation_id, client_id)
      );
      CREATE INDEX notes_by_place ON notes (conversation_id, after_seq, created_at, id);
    `,
  },
  {
    version: 9,
    name: 'attachments',
    // Uploaded files, bytes in the database (server/store/attachment-store.ts). A message that
    // carries one keeps a copy of its record (id, name, type, size), so history reads no join.
    // The bytes are the last column: reading the others never touches their overflow pages.
    // messages_attachment: who may read a file (the conversations carrying it), and the prune of
    // uploads no message carries.
    sql: `
      CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        owner_kind TEXT NOT NULL CHECK (owner_kind IN ('visitor', 'agent')),
        owner_id TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        size INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        data BLOB NOT NULL
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
    version: 10,
    name: 'search and tags',
    // Full text (#17 search): FTS5 indexes over message bodies and visitors' names and emails,
    // external-content (they hold the index only; the text stays in messages and visitors), kept in
    // step by triggers in the same transaction as every write. unicode61 folds case and diacritics.
    // Messages are never updated or deleted; the triggers for it keep the index right should one be.
    // Tags: one row per (conversation, tag); the tag index serves the reports' tag filter.
    sql: `
      CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
      INSERT INTO messages_fts (rowid, body) SELECT rowid, body FROM messages;
      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, body) VALUES (new.rowid, new.body);
      END;
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
        INSERT INTO messages_fts (rowid, body) VALUES (new.rowid, new.body);
      END;

      CREATE VIRTUAL TABLE visitors_fts USING fts5(name, email, content='visitors', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
      INSERT INTO visitors_fts (rowid, name, email) SELECT rowid, name, coalesce(email, '') FROM visitors;
      CREATE TRIGGER visitors_fts_insert AFTER INSERT ON visitors BEGIN
        INSERT INTO visitors_fts (rowid, name, email) VALUES (new.rowid, new.name, coalesce(new.email, ''));
      END;
      CREATE TRIGGER visitors_fts_delete AFTER DELETE ON visitors BEGIN
        INSERT INTO visitors_fts (visitors_fts, rowid, name, email) VALUES ('delete', old.rowid, old.name, coalesce(old.email, ''));
      END;
      CREATE TRIGGER visitors_fts_update AFTER UPDATE OF name, email ON visitors BEGIN
        INSERT INTO visitors_fts (visitors_fts, rowid, name, email) VALUES ('delete', old.rowid, old.name, coalesce(old.email, ''));
        INSERT INTO visitors_fts (rowid, name, email) VALUES (new.rowid, new.name, coalesce(new.email, ''));
      END;

      CREATE TABLE conversation_tags (
        conversation_id TEXT NOT NULL,
        tag TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (conversation_id, tag)
      ) WITHOUT ROWID;
      CREATE INDEX conversation_tags_by_tag ON conversation_tags (tag, conversation_id);
    `,
  },
  {
    version: 11,
    name: 'agent tools: canned replies, page views, satisfaction ratings',
    // Canned replies: owner_id NULL is the team's; shortcut_key is the shortcut lower-cased by the
    // server (the same in both engines), unique per owner. Page views: the visitor's latest pages,
    // pruned to a bound on every insert. CSAT: one row per conversation (its primary key), replaced
    // while the window is open; counted by the conversation's closed_at (reports).
    sql: `
      CREATE TABLE canned_replies (
        id TEXT PRIMARY KEY,
        owner_id TEXT REFERENCES agents (id) ON DELETE CASCADE,
        shortcut TEXT NOT NULL,
        shortcut_key TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX canned_replies_owner_shortcut ON canned_replies (coalesce(owner_id, ''), shortcut_key);
      -- An agent's deletion finds their personal replies (ON DELETE CASCADE) through it.
      CREATE INDEX canned_replies_owner ON canned_replies (owner_id);

      CREATE TABLE page_views (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        visitor_id TEXT NOT NULL,
        url TEXT NOT NULL,
        title TEXT,
        user_agent TEXT,
        time_zone TEXT,
        at INTEGER NOT NULL
      );
      CREATE INDEX page_views_by_visitor ON page_views (visitor_id, id);

      CREATE TABLE csat_ratings (
        conversation_id TEXT PRIMARY KEY REFERENCES conversations (id),
        visitor_id TEXT NOT NULL,
        agent_id TEXT,
        rating TEXT NOT NULL CHECK (rating IN ('good', 'okay', 'bad')),
        comment TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 12,
    name: 'routing: team settings, agent capacity',
    // Team settings an admin changes at run time (routing mode, default capacity…): one row per
    // key, its value JSON text. capacity: the agent's own limit of active conversations (NULL:
    // the team default). last_assigned_at: when routing last gave the agent a conversation (ties
    // go to whoever waited longest). The partial index counts each agent's active conversations.
    sql: `
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      ALTER TABLE agents ADD COLUMN capacity INTEGER;
      ALTER TABLE agents ADD COLUMN last_assigned_at INTEGER;
      CREATE INDEX conversations_active_by_agent ON conversations (agent_id) WHERE status = 'active';
    `,
  },
  {
    version: 13,
    name: 'search index behind the writes',
    // Messages reach messages_fts in batches after their commit (search-indexer.ts), not by a
    // trigger in the append's transaction: an FTS5 insert per append, and a new FTS5 segment per
    // group commit to merge later, were a fifth of an append's cost. search_index_state holds the
    // highest rowid indexed; an update or delete touches the index only for rows already in it
    // (an external-content 'delete' of a row the index never had would corrupt it).
    sql: `
      DROP TRIGGER messages_fts_insert;
      DROP TRIGGER messages_fts_delete;
      DROP TRIGGER messages_fts_update;
      CREATE TABLE search_index_state (
        name TEXT PRIMARY KEY,
        indexed_rowid INTEGER NOT NULL
      );
      INSERT INTO search_index_state (name, indexed_rowid) VALUES ('messages', (SELECT coalesce(max(rowid), 0) FROM messages));
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
        WHEN old.rowid <= (SELECT indexed_rowid FROM search_index_state WHERE name = 'messages') BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages
        WHEN old.rowid <= (SELECT indexed_rowid FROM search_index_state WHERE name = 'messages') BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
        INSERT INTO messages_fts (rowid, body) VALUES (new.rowid, new.body);
      END;
    `,
  },
  {
    version: 14,
    name: 'email: the outbox, follow-up state, visitors last seen and language',
    // email_outbox: one row per email, rendered when enqueued; `key` (UNIQUE) makes enqueueing
    // idempotent (one follow-up per batch, one transcript per conversation). A worker leases due
    // rows (lease_owner, lease_until), sends, then sets sent_at; failures move next_attempt_at
    // (retries with backoff) or set failed_at (permanent). email_followups: per conversation, the
    // last seq a follow-up covered and since when agent replies wait unread (pending_at, NULL: none);
    // revision counts agent replies, so a settle never clears a reply it did not see.
    // visitors.last_seen_at: when the visitor's last socket went away (or came), the follow-up's
    // clock across restarts; visitors.language: the widget's language, for their emails.
    sql: `
      CREATE TABLE email_outbox (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('followup', 'transcript')),
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        text_body TEXT NOT NULL,
        html_body TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER,
        sent_at INTEGER,
        failed_at INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
      CREATE INDEX email_outbox_by_conversation ON email_outbox (conversation_id);
      CREATE TABLE email_followups (
        conversation_id TEXT PRIMARY KEY REFERENCES conversations (id),
        visitor_id TEXT NOT NULL,
        emailed_seq INTEGER NOT NULL DEFAULT 0,
        pending_at INTEGER,
        revision INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE INDEX email_followups_pending ON email_followups (pending_at) WHERE pending_at IS NOT NULL;
      ALTER TABLE visitors ADD COLUMN last_seen_at INTEGER;
      ALTER TABLE visitors ADD COLUMN language TEXT;
    `,
  },
  {
    version: 15,
    name: 'API tokens',
    // Tokens for the REST API (docs/api.md): only the SHA-256 of the secret is kept (a lookup by
    // hash authenticates a request); `prefix` is its first characters, shown to tell tokens apart.
    // scopes: a JSON array. created_by is no foreign key: an agent with tokens can still be deleted.
    // The index on (status, created_at, id) serves the API's newest-first pages of one status.
    sql: `
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        secret_hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_by TEXT,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER
      );
      CREATE INDEX conversations_by_status_created ON conversations (status, created_at, id);
    `,
  },
  {
    version: 16,
    name: 'webhooks and their delivery outbox',
    // webhooks: an admin's endpoint, the events it wants (a JSON array) and its signing secret.
    // enabled = 0 with disabled_reason 'failures' when deliveries failed for a day (failing_since: the
    // first failure since the last success), 'admin' when an admin turned it off.
    // webhook_deliveries: the outbox, one row per (webhook, event), the body stored as sent; a worker
    // leases due rows (lease_owner, lease_until) like email_outbox, then sets delivered_at, or moves
    // next_attempt_at (back-off) or sets failed_at (given up after 24 h). Deleting a webhook deletes its rows.
    sql: `
      CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        secret TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        disabled_reason TEXT,
        disabled_at INTEGER,
        failing_since INTEGER,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE webhook_deliveries (
        webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        event_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER,
        delivered_at INTEGER,
        failed_at INTEGER,
        last_status INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (webhook_id, event_id)
      ) WITHOUT ROWID;
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
      CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, created_at);
    `,
  },
  {
    version: 17,
    name: 'verified visitor identity and custom attributes',
    // user_id: the host site's id for a logged-in visitor, set only once the host's HMAC was checked
    // (verified = 1 then); UNIQUE when set, so every device of that user lands on one visitor row.
    // attributes: the host page's custom visitor attributes (a JSON object, bounded at the edge).
    sql: `
      ALTER TABLE visitors ADD COLUMN user_id TEXT;
      ALTER TABLE visitors ADD COLUMN verified INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE visitors ADD COLUMN attributes TEXT;
      CREATE UNIQUE INDEX visitors_by_user_id ON visitors (user_id) WHERE user_id IS NOT NULL;
    `,
  },
];

/** schema_migrations in this database; synchronous, as node:sqlite is. */
function sqliteTarget(db: DatabaseSync): SyncMigrationTarget {
  return {
    engine: 'sqlite',
    prepare() {
      db.exec(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          applied_at INTEGER NOT NULL,
          checksum TEXT
        )`);
      // A database from before checksums has the table without the column.
      const columns = db.prepare('PRAGMA table_info(schema_migrations)').all();
      if (!columns.some((c) => c.name === 'checksum')) db.exec('ALTER TABLE schema_migrations ADD COLUMN checksum TEXT');
    },
    applied() {
      return db
        .prepare('SELECT version, checksum FROM schema_migrations')
        .all()
        .map((r): AppliedMigration => ({ version: Number(r.version), checksum: r.checksum === null ? null : String(r.checksum) }));
    },
    recordChecksum(version, checksum) {
      db.prepare('UPDATE schema_migrations SET checksum = ? WHERE version = ?').run(checksum, version);
    },
    apply(migration, checksum, now) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)').run(
        migration.version,
        migration.name,
        now,
        checksum,
      );
    },
  };
}

/**
 * Applies pending migrations (after checking the applied ones' checksums) and
 * returns what it did. BEGIN IMMEDIATE takes the write lock before reading
 * schema_migrations, so two processes opening the same file take turns and the
 * second finds nothing left to do. Throws MigrationChangedError (nothing
 * changed) when an applied migration was edited.
 */
export function migrate(db: DatabaseSync, now: number, list: readonly Migration[] = migrations): MigrationRun {
  db.exec('BEGIN IMMEDIATE');
  try {
    const done = runMigrationsSync(sqliteTarget(db), list, now);
    db.exec('COMMIT');
    return done;
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
