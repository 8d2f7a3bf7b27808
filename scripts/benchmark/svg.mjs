// A horizontal bar chart with whiskers, as a standalone SVG string (no dependencies, so that the
// suite runs wherever Node or Deno does, and the files render on GitHub).

const WIDTH = 760;
const LABEL = 190;     // the left column, for row labels
const NOTE = 150;      // the right column, for value notes
const ROW = 22;
const TOP = 58;
const AXIS = 30;

const COLORS = { reference: '#e8590c', peer: '#4c6ef5', second: '#a5b4fc', secondReference: '#ffa94d' };

const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The smallest of 1, 2, 5 x 10^k that cuts [0, max] into at most 6 steps; and the axis end. */
function axis(max) {
    const raw = max / 6;
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
    return { step, end: Math.ceil(max / step) * step };
}

/**
 * rows: [{label, value, lo, hi, note, highlight (the reference), second (a second series, drawn
 * lighter)}]; `lo`/`hi` may be omitted (no whisker). `axisLabel` names the unit of the axis;
 * `marker` draws a dashed vertical line at that value (e.g. 1 for ratios).
 */
export function barChart({ title, subtitle, axisLabel, rows, marker }) {
    const plot = WIDTH - LABEL - NOTE;
    const top = Math.max(...rows.map((r) => Math.max(r.value, r.hi ?? 0)), marker ?? 0);
    const { step, end } = axis(top > 0 ? top : 1);
    const x = (v) => LABEL + (v / end) * plot;
    const height = TOP + rows.length * ROW + AXIS + 8;
    const out = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" `
            + 'font-family="Helvetica, Arial, sans-serif" font-size="12">',
        `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
        `<text x="10" y="20" font-size="15" font-weight="bold">${escape(title)}</text>`,
        `<text x="10" y="40" fill="#555555">${escape(subtitle)}</text>`,
    ];
    const bottom = TOP + rows.length * ROW;
    for (let v = 0; v <= end + step / 2; v += step) {
        const tx = x(v).toFixed(1);
        out.push(`<line x1="${tx}" y1="${TOP - 4}" x2="${tx}" y2="${bottom}" stroke="#e9ecef"/>`);
        out.push(`<text x="${tx}" y="${bottom + 14}" text-anchor="middle" fill="#555555">${escape(+v.toPrecision(6))}</text>`);
    }
    out.push(`<text x="${LABEL + plot / 2}" y="${bottom + 28}" text-anchor="middle" fill="#555555">${escape(axisLabel)}</text>`);
    rows.forEach((r, i) => {
        const y = TOP + i * ROW;
        const mid = y + ROW / 2;
        const color = r.second ? (r.highlight ? COLORS.secondReference : COLORS.second)
            : (r.highlight ? COLORS.reference : COLORS.peer);
        out.push(`<text x="${LABEL - 8}" y="${mid + 4}" text-anchor="end"${r.highlight ? ' font-weight="bold"' : ''}>${escape(r.label)}</text>`);
        out.push(`<rect x="${LABEL}" y="${y + 4}" width="${Math.max(0, x(r.value) - LABEL).toFixed(1)}" height="${ROW - 8}" fill="${color}"/>`);
        if (r.lo !== undefined && r.hi !== undefined) {
            const [lo, hi] = [x(r.lo).toFixed(1), x(r.hi).toFixed(1)];
            out.push(`<path d="M${lo} ${mid}H${hi}M${lo} ${y + 7}V${y + ROW - 7}M${hi} ${y + 7}V${y + ROW - 7}" stroke="#212529" fill="none"/>`);
        }
        out.push(`<text x="${WIDTH - NOTE + 8}" y="${mid + 4}" fill="#212529">${escape(r.note)}</text>`);
    });
    if (marker !== undefined) {
        const mx = x(marker).toFixed(1);
        out.push(`<line x1="${mx}" y1="${TOP - 4}" x2="${mx}" y2="${bottom}" stroke="#212529" stroke-dasharray="4 3"/>`);
    }
    out.push('</svg>');
    return out.join('\n') + '\n';
}
