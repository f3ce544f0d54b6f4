// One turn's tune as the page shows it: the summary, the score (engraved when it is on or near the screen),
// the player, the downloads, the pictures that drove it and the explanation.

import { criticChart, measureBars, paletteStrip } from "./charts.js";
import { element } from "./dom.js";
import { renderScore } from "./score.js";

const DOWNLOADS = [["abc", "ABC"], ["midi", "MIDI"], ["wav", "WAV"], ["svg", "SVG score"], ["musicxml", "MusicXML"]];
const engraveLater = new WeakMap(); // tune card → function that engraves its score
// Turns loaded with a session are engraved as they come near the screen, so a long session opens at once.
const nearScreen = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    nearScreen.unobserve(entry.target);
    engrave(entry.target);
  }
}, { rootMargin: "600px" });

function summaryLine(summary) {
  const line = element("p", "summary");
  if (!summary) return line;
  const parts = [`${summary.key} ${summary.mode}`, summary.meter, `${summary.bars} bars`];
  const tempo = element("span", "tempo", summary.tempo_bpm ? `${summary.tempo_bpm} BPM` : "tempo not marked");
  if (summary.tempo_bpm) tempo.dataset.tempo = String(summary.tempo_bpm);
  line.append(`${parts[0]} · ${parts[1]} · `, tempo, ` · ${parts[2]}`);
  return line;
}

function downloads(view) {
  const row = element("p", "downloads");
  row.append("Download: ");
  for (const [kind, label] of DOWNLOADS) {
    const url = view.files[kind] ? `${view.files[kind]}?download=1` : kind === "musicxml" ? view.musicxml_on_demand : null;
    if (!url) continue;
    const link = element("a", `download-${kind}`, label);
    link.href = url;
    link.setAttribute("download", "");
    row.append(link, " ");
  }
  return row;
}

function pictures(view) {
  const column = element("aside", "pictures");
  if (view.image) {
    const figure = element("figure", "input-image");
    if (view.image.url) {
      const picture = element("img");
      picture.src = view.image.url;
      picture.alt = "The picture you gave";
      figure.append(picture);
    }
    figure.append(paletteStrip(view.image.palette), element("figcaption", "muted",
      view.image.caption && !view.image.caption.startsWith("none") ? `“${view.image.caption}”` : view.image.colours));
    column.append(element("h4", null, "What the picture gave the music"), figure, measureBars(view.image.measures));
  }
  if (view.audio_evidence) column.append(element("h4", null, "What the clip gave the music"), element("p", null, view.audio_evidence));
  if (view.critic_rounds.length) column.append(element("h4", null, "Critic score by round"), criticChart(view.critic_rounds));
  if (view.exemplars.length) {
    const list = element("ul", "exemplars");
    for (const tune of view.exemplars) {
      const item = element("li");
      item.append(element("strong", null, tune.title), element("span", "muted", ` (${tune.source}) — ${tune.why_matched}`));
      list.append(item);
    }
    column.append(element("h4", null, "Tunes it learned from"), list);
  }
  return column;
}

export function tuneCard(view) {
  const card = element("article", "tune");
  if (!view || !view.files.abc) {
    if (view) card.append(element("p", "muted", "This turn made no tune."));
    return card;
  }
  card.append(element("h3", null, view.summary ? view.summary.title : "Your tune"), summaryLine(view.summary));
  const grid = element("div", "tune-grid");
  const main = element("div", "tune-main");
  const score = element("div", "score");
  const audio = view.files.wav ? element("audio", "tune-audio") : null;
  main.append(score);
  if (audio) {
    audio.controls = true;
    audio.preload = "metadata";
    audio.addEventListener("loadedmetadata", () => performance.mark("tune-playable"), { once: true }); // for benchmarks
    audio.src = view.files.wav;
    main.append(audio);
  }
  for (const [index, url] of view.musicgen.entries()) {
    const generated = element("audio", "musicgen-audio");
    generated.controls = true;
    generated.preload = "metadata";
    generated.src = url;
    main.append(element("p", "muted", `MusicGen audio ${index + 1}`), generated);
  }
  main.append(downloads(view));
  grid.append(main, pictures(view));
  card.append(grid);
  if (view.explanation_html) {
    const text = element("details", "explanation");
    text.open = true;
    text.append(element("summary", null, "Why it sounds like this"));
    const body = element("div", "markdown");
    body.innerHTML = view.explanation_html; // Markdown rendered by the server with raw HTML escaped
    text.append(body);
    card.append(text);
  }
  engraveLater.set(card, () => renderScore(score, view.abc, audio));
  return card;
}

// Engrave a card's score once it is in the page (abcjs measures the width it has).
function engrave(card) {
  const draw = engraveLater.get(card);
  engraveLater.delete(card);
  if (draw) draw();
}

// A tune made just now is engraved at once (after the player starts fetching it, in the next task);
// tunes loaded with a session are engraved when they come near the screen.
export function engraveWhenShown(card, now) {
  if (now) setTimeout(() => engrave(card), 0);
  else nearScreen.observe(card);
}
