import type { TrendPoint } from '../../services/dashboard';
import { html, type SafeHtml } from './html';

/** A bar chart as inline SVG: no script, no library, scales with the screen through its viewBox. */
export function trendChart(points: TrendPoint[]): SafeHtml {
  // Narrow on purpose: the labels keep a legible size on a phone, where the chart is drawn at about this width.
  const w = 360;
  const h = 200;
  const top = 22;
  const bottom = 26;
  const max = Math.max(1, ...points.map((p) => p.count));
  const slot = w / Math.max(1, points.length);
  const barW = Math.min(48, slot * 0.6);
  const bars = points.map((p, i) => {
    const bh = Math.round(((h - top - bottom) * p.count) / max);
    const x = Math.round(i * slot + (slot - barW) / 2);
    const y = h - bottom - bh;
    const label = i === points.length - 1 ? '现在' : p.at.slice(5);
    return html`<g><title>${p.at}: ${p.count} 项逾期</title><rect class="bar" x="${x}" y="${y}" width="${Math.round(barW)}" height="${Math.max(bh, 1)}"></rect>
<text class="v" x="${x + barW / 2}" y="${y - 5}" text-anchor="middle">${p.count}</text><text x="${x + barW / 2}" y="${h - 8}" text-anchor="middle">${label}</text></g>`;
  });
  return html`<figure class="chart" id="trend"><svg viewBox="0 0 ${w} ${h}" role="img" aria-label="近 ${points.length} 周逾期任务数趋势">${bars}</svg>
<figcaption class="muted">每周日 24 时(最后一项为此刻)仍未办结且已过截止时间的任务数。</figcaption></figure>`;
}
