// The team's business hours as the settings API carries them (docs/protocol.md, "Business hours"),
// shared by the server's core, the dashboard and tests. Imports nothing.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface HoursInterval {
  /** "HH:MM", 00:00–23:59. */
  from: string;
  /** "HH:MM" after `from`, up to "24:00" (the end of the day). */
  to: string;
}

export interface BusinessHours {
  /** IANA zone name ("Europe/Berlin") the times and holidays are read in. */
  timeZone: string;
  weekly: Record<Weekday, HoursInterval[]>;
  /** "YYYY-MM-DD" local dates on which the team is closed all day. */
  holidays: string[];
}

/** The most intervals a day and holidays a schedule may hold. */
export const HOURS_LIMITS = { intervalsPerDay: 8, holidays: 200 } as const;
