"""The reply to the user, written from what the turn did (its context and trace), without a model call.

A small model's final answer costs a call and can claim what did not happen; this reply says only
what the tools recorded: the tune and its files, the changes (with bars), the check's findings, the
answers, or why nothing could be made.
"""

from __future__ import annotations

from tunesmith.agent.toolkit.context import TurnContext
from tunesmith.tools.planning.intent import RequestIntent

SHOWN_FINDINGS = 5


def _files(ctx: TurnContext) -> str:
    names = []
    if ctx.renders is not None:
        names += [path.name for kind in ("wav", "svg", "midi") if (path := getattr(ctx.renders, kind, None))]
    names += [path.name for path in ctx.made_files.values()]
    return ", ".join(dict.fromkeys(names))


def _tune_line(ctx: TurnContext) -> str:
    plan = ctx.plan
    if plan is None:
        return "the tune"
    kind = f" {plan.tune_type}" if plan.tune_type else ""
    title = f"'{plan.title}', " if plan.title and plan.title != "Untitled" else ""
    article = "an" if plan.key[0] in "AEF" else "a"  # said as letters: "an F major", "a D minor"
    return (f"{title}{article} {plan.key} {plan.mode}{kind} in {plan.meter} at {plan.tempo_bpm} BPM, "
            f"{plan.bars} bars, for {plan.instrument}")


def reply_from_facts(ctx: TurnContext, intent: RequestIntent, failure: str | None) -> str:
    """Two or three sentences on what the turn did for `intent`, or one saying why it could not."""
    if failure:
        return failure[0].upper() + failure[1:].rstrip(".") + "."
    files = _files(ctx)
    files_line = f" Files: {files}." if files else ""
    job = intent.intent
    if job == "compose":
        learned = f" It draws on {len(ctx.exemplars)} real tunes, such as '{ctx.exemplars[0].title}'." if ctx.exemplars else ""
        return f"I composed {_tune_line(ctx)}.{learned}{files_line}"
    if job in ("edit", "continue", "repair") and ctx.edits:
        return f"I changed {'your' if ctx.user_files else 'the'} tune: {'; '.join(ctx.edits)}.{files_line}"
    if job == "play":
        if ctx.checked is not None and ctx.checked.repairs:
            return (f"abc2midi could not play your tune as written, so I repaired only that: "
                    f"{'; '.join(ctx.checked.repairs)}.{files_line}")
        origin = ctx.abc_origin or "the tune"
        return f"Here it is, played as written (nothing changed): {origin}.{files_line}"
    if job == "check":
        shown = ctx.findings[:SHOWN_FINDINGS]
        more = f" (and {len(ctx.findings) - len(shown)} more in explanation.md)" if len(ctx.findings) > len(shown) else ""
        detail = f" {' | '.join(shown)}{more}." if shown else ""
        return " ".join(ctx.answers) + detail + files_line
    if job in ("analyse", "list"):
        return " ".join(ctx.answers)
    if job in ("score", "convert"):
        note = " The tune was repaired first where abc2midi could not play it." if ctx.checked and ctx.checked.repairs else ""
        return f"{' '.join(ctx.answers) or 'Done.'}{note}{files_line}"
    return f"Done.{files_line}"
