import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** A CSS variable name (e.g. --chart-1), resolved when the chart is drawn. */
  color: string;
}

interface Props {
  title: string;
  series: ChartSeries[];
  /** uPlot's aligned data: times in seconds, then one array per series. */
  data: (number | null)[][];
  /** The visible range, in seconds. */
  range: [number, number];
  format: (value: number) => string;
  /** Fixed scale top (100 for percent); automatic without it. */
  max?: number;
  /** Tick steps for the value axis (binary ones for bytes); uPlot's decimal ones without it. */
  steps?: number[];
  /** A range dragged on the chart, in seconds. */
  onSelect?: (from: number, to: number) => void;
  height?: number;
}

/** 1, 2, 4 … 512 B, then KiB, MiB …: byte axes tick at round binary sizes. */
export const BYTE_STEPS = Array.from(
  { length: 60 },
  (_, i) => 2 ** (i % 10) * 1024 ** Math.floor(i / 10),
);

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/**
 * A uPlot time-series chart: canvas drawing that stays smooth with thousands of points. It is
 * made once and then only fed new data (setData), resized with its box, and reports a range
 * dragged across it. `data-points` tells how many samples it shows.
 */
export function TimeChart({
  title,
  series,
  data,
  range,
  format,
  max,
  steps,
  onSelect,
  height = 200,
}: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const rangeRef = useRef(range);
  const selectRef = useRef(onSelect);
  useEffect(() => {
    rangeRef.current = range;
    selectRef.current = onSelect;
  });
  const seriesKey = series.map((s) => s.label).join('|');
  // Colours are read from the theme when the chart is made: made again when the OS switches.
  const [theme, setTheme] = useState(0);
  useEffect(() => {
    const dark = matchMedia('(prefers-color-scheme: dark)');
    const changed = () => setTheme((n) => n + 1);
    dark.addEventListener('change', changed);
    return () => dark.removeEventListener('change', changed);
  }, []);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = { stroke: cssVar('--text-muted'), grid: { stroke: cssVar('--chart-grid') } };
    const options: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false, setScale: false } },
      scales: {
        x: { time: true, range: () => rangeRef.current },
        y: {
          range: (_u, _min, dataMax) => [0, max ?? (dataMax > 0 ? dataMax * 1.1 : 1)],
        },
      },
      axes: [
        { ...axis, ticks: { stroke: cssVar('--chart-grid') } },
        {
          ...axis,
          size: 84,
          ...(steps ? { incrs: steps } : {}),
          values: (_u, values) => values.map((v) => format(v)),
        },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: cssVar(s.color),
          width: 1.5,
          fill: `${cssVar(s.color)}1f`,
          points: { show: false },
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : format(v)),
        })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 5) return;
            const from = u.posToVal(u.select.left, 'x');
            const to = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            selectRef.current?.(from, to);
          },
        ],
      },
    };
    const chart = new uPlot(options, data as uPlot.AlignedData, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => {
      chart.setSize({ width: Math.max(200, el.clientWidth), height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Made again only when its shape changes; data and range arrive through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [seriesKey, height, max, steps, theme]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData, true);
  }, [data, range]);

  const samples = data[0]?.length ?? 0;
  return (
    <figure className="chart card" data-chart={title} data-points={samples}>
      <figcaption className="chart-title">{title}</figcaption>
      <div ref={box} className="chart-box" />
    </figure>
  );
}
