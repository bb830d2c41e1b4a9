import type uPlot from 'uplot';

/** A CSS custom property of the page's theme (canvas drawing cannot read var() itself). */
export function themeColour(name: string, fallback: string): string {
  const v = typeof document === 'undefined' ? '' : getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** An axis in the page's colours. */
export function axis(label: string, o: Partial<uPlot.Axis> = {}): uPlot.Axis {
  const faint = themeColour('--text-faint', '#8a93a6');
  const line = themeColour('--line', '#2a3040');
  return { label, stroke: faint, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 }, font: '11px system-ui, sans-serif', labelFont: '11px system-ui, sans-serif', labelSize: 18, ...o };
}
