// The score engraved by abcjs, with a cursor that follows the notes while tune.wav plays.
// abcjs's TimingCallbacks gives each note's time; the audio element's clock moves the cursor, so
// pausing, seeking and buffering keep score and sound together (abcjs's own synth would need a
// SoundFont from the internet; the rendered WAV is the tune's real sound, offline).

function lastEventAt(events, milliseconds) {
  let low = 0, high = events.length - 1, found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (events[middle].milliseconds <= milliseconds) { found = middle; low = middle + 1; } else high = middle - 1;
  }
  return found;
}

export function renderScore(target, abc, audio) {
  if (!window.ABCJS) {
    target.textContent = "The score viewer did not load; the files below still hold the score.";
    return null;
  }
  const [tune] = window.ABCJS.renderAbc(target, abc, { responsive: "resize", add_classes: true });
  if (!tune || !audio) return tune || null;
  const timing = new window.ABCJS.TimingCallbacks(tune, {});
  const events = (timing.noteTimings || []).filter((event) => event.type === "event");
  const score = target.querySelector("svg");
  if (!score || events.length === 0) return tune;
  const cursor = document.createElementNS("http://www.w3.org/2000/svg", "line");
  cursor.setAttribute("class", "abcjs-cursor");
  score.append(cursor);
  let lit = [], frame = null, shown = -1;

  function show(index) {
    if (index === shown) return;
    shown = index;
    for (const element of lit) element.classList.remove("playing");
    lit = [];
    if (index < 0) { cursor.setAttribute("visibility", "hidden"); return; }
    const event = events[index];
    for (const group of event.elements || []) for (const element of group) { element.classList.add("playing"); lit.push(element); }
    cursor.setAttribute("visibility", "visible");
    cursor.setAttribute("x1", event.left - 3); cursor.setAttribute("x2", event.left - 3);
    cursor.setAttribute("y1", event.top); cursor.setAttribute("y2", event.top + event.height);
    keepInView(lit[0]);
  }
  // A long score scrolls inside its box: bring the playing line into view when it leaves it.
  function keepInView(note) {
    if (!note) return;
    const box = target.getBoundingClientRect(), place = note.getBoundingClientRect();
    if (place.top < box.top || place.bottom > box.bottom) target.scrollTop += place.top - box.top - 40;
  }
  const follow = () => { show(lastEventAt(events, audio.currentTime * 1000)); frame = requestAnimationFrame(follow); };
  const stop = () => { if (frame !== null) cancelAnimationFrame(frame); frame = null; };
  audio.addEventListener("play", () => { stop(); follow(); });
  audio.addEventListener("pause", stop);
  audio.addEventListener("ended", () => { stop(); show(-1); });
  audio.addEventListener("seeked", () => show(lastEventAt(events, audio.currentTime * 1000)));
  target.dataset.notes = String(events.length);
  return tune;
}
