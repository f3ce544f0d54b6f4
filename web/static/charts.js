// Pictures where people would rather look than read: the critic's scores per round, the picture's
// measures as bars, its palette as swatches. Plain SVG and HTML, built from the turn's trace.

import { element } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== null) node.textContent = text;
  return node;
}

// Critic score (0..1) of each refinement round as a line; the round that was kept is filled.
export function criticChart(rounds) {
  const width = 280, height = 130, left = 30, right = 10, top = 12, bottom = 26;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "critic-chart", role: "img",
    "aria-label": `Critic score by round: ${rounds.map((r) => r.overall.toFixed(2)).join(", ")}` });
  const x = (i) => left + (rounds.length === 1 ? (width - left - right) / 2 : (i * (width - left - right)) / (rounds.length - 1));
  const y = (score) => top + (1 - score) * (height - top - bottom);
  for (const tick of [0, 0.5, 1]) {
    chart.append(svg("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick), class: "grid" }));
    chart.append(svg("text", { x: left - 4, y: y(tick) + 4, "text-anchor": "end", class: "axis" }, tick.toFixed(1)));
  }
  chart.append(svg("polyline", { points: rounds.map((r, i) => `${x(i)},${y(r.overall)}`).join(" "), class: "score-line" }));
  rounds.forEach((r, i) => {
    const dot = svg("circle", { cx: x(i), cy: y(r.overall), r: 4.5, class: r.kept ? "kept" : "round" });
    dot.append(svg("title", {}, `round ${r.round}: ${r.overall.toFixed(2)} — ${r.change}${r.kept ? " (kept)" : ""}`));
    chart.append(dot);
    chart.append(svg("text", { x: x(i), y: height - 8, "text-anchor": "middle", class: "axis" }, `round ${r.round}`));
  });
  return chart;
}

// The picture's measures (0..1) that drove the plan, as labelled bars.
export function measureBars(measures) {
  const list = element("dl", "measures");
  for (const [name, value] of Object.entries(measures)) {
    list.append(element("dt", null, name.replace("_", " ")));
    const cell = element("dd");
    const bar = element("span", "bar");
    bar.style.width = `${Math.max(0, Math.min(1, value)) * 100}%`;
    cell.append(bar, element("span", "value", value.toFixed(2)));
    list.append(cell);
  }
  return list;
}

// The picture's main colours, each as wide as its share.
export function paletteStrip(palette) {
  const strip = element("div", "palette");
  for (const colour of palette) {
    const swatch = element("span", "swatch");
    swatch.style.flexGrow = String(Math.max(colour.share, 0.04) * 100); // the shares named fill the strip
    if (colour.hex) swatch.style.background = colour.hex;
    swatch.title = `${colour.name} ${Math.round(colour.share * 100)}%`;
    swatch.append(element("span", "swatch-name", colour.name));
    strip.append(swatch);
  }
  return strip;
}
