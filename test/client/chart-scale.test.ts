import { describe, expect, it } from 'vitest';
import { niceMax, ticks } from '../../client/admin/chart-scale.ts';

describe('report chart scale', () => {
  it('[REPORT-CHART1] the value axis ends on 1, 2 or 5 × 10ⁿ at or above the largest value, with whole, evenly spaced ticks', () => {
    const cases: Array<[number, number, number[]]> = [
      [0, 1, [0, 1]],
      [1, 1, [0, 1]],
      [3, 5, [0, 1, 2, 3, 4, 5]],
      [9, 10, [0, 2, 4, 6, 8, 10]],
      [13, 20, [0, 5, 10, 15, 20]],
      [99, 100, [0, 20, 40, 60, 80, 100]],
      [250, 500, [0, 100, 200, 300, 400, 500]],
      [1234, 2000, [0, 500, 1000, 1500, 2000]],
    ];
    for (const [max, top, marks] of cases) {
      expect(niceMax(max)).toBe(top);
      expect(ticks(top)).toEqual(marks);
    }
  });
});
