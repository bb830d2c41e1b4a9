import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** What a chart draws: uPlot options without its size (the chart takes its box's width). */
export type PlotOptions = Omit<uPlot.Options, 'width' | 'height'>;

/**
 * One uPlot chart in a box: made when the options change, fed new data without being remade,
 * resized with its box. uPlot draws on a canvas and thins nothing: 45,000 points a series
 * draw in a few milliseconds, where an SVG path of that size stalls the page.
 */
export function Plot({ options, data, height, testId, onReady }: { options: PlotOptions; data: uPlot.AlignedData; height: number; testId: string; onReady?: (u: uPlot) => void }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current!;
    const started = performance.now();
    let drawn = false;
    const hooks: uPlot.Hooks.Arrays = {
      ...options.hooks,
      // The time from making the chart to its first drawn frame, and the x range shown, for
      // the browser test (data-render-ms, data-x-range).
      draw: [
        ...(options.hooks?.draw ?? []),
        () => {
          if (drawn) return;
          drawn = true;
          el.dataset.renderMs = (performance.now() - started).toFixed(1);
        },
      ],
      setScale: [...(options.hooks?.setScale ?? []), (u, key) => void (key === 'x' && (el.dataset.xRange = `${u.scales.x!.min ?? ''}:${u.scales.x!.max ?? ''}`))],
    };
    const u = new uPlot({ ...options, hooks, width: Math.max(200, el.clientWidth), height }, data, el);
    plot.current = u;
    onReady?.(u);
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Remade only when what it draws changes shape; data alone goes through setData below.
  }, [options, height]);
  useEffect(() => {
    if (plot.current && plot.current.data !== data) plot.current.setData(data);
  }, [data]);
  return <div ref={box} className="plot" data-testid={testId} />;
}

/** Zoom: drag a box (both axes: into a corner), double-click to see everything again. */
export const ZOOM_CURSOR: uPlot.Cursor = { drag: { x: true, y: true, uni: 30 } };
