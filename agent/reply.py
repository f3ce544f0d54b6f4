"""The answer to a turn, built from its trace and the conversation state: what changed, what did not, and why.

Nothing here comes from the chat model's free text, so a reply can never describe an earlier turn:
the facts of the tune come from the trace's `tune_facts` (measured from the turn's ABC), the
changes from comparing them with the version the turn started from (the state's `base`), and
what was not done from the edit report (`evidence["edit"]`) and failed tool calls. It reads only
the TurnTrace and the state, whatever loop ran the turn.

Shape of a reply (the last sentence is the one `agent.eval.conversation` checks against the files):

    Changed the tempo (220 → 176 BPM) and the mode (G major → G minor). Not done: ... .
    Now: G minor, 4/4, 176 BPM, fiddle, 32 bars, form AABB (version 2).
"""

from __future__ import annotations

from typing import Any

from tunesmith.agent.state import FACT_FIELDS, FACT_NAMES, ConversationState, TuneFacts
from tunesmith.agent.trace import TurnTrace

FIELD_NAMES = FACT_NAMES
NEW_TUNE_TOOLS = ("compose_abc", "write_abc", "recall_tune")
HINT = "say what to change, e.g. “slower”, “in minor”, “up to A”, “in 6/8”, “for flute” or “twice as long”"


def _value(field: str, value: Any) -> str:
    if value is None or value == "":
        return "none"
    return f"{value} BPM" if field == "tempo_bpm" else f"{value} bars" if field == "bars" else str(value)


def _change_phrase(field: str, old: Any, new: Any, before: TuneFacts, after: TuneFacts) -> str:
    if field == "key":
        return f"the key ({before.key} {before.mode} → {after.key} {after.mode})"
    if field == "mode":
        return f"the mode ({after.key} {before.mode} → {after.key} {after.mode})"
    return f"the {FIELD_NAMES[field]} ({_value(field, old)} → {_value(field, new)})"


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def now_line(facts: TuneFacts, version: int | None) -> str:
    """The closing sentence: the tune as it is now."""
    return f"Now: {facts.line()}" + (f" (version {version})." if version else ".")


def _made_new(trace: TurnTrace, edit: dict[str, Any]) -> bool:
    return bool(edit.get("new_tune")) or any(
        call.name in NEW_TUNE_TOOLS and not call.error for call in trace.tool_calls)


def _not_done(trace: TurnTrace, edit: dict[str, Any]) -> list[str]:
    """Sentences for asked changes that were not made: refused values, skipped edits, unfilled open asks."""
    sentences = [_sentence(s) for s in edit.get("refused", []) + edit.get("skipped", [])]
    sentences += [_sentence("Already as asked: " + s) for s in edit.get("already", [])]
    for kind in edit.get("open", []):
        sentences.append(f"You asked to change the {FIELD_NAMES.get(kind, kind)} without saying to what; {HINT}.")
    return sentences


def _tool_errors(trace: TurnTrace) -> list[str]:
    return [f"{call.name} failed: {call.error.removeprefix('Error from ' + call.name + ': ')}"
            for call in trace.tool_calls if call.error]


def reply_for_turn(trace: TurnTrace, state: ConversationState | None) -> str:
    """The reply to one turn, from its trace and the conversation state before it (None: no conversation)."""
    evidence = trace.evidence
    edit: dict[str, Any] = evidence.get("edit") or {}
    after = TuneFacts.model_validate(evidence["tune_facts"]) if evidence.get("tune_facts") else None
    base = state.base_version if state is not None else None
    version = (len(state.versions) + 1) if state is not None else None
    sentences: list[str] = []
    if state is not None and state.reference_problem:
        sentences.append(_sentence(f"I could not go back as asked ({state.reference}): {state.reference_problem}"))
    if after is None:
        return " ".join(sentences + _no_tune(trace, edit, state))
    if base is None or _made_new(trace, edit):
        title = f"“{after.title}”" if after.title else "a new tune"
        made = f"Made {title}" if base is None else f"Made a new tune, {title}, as your words asked for one"
        sentences.append(f"{made}.")
        sentences += _not_done(trace, edit)
        sentences.append(now_line(after, version))
        return " ".join(sentences)
    if state.reference and not state.reference_problem:
        sentences.append(f"Started from version {base.number} (“{base.request}”), as you asked ({state.reference}).")
    changes = [_change_phrase(f, old, new, base.facts, after) for f, old, new in after.changes_from(base.facts)
               if not (f == "mode" and any(g == "key" for g, _, _ in after.changes_from(base.facts)))]
    extra = [sentence for sentence in edit.get("unmeasured", [])]
    if changes:
        sentences.append(f"Changed {_list(changes)}.")
    sentences += [_sentence(s[:1].upper() + s[1:]) for s in extra]
    if not changes and not extra:
        sentences.append("Nothing changed in the tune." if not state.reference else "This is that version again.")
    sentences += _not_done(trace, edit)
    kept = [FIELD_NAMES[f] for f in FACT_FIELDS if f in ("key", "meter", "tempo_bpm", "instrument", "bars")
            and getattr(base.facts, f) == getattr(after, f) and changes]
    if kept:
        sentences.append(f"Kept the {_list(kept)}.")
    sentences.append(now_line(after, version))
    return " ".join(sentences)


def _no_tune(trace: TurnTrace, edit: dict[str, Any], state: ConversationState | None) -> list[str]:
    """The reply when the turn wrote no tune: nothing was asked, nothing could be done, or something failed."""
    current = state.base_version if state is not None else None
    problems = _not_done(trace, edit)
    if edit.get("no_tune") or (not edit and current is None and not _tool_errors(trace)):
        sentences = ["There is no tune yet, and your words do not ask for one; ask for music, e.g. “a jig in D for fiddle”."]
    elif problems:
        sentences = ["Nothing changed.", *problems]
    elif edit and state is not None and state.reference_problem:
        sentences = ["Nothing changed."]
    elif edit:
        sentences = [f"Nothing changed: I found no change to make in “{trace.request.strip()}”; {HINT}."]
    else:
        errors = _tool_errors(trace)
        sentences = ["No tune was made this time" + (f": {errors[-1]}" if errors else ".")]
        sentences[0] = _sentence(sentences[0])
    if current is not None:
        sentences.append(f"The tune is still version {current.number}: {current.facts.line()}.")
    return sentences
