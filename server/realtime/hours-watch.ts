// Wakes at each business-hours boundary (open → closed, closed → open) so this node can tell its
// own widgets at that moment; one timer per node, set again after every boundary and whenever the
// schedule changes. Starts nothing until start().

import type { HoursStatus } from '../core/business-hours.ts';

/** setTimeout's longest delay; a boundary further away is reached in steps. */
const MAX_DELAY = 2_147_483_647;

export interface HoursWatch {
  start(): void;
  /** The schedule changed: aim at its next boundary instead. */
  reschedule(): void;
  close(): void;
}

export function createHoursWatch(deps: { hours: () => HoursStatus; now: () => number; onBoundary: () => void }): HoursWatch {
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  /** The boundary the timer is set for. */
  let target: number | null = null;

  function arm() {
    if (timer) clearTimeout(timer);
    timer = null;
    target = deps.hours().nextChange;
    if (!running || target === null) return;
    timer = setTimeout(fire, Math.min(MAX_DELAY, Math.max(0, target - deps.now())));
    timer.unref();
  }

  function fire() {
    timer = null;
    // A timer may wake a little early, or a long wait be reached in steps: only a boundary passed counts.
    if (target !== null && deps.now() >= target) deps.onBoundary();
    arm();
  }

  return {
    start() {
      running = true;
      arm();
    },
    reschedule: arm,
    close() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
