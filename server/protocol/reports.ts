// What GET /api/reports/summary answers (docs/protocol.md, "Reports"): shared with the dashboard.
// Durations are milliseconds; instants are ISO 8601 strings in UTC. Imports nothing.

/** A distribution: how many values, their median and 90th percentile (nearest rank); null when none. */
export interface Spread {
  count: number;
  median: number | null;
  p90: number | null;
}

export interface ReportFigures {
  /** Conversations opened in the range (for an agent: those they went on to claim first). */
  opened: number;
  /** First claimed in the range (for an agent: by them). */
  claimed: number;
  /** Closed in the range (for an agent: while they held it). */
  closed: number;
  /** Closed in the range without any agent reply, plus those opened in the range still unanswered an hour on. */
  missed: number;
  /** From opening to the first claim, of those claimed in the range. */
  queueWait: Spread;
  /** From the first claim to the first agent message, of those claimed in the range and answered. */
  firstResponse: Spread;
  /** From opening to closing, of those closed in the range. */
  duration: Spread;
  /** Messages (every author) per conversation closed in the range; `mean` rounded to a tenth. */
  messages: Spread & { mean: number | null };
}

export interface ReportAgentRow extends ReportFigures {
  agentId: string;
  /** Null for an agent who no longer exists. */
  name: string | null;
}

export interface ReportBucket {
  /** The bucket's first instant (a local day or hour of the report's time zone). */
  start: string;
  opened: number;
  claimed: number;
  closed: number;
  missed: number;
}

export interface ReportSummary {
  range: {
    from: string;
    to: string;
    /** The zone the buckets were computed in, as resolved (an IANA name or an offset). */
    timeZone: string;
    /** Hours for a range of up to two days, else days. */
    bucket: 'hour' | 'day';
    agentId: string | null;
    /** The tag filter (#17), when one was asked for. */
    tag?: string;
  };
  totals: ReportFigures;
  /** Every agent (or the one asked for), by name. */
  agents: ReportAgentRow[];
  series: ReportBucket[];
  /** Queue waits of conversations claimed in the range, counted in buckets up to `upToMs` (null: longer than the last). */
  waitHistogram: Array<{ upToMs: number | null; count: number }>;
  /** Conversations opened, by local weekday (0 = Monday) and hour (0–23). */
  heatmap: number[][];
  /** Satisfaction ratings of the conversations closed in the range (those the agent held, with agentId): counts and score (docs/protocol.md). */
  csat: { good: number; okay: number; bad: number; total: number; score: number | null };
}
