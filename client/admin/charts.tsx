// Plain SVG charts for the reports page: bars with an optional line over them, and a heat map.
// No charting library: the three charts need a band scale, a rounded linear scale and rectangles,
// which a library's share of the 60 KB dashboard budget would not improve on. Every chart is an
// <svg role="img"> named by its <title> and described by its <desc>; the page adds a table with
// the same figures beside each. Right-to-left pages mirror the horizontal axis (time and bands run
// from the right), numbers are formatted by the caller (the page's locale).

import type { ComponentChildren } from 'preact';
import { niceMax, ticks } from './chart-scale.ts';

export interface Band {
  /** Axis label (may be empty to skip a crowded label). */
  label: string;
  /** Full text of the band for its tooltip. */
  title: string;
  bar: number;
  line?: number;
}

const H = 220;
const AXIS = 40;
const TOP = 12;
const BOTTOM = 26;

interface BarChartProps {
  id: string;
  /** The drawing's width in its own units (it scales to its box): narrower on phones, so labels stay legible. */
  width: number;
  title: string;
  desc: string;
  bands: Band[];
  rtl: boolean;
  format(n: number): string;
  /** Shown under the chart: what the bars and the line are. */
  legend?: ComponentChildren;
}

export function BarChart({ id, width: W, title, desc, bands, rtl, format, legend }: BarChartProps) {
  const max = Math.max(0, ...bands.map((b) => Math.max(b.bar, b.line ?? 0)));
  const top = niceMax(max);
  const plotW = W - AXIS - 8;
  const plotH = H - TOP - BOTTOM;
  const band = plotW / Math.max(1, bands.length);
  // The value axis on the start side; bands run from the start side.
  const x0 = (i: number) => (rtl ? W - AXIS - (i + 1) * band : AXIS + i * band);
  // (the plot runs from AXIS to W - 8 in left-to-right pages, from 8 to W - AXIS in right-to-left ones)
  const y = (v: number) => TOP + plotH - (v / top) * plotH;
  const axisX = rtl ? W - AXIS + 6 : AXIS - 6;
  const hasLine = bands.some((b) => b.line !== undefined);
  const line = bands.map((b, i) => `${(x0(i) + band / 2).toFixed(1)},${y(b.line ?? 0).toFixed(1)}`).join(' ');
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} class="chart-svg" data-chart={id}>
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        {ticks(top).map((v) => (
          <g key={v} class="chart-grid">
            <line x1={rtl ? 8 : AXIS} x2={rtl ? W - AXIS : W - 8} y1={y(v)} y2={y(v)} />
            <text x={axisX} y={y(v) + 4} text-anchor={rtl ? 'start' : 'end'}>
              {format(v)}
            </text>
          </g>
        ))}
        {bands.map((b, i) => (
          <g key={i}>
            <rect class="chart-bar" x={x0(i) + band * 0.15} width={Math.max(1, band * 0.7)} y={y(b.bar)} height={Math.max(0, TOP + plotH - y(b.bar))}>
              <title>{b.title}</title>
            </rect>
            {b.label && (
              <text class="chart-label" x={x0(i) + band / 2} y={H - 8} text-anchor="middle">
                {b.label}
              </text>
            )}
          </g>
        ))}
        {hasLine && <polyline class="chart-line" points={line} />}
      </svg>
      {legend && <figcaption class="chart-legend">{legend}</figcaption>}
    </figure>
  );
}

interface HeatMapProps {
  id: string;
  width: number;
  title: string;
  desc: string;
  /** rows × 24 counts. */
  cells: number[][];
  rowLabels: string[];
  /** 24 labels, empty ones skipped. */
  hourLabels: string[];
  rtl: boolean;
  cellTitle(row: number, hour: number, count: number): string;
}

export function HeatMap({ id, width: W, title, desc, cells, rowLabels, hourLabels, rtl, cellTitle }: HeatMapProps) {
  const label = 44;
  const cell = (W - label - 4) / 24;
  const rowH = 22;
  const height = rowH * cells.length + 22;
  const max = Math.max(1, ...cells.flat());
  const x = (h: number) => (rtl ? W - label - (h + 1) * cell : label + h * cell);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} class="chart-svg" data-chart={id}>
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        {cells.map((row, r) => (
          <g key={r}>
            <text class="chart-label" x={rtl ? W - label + 4 : label - 6} y={r * rowH + rowH / 2 + 4} text-anchor={rtl ? 'start' : 'end'}>
              {rowLabels[r]}
            </text>
            {row.map((count, h) => (
              <rect
                key={h}
                class="heat-cell"
                x={x(h) + 1}
                y={r * rowH + 1}
                width={cell - 2}
                height={rowH - 2}
                rx={3}
                fill-opacity={count === 0 ? 0.06 : 0.18 + 0.82 * (count / max)}
                data-count={count}
              >
                <title>{cellTitle(r, h, count)}</title>
              </rect>
            ))}
          </g>
        ))}
        {hourLabels.map((l, h) =>
          l ? (
            <text key={h} class="chart-label" x={x(h) + cell / 2} y={height - 6} text-anchor="middle">
              {l}
            </text>
          ) : null,
        )}
      </svg>
    </figure>
  );
}
