/** A one-line progress display on stderr, only when stderr is a terminal, redrawn at most 10 times a second. */

export interface Progress {
  update(text: string): void;
  done(): void;
}

const SILENT: Progress = { update() {}, done() {} };

export function progressLine(enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return SILENT;
  let last = 0;
  let shown = false;
  return {
    update(text: string) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const width = Math.max(20, (process.stderr.columns || 80) - 1);
      process.stderr.write(`\r\u001b[2K${text.slice(0, width)}`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write('\r\u001b[2K');
      shown = false;
    },
  };
}

export function formatRate(count: number, ms: number, unit: string): string {
  const perSecond = ms > 0 ? (count * 1000) / ms : 0;
  return `${perSecond >= 1000 ? `${(perSecond / 1000).toFixed(1)}k` : perSecond.toFixed(0)} ${unit}/s`;
}
