"""ABC written by the agent's LLM, refined by the same LLM from the critic's feedback.

The LLM's tune is repaired and critiqued like any other draft; each round the model reads the
critic's feedback and rewrites the tune (prompts/revise_abc.txt), and `tools.compose.refine` keeps
the best round.
"""

from __future__ import annotations

import re

from langchain_core.language_models import BaseChatModel

from tunesmith.prompts import load_prompt
from tunesmith.tools.abc import repair_abc
from tunesmith.tools.compose import Draft, RefineOutcome, refine_drafts
from tunesmith.tools.critic import Critique
from tunesmith.tools.plan import MusicPlan


def extract_abc(text: str) -> str:
    """The ABC inside an LLM answer: the fenced block if there is one, else from the first X: or header line."""
    fenced = re.search(r"```(?:abc)?\s*\n(.*?)```", text, flags=re.DOTALL)
    if fenced:
        return fenced.group(1).strip()
    start = re.search(r"^(X:|T:|M:|K:)", text, flags=re.MULTILINE)
    return text[start.start():].strip() if start else text.strip()


def refine_written_abc(abc: str, chat_model: BaseChatModel, plan: MusicPlan | None, *, rounds: int = 3) -> RefineOutcome:
    """Repair the LLM's ABC, then let the LLM revise it from the critic's feedback for up to `rounds` rounds."""
    repaired = repair_abc(abc)
    change = "first draft" + (f" (repaired: {'; '.join(repaired.changes)})" if repaired.changes else "")
    template = load_prompt("revise_abc")

    def revise(draft: Draft, critique: Critique, _attempt: int) -> Draft:
        prompt = template.format(abc=draft.abc, feedback="\n".join(f"- {f}" for f in critique.feedback))
        answer = chat_model.invoke(prompt)
        revised = repair_abc(extract_abc(str(answer.content)))
        return Draft(abc=revised.abc, plan=plan, change="the LLM revised the tune from the critic's feedback")

    return refine_drafts(Draft(abc=repaired.abc, plan=plan, change=change), revise, rounds=rounds)
