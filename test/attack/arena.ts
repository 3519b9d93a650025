// One target per suite file, with the checks every case ends with. A case that kills the
// server fails on its own: the next case gets a fresh server instead of a chain of failures.

import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { type Control, MEMORY_BUDGET_MIB, type Target, expectUnharmed, peakGrowth, startTarget } from './target.ts';

export interface Arena {
  readonly target: Target;
  readonly control: Control;
  /**
   * Runs `attack` while sampling the server's memory, then asserts issue #11's bounds: it grew by
   * less than MEMORY_BUDGET_MIB, it is up, and the control conversation still works in time.
   */
  underAttack<T>(attack: () => Promise<T>): Promise<T>;
}

export function useArena(env: Record<string, string> = {}): Arena {
  let target: Target | undefined;
  let control: Control | undefined;
  const start = async () => {
    target = await startTarget(env);
    control = await target.control();
  };
  const stop = async () => {
    control?.close();
    await target?.close();
  };
  beforeAll(start);
  afterAll(stop);
  beforeEach(async () => {
    if (target && !target.alive()) {
      await stop();
      await start();
    }
  });
  return {
    get target() {
      return target!;
    },
    get control() {
      return control!;
    },
    async underAttack<T>(attack: () => Promise<T>): Promise<T> {
      let result: T | undefined;
      const growth = await peakGrowth(target!, async () => {
        result = await attack();
      });
      expect(growth, 'memory growth (MiB)').toBeLessThan(MEMORY_BUDGET_MIB);
      await expectUnharmed(target!, control!);
      return result as T;
    },
  };
}
