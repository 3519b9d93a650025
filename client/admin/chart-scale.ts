// The value axis of the reports' bar charts (charts.tsx): where it ends and where its ticks go.

/** 1, 2 or 5 × a power of ten at or above `max` (at least 1): the top of the value axis. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** Ticks from 0 to `top` (a niceMax): whole numbers, 1, 2 or 5 × a power of ten apart, at most six. */
export function ticks(top: number): number[] {
  let step = 1;
  for (let power = 1; top / step > 5; power *= 10) {
    step = [1, 2, 5, 10].map((m) => m * power).find((s) => top / s <= 5) ?? 10 * power;
  }
  const out: number[] = [];
  for (let v = 0; v <= top; v += step) out.push(v);
  return out;
}
