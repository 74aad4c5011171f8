/**
 * Charts with Chart.js on canvas (no inline style or script, so the page's CSP holds). Only the parts used
 * are registered. Each chart also says what it shows in its accessible name.
 */
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useEffect, useRef, type ReactNode } from 'react';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  DoughnutController,
  ArcElement,
  Legend,
  Tooltip,
);
Chart.defaults.font.family = 'system-ui, sans-serif';
Chart.defaults.animation = false;

const PALETTE = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#65a30d',
  '#475569',
];

function ChartCanvas({
  config,
  label,
  height = 220,
}: {
  config: ChartConfiguration;
  label: string;
  height?: number;
}): ReactNode {
  const canvas = useRef<HTMLCanvasElement>(null);
  const configJson = JSON.stringify(config.data);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
    // Redrawn when the data changes (config objects are new on every render).
  }, [configJson]);
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={label} height={height} />
    </div>
  );
}

export function BarChart({
  labels,
  series,
  label,
  stacked = false,
  horizontal = false,
}: {
  labels: string[];
  series: { name: string; values: number[]; color?: string }[];
  label: string;
  stacked?: boolean;
  horizontal?: boolean;
}): ReactNode {
  return (
    <ChartCanvas
      label={label}
      config={{
        type: 'bar',
        data: {
          labels,
          datasets: series.map((s, i) => ({
            label: s.name,
            data: s.values,
            backgroundColor: s.color ?? PALETTE[i % PALETTE.length],
          })),
        },
        options: {
          indexAxis: horizontal ? 'y' : 'x',
          responsive: true,
          maintainAspectRatio: false,
          plugins: { legend: { display: series.length > 1 } },
          scales: {
            x: { stacked, ticks: { autoSkip: true, maxRotation: 0 } },
            y: { stacked, beginAtZero: true, ticks: { precision: 0 } },
          },
        },
      }}
    />
  );
}

export function Doughnut({ parts, label }: { parts: Record<string, number>; label: string }): ReactNode {
  const labels = Object.keys(parts);
  return (
    <ChartCanvas
      label={label}
      config={{
        type: 'doughnut',
        data: {
          labels,
          datasets: [
            {
              data: labels.map((l) => parts[l] ?? 0),
              backgroundColor: labels.map((_, i) => PALETTE[i % PALETTE.length]!),
            },
          ],
        },
        options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: 'right' } } },
      }}
    />
  );
}
