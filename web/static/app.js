// The conversation page: send requests (with a file), follow queued turns live, show each tune with its
// score, player, downloads and explanation; list saved sessions; show what `tunesmith doctor` shows.

import { follow, getJSON, isFinished, postForm, postJSON } from "./api.js";
import { element } from "./dom.js";
import { engraveWhenShown, tuneCard } from "./tune.js";

const $ = (id) => document.getElementById(id);
const state = { session: null, config: null, turns: new Map(), jobs: new Map(), streams: new Map() };
const KIND_BY_SUFFIX = {
  png: "image", jpg: "image", jpeg: "image", gif: "image", bmp: "image", tif: "image", tiff: "image", webp: "image",
  wav: "audio", flac: "audio", ogg: "audio", mp3: "audio", abc: "abc", txt: "abc", mid: "midi", midi: "midi",
};

function notice(text, kind = "info") {
  const box = $("notice");
  box.textContent = text;
  box.className = `notice ${kind}`;
  box.hidden = !text;
}

// --- tabs -------------------------------------------------------------------------------------------
function showTab(name) {
  for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.tab === name);
  for (const panel of document.querySelectorAll(".panel")) panel.hidden = panel.id !== name;
  if (name === "sessions") loadSessions();
  if (name === "status") loadStatus();
}

async function loadSessions() {
  const list = $("session-list");
  list.replaceChildren(element("li", "muted", "Loading…"));
  try {
    const sessions = await getJSON("/api/sessions");
    list.replaceChildren(...sessions.map((s) => {
      const item = element("li", "session-item");
      if (s.problem) { item.append(element("span", "error", `${s.id}: ${s.problem}`)); return item; }
      const open = element("button", "link", s.title);
      open.type = "button";
      open.addEventListener("click", () => { showTab("conversation"); openSession(s.id); });
      item.append(open, element("span", "muted", ` ${s.turns} turn${s.turns === 1 ? "" : "s"} · ${s.updated.replace("T", " ").slice(0, 16)}`));
      return item;
    }));
    if (sessions.length === 0) list.replaceChildren(element("li", "muted", "No sessions yet."));
  } catch (error) { list.replaceChildren(element("li", "error", error.message)); }
}

function tableNote(body, className, text) {
  const row = element("tr");
  const cell = element("td", className, text);
  cell.colSpan = 4;
  row.append(cell);
  body.replaceChildren(row);
}

async function loadStatus() {
  const body = $("status-table").querySelector("tbody");
  tableNote(body, "muted", "Checking… (the first time can take a minute: it loads what it checks)");
  try {
    const rows = await getJSON("/api/status");
    body.replaceChildren(...rows.map((row) => {
      const line = element("tr", row.available ? "ready" : row.required ? "missing" : "optional");
      line.append(element("td", "mark", row.available ? "✓" : row.required ? "✗" : "–"),
        element("td", null, row.name + (row.required ? " (required)" : "")), element("td", null, row.detail),
        element("td", "fix", row.fix || ""));
      return line;
    }));
  } catch (error) { tableNote(body, "error", error.message); }
}

function turnItem(turn) {
  const item = element("li", "turn");
  item.append(element("div", "you", turn.request));
  const reply = element("div", "reply");
  reply.append(element("p", "reply-text", turn.reply));
  if (turn.status !== "done") reply.append(element("p", "muted", `This turn was ${turn.status}.`));
  reply.append(tuneCard(turn.view));
  item.append(reply);
  return item;
}

// Show a turn once; `live` turns (just finished here) are engraved at once and scrolled to.
function placeTurn(key, turn, live) {
  let item = state.turns.get(key);
  if (!item) {
    item = turnItem(turn);
    state.turns.set(key, item);
    $("turns").insertBefore(item, $("turns").querySelector("li.job"));
    engraveWhenShown(item.querySelector(".tune"), live);
    if (live) item.scrollIntoView({ block: "start" });
  }
  item.classList.toggle("undone", turn.undone);
}

// --- queued and running turns -----------------------------------------------------------------------
function describeJob(job) {
  if (job.state === "waiting") return job.ahead ? `Waiting: ${job.ahead} turn${job.ahead === 1 ? "" : "s"} ahead in the queue` : "Starting…";
  if (job.state === "running") return job.step ? `${job.step[0].toUpperCase()}${job.step.slice(1)}…` : "Working…";
  if (job.state === "cancelled") return job.error || "Cancelled.";
  if (job.state === "lost") return "Lost touch with the server.";
  return "";
}

function showJob(job) {
  let item = state.jobs.get(job.id);
  if (!item) {
    item = element("li", "job");
    const you = element("div", "you", job.request);
    if (job.attachment) you.append(element("span", "attachment-name", ` 📎 ${job.attachment}`));
    const steps = element("ol", "steps");
    const cancel = element("button", "cancel", "Cancel");
    cancel.type = "button";
    cancel.addEventListener("click", () => postJSON(`/api/jobs/${job.id}/cancel`).catch((error) => notice(error.message, "error")));
    item.append(you, element("p", "job-state"), steps, element("p", "error"), cancel);
    state.jobs.set(job.id, item);
    $("turns").append(item);
  }
  item.dataset.state = job.state;
  item.querySelector(".job-state").textContent = describeJob(job);
  item.querySelector(".error").textContent = job.state === "failed" ? job.error : "";
  item.querySelector(".cancel").hidden = isFinished(job.state) || job.state === "lost";
  const steps = item.querySelector(".steps");
  if (job.state === "running" && job.step && steps.lastChild?.textContent !== job.step) steps.append(element("li", null, job.step));
}

function track(job) {
  showJob(job);
  if (isFinished(job.state) || state.streams.has(job.id)) return;
  state.streams.set(job.id, follow(job.id, async (event) => {
    showJob({ ...job, ...event, request: job.request, attachment: job.attachment });
    if (!isFinished(event.state) && event.state !== "lost") return;
    state.streams.delete(job.id);
    if (event.state === "done") {
      await refresh(true);
      state.jobs.get(job.id)?.remove();
      state.jobs.delete(job.id);
    }
  }));
}

// --- sessions ---------------------------------------------------------------------------------------
function setSession(id) {
  state.session = id;
  const url = id ? `/?session=${encodeURIComponent(id)}` : "/";
  if (location.pathname + location.search !== url) history.replaceState(null, "", url);
}

async function refresh(live = false) {
  if (!state.session) return;
  const view = await getJSON(`/api/sessions/${encodeURIComponent(state.session)}`);
  if (view.id !== state.session) return; // another session was opened meanwhile
  $("session-title").textContent = view.title;
  for (const turn of view.turns) placeTurn(turn.view ? turn.view.turn : `number-${turn.number}`, turn, live);
  for (const job of view.jobs) if (!state.jobs.has(job.id) && job.state !== "done") track(job);
  $("undo").disabled = !view.turns.some((turn) => turn.status === "done" && !turn.undone);
}

function clearConversation() {
  for (const stream of state.streams.values()) stream.close();
  state.streams.clear();
  state.turns.clear();
  state.jobs.clear();
  $("turns").replaceChildren();
  $("undo").disabled = true;
  notice("");
}

async function openSession(id) {
  clearConversation();
  setSession(id);
  $("session-title").textContent = "Loading…";
  try {
    await refresh();
    $("turns").lastElementChild?.scrollIntoView({ block: "start" }); // the latest tune, as in any chat
  } catch (error) {
    notice(error.message, "error");
    setSession(null);
    $("session-title").textContent = "New session";
  }
}

function newSession() {
  clearConversation();
  setSession(null);
  $("session-title").textContent = "New session";
  $("request").focus();
}

// --- the composer -----------------------------------------------------------------------------------
function kindOf(name) {
  return KIND_BY_SUFFIX[(name.split(".").pop() || "").toLowerCase()] || null;
}

async function send(event) {
  event.preventDefault();
  const words = $("request").value.trim();
  const file = $("file").files[0];
  if (!words) { notice("Say what music you want, e.g. “a cheerful jig in D major”.", "error"); return; }
  const kind = file ? kindOf(file.name) : null;
  if (file && kind && file.size > state.config.max_bytes[kind]) {
    notice(`${file.name} is ${(file.size / 1048576).toFixed(1)} MiB; ${kind} files up to ${state.config.max_bytes[kind] / 1048576} MiB are accepted.`, "error");
    return;
  }
  $("send").disabled = true;
  try {
    if (!state.session) setSession((await postJSON("/api/sessions")).id);
    const form = new FormData();
    form.append("request", words);
    if (file) form.append("file", file);
    const job = await postForm(`/api/sessions/${encodeURIComponent(state.session)}/turns`, form);
    notice("");
    $("request").value = "";
    $("file").value = "";
    $("attachment").textContent = "";
    track(job);
  } catch (error) {
    notice(error.message, "error");
  } finally {
    $("send").disabled = false;
  }
}

async function undo() {
  try {
    const answer = await postJSON(`/api/sessions/${encodeURIComponent(state.session)}/undo`);
    notice(answer.message);
    await refresh();
  } catch (error) { notice(error.message, "error"); }
}

async function start() {
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showTab(tab.dataset.tab));
  $("composer").addEventListener("submit", send);
  $("request").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("composer").requestSubmit(); }
  });
  $("file").addEventListener("change", () => { $("attachment").textContent = $("file").files[0]?.name || ""; });
  $("undo").addEventListener("click", undo);
  $("new-session").addEventListener("click", newSession);
  state.config = await getJSON("/api/config");
  $("model").textContent = `${state.config.backend} · ${state.config.model}`;
  document.body.dataset.ready = "true";
  performance.mark("interactive"); // for benchmarks: milliseconds since navigation
  const id = new URLSearchParams(location.search).get("session");
  if (id) await openSession(id);
}

start().catch((error) => notice(error.message, "error"));
