// Talking to the server: JSON calls, the form that sends a request, and each turn's event stream.
// Every call that changes something carries X-Tunesmith: 1, which pages on other sites cannot add.

const CHANGE = { "X-Tunesmith": "1" };
const FINISHED = new Set(["done", "failed", "cancelled"]);

function sentenceFor(status) {
  if (status === 413) return "The upload is larger than the server accepts.";
  if (status === 0 || status >= 502) return "The Tunesmith server cannot be reached; is `tunesmith serve` still running?";
  return `The server answered ${status}.`;
}

async function answer(response) {
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (!response.ok) throw new Error((body && body.error) || sentenceFor(response.status));
  return body;
}

async function call(url, options) {
  let response;
  try { response = await fetch(url, options); } catch { throw new Error(sentenceFor(0)); }
  return answer(response);
}

export const getJSON = (url) => call(url);
export const postJSON = (url, body = {}) =>
  call(url, { method: "POST", headers: { ...CHANGE, "Content-Type": "application/json" }, body: JSON.stringify(body) });
export const postForm = (url, form) => call(url, { method: "POST", headers: CHANGE, body: form });

// Follow a turn's events until it ends; onEvent gets each job summary, or {state: "lost"} if the stream breaks.
export function follow(jobId, onEvent) {
  const source = new EventSource(`/api/jobs/${encodeURIComponent(jobId)}/events`);
  source.onmessage = (message) => {
    const job = JSON.parse(message.data);
    if (FINISHED.has(job.state)) source.close();
    onEvent(job);
  };
  source.onerror = () => { source.close(); onEvent({ id: jobId, state: "lost" }); };
  return source;
}

export const isFinished = (state) => FINISHED.has(state);
