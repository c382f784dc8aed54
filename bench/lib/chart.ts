/** A hand-made SVG: one horizontal bar group per figure, each bar against its goal line. No dependencies. */
export interface Bar {
  label: string;
  value: number;
  goal?: number;
  unit: string;
  /** True when smaller is better (lateness, latency, memory). */
  lowerIsBetter: boolean;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function barChart(title: string, bars: Bar[]): string {
  const width = 900;
  const rowH = 34;
  const left = 330;
  const plotW = width - left - 120;
  const height = 60 + bars.length * rowH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`,
  ];
  bars.forEach((b, i) => {
    const y = 44 + i * rowH;
    const scale = Math.max(b.value, b.goal ?? 0) * 1.1 || 1;
    const w = Number.isFinite(b.value) ? (b.value / scale) * plotW : 0;
    const ok = b.goal === undefined || (b.lowerIsBetter ? b.value <= b.goal : b.value >= b.goal);
    parts.push(`<text x="12" y="${y + 17}">${esc(b.label)}</text>`);
    parts.push(`<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="18" fill="${ok ? '#3a8d4f' : '#c0392b'}"/>`);
    parts.push(`<text x="${left + w + 6}" y="${y + 17}">${Number.isFinite(b.value) ? b.value.toFixed(b.value < 10 ? 2 : 0) : '—'} ${esc(b.unit)}</text>`);
    if (b.goal !== undefined) {
      const gx = left + (b.goal / scale) * plotW;
      parts.push(`<line x1="${gx.toFixed(1)}" x2="${gx.toFixed(1)}" y1="${y}" y2="${y + 26}" stroke="black" stroke-dasharray="3,2"/>`);
    }
  });
  parts.push(`<text x="12" y="${height - 8}" fill="#555">green: meets the goal (dashed line); red: short of it</text>`, '</svg>');
  return parts.join('\n');
}
