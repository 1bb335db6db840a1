import { formatInteger } from './format';

export interface ChartBar {
  readonly label: string;
  readonly value: number;
  /** Baseline bars are drawn grey, beside the configuration they measure against. */
  readonly baseline: boolean;
  /** Printed after the value, e.g. the ratio to the baseline. */
  readonly note: string;
  /** Which configuration colour an engine bar takes. */
  readonly colourIndex: number;
}

export interface ChartGroup {
  readonly title: string;
  readonly bars: readonly ChartBar[];
}

export interface ChartPanel {
  readonly title: string;
  readonly unit: string;
  readonly groups: readonly ChartGroup[];
}

const LABEL_X = 24;
const LABEL_INDENT = 14;
const BAR_WIDTH = 520;
/**
 * Room for text by its length, with no font metrics at hand: wide enough for Helvetica or Arial at 12px
 * (labels) and 11px (values), whose average character is narrower.
 */
const LABEL_CHARACTER_WIDTH = 7;
const VALUE_CHARACTER_WIDTH = 6.5;
const GAP = 10;
const BAR_HEIGHT = 16;
const ROW = 22;
const CONFIGURATION_COLOURS = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1'];
const BASELINE_COLOUR = '#a0aec0';

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const shortNumber = (value: number): string => {
  if (value >= 1e9) return `${value / 1e9}G`;
  if (value >= 1e6) return `${value / 1e6}M`;
  if (value >= 1e3) return `${value / 1e3}k`;
  return String(value);
};

const valueText = (bar: ChartBar): string => `${formatInteger(bar.value)}${bar.note === '' ? '' : ` · ${bar.note}`}`;

/**
 * Horizontal bars on a logarithmic axis (the plain baseline and the engine are orders of magnitude apart,
 * which a linear axis would flatten), one panel per unit, every bar labelled with its value.
 */
export const renderSvgChart = (title: string, subtitle: string, panels: readonly ChartPanel[]): string => {
  const bars = panels.flatMap((panel) => panel.groups.flatMap((group) => group.bars));
  const longest = (texts: readonly string[]): number => texts.reduce((most, text) => Math.max(most, text.length), 0);
  // Bars start after the longest label, so no label runs into its bar.
  const barX = LABEL_X + LABEL_INDENT + Math.ceil(longest(bars.map((bar) => bar.label)) * LABEL_CHARACTER_WIDTH) + GAP;
  const width = barX + BAR_WIDTH + GAP + Math.ceil(longest(bars.map(valueText)) * VALUE_CHARACTER_WIDTH) + LABEL_X;
  const parts: string[] = [];
  let y = 58;
  for (const panel of panels) {
    const values = panel.groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v > 0);
    if (values.length === 0) continue;
    const low = 10 ** Math.floor(Math.log10(Math.min(...values)));
    const high = Math.max(low * 10, 10 ** Math.ceil(Math.log10(Math.max(...values))));
    const span = Math.log10(high) - Math.log10(low);
    const xOf = (value: number): number => barX + ((Math.log10(Math.max(value, low)) - Math.log10(low)) / span) * BAR_WIDTH;
    const rows = panel.groups.reduce((sum, g) => sum + 1 + g.bars.length, 0);
    const panelHeight = 34 + rows * ROW + panel.groups.length * 6;
    parts.push(`<text x="${LABEL_X}" y="${y}" class="panel">${escapeXml(panel.title)} (${escapeXml(panel.unit)}, log scale)</text>`);
    for (let tick = low; tick <= high; tick *= 10) {
      const x = xOf(tick).toFixed(1);
      parts.push(`<line x1="${x}" y1="${y + 8}" x2="${x}" y2="${y + panelHeight - 10}" class="grid"/>`);
      parts.push(`<text x="${x}" y="${y + 20}" class="tick">${shortNumber(tick)}</text>`);
    }
    let rowY = y + 34;
    for (const group of panel.groups) {
      parts.push(`<text x="${LABEL_X}" y="${rowY + 12}" class="group">${escapeXml(group.title)}</text>`);
      rowY += ROW;
      for (const bar of group.bars) {
        const end = xOf(bar.value);
        const colour = bar.baseline ? BASELINE_COLOUR : (CONFIGURATION_COLOURS[bar.colourIndex % CONFIGURATION_COLOURS.length] ?? BASELINE_COLOUR);
        parts.push(`<text x="${LABEL_X + LABEL_INDENT}" y="${rowY + 12}" class="label">${escapeXml(bar.label)}</text>`);
        parts.push(`<rect x="${barX}" y="${rowY}" width="${Math.max(1, end - barX).toFixed(1)}" height="${BAR_HEIGHT}" fill="${colour}"/>`);
        parts.push(`<text x="${(end + 6).toFixed(1)}" y="${rowY + 12}" class="value">${escapeXml(valueText(bar))}</text>`);
        rowY += ROW;
      }
      rowY += 6;
    }
    y += panelHeight + 16;
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '<style>.title{font-size:18px;font-weight:bold}.subtitle{font-size:12px;fill:#4a5568}.panel{font-size:14px;font-weight:bold}' +
      '.group{font-size:12px;font-weight:bold;fill:#2d3748}.label{font-size:12px;fill:#2d3748}.value{font-size:11px;fill:#1a202c}' +
      '.tick{font-size:10px;fill:#718096;text-anchor:middle}.grid{stroke:#e2e8f0;stroke-width:1}</style>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LABEL_X}" y="26" class="title">${escapeXml(title)}</text>`,
    `<text x="${LABEL_X}" y="44" class="subtitle">${escapeXml(subtitle)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
};
