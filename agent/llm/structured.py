"""`with_structured_output` for the embedded model: a reply parsed into a pydantic model, TypedDict or JSON schema.

'json_schema' (default) hands the schema itself to the grammar, so the reply is valid JSON of that shape;
'function_calling' forces a call of a tool named after the schema; 'json_mode' admits any JSON object.
"""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Literal

from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import JsonOutputKeyToolsParser, PydanticToolsParser
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass

from tunesmith.agent.llm.tool_grammar import inline_refs

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

METHODS = ("json_schema", "function_calling", "json_mode")


def structured_output_runnable(
    model: BaseChatModel,
    schema: dict | type,
    *,
    method: Literal["function_calling", "json_mode", "json_schema"],
    include_raw: bool,
) -> Runnable:
    """The model bound so its reply is parsed into `schema`; with `include_raw`, {raw, parsed, parsing_error}."""
    if method not in METHODS:
        raise ValueError(f"method {method!r} is not valid; use one of {', '.join(METHODS)}")
    if schema is None and method != "json_mode":
        raise ValueError(f"method {method!r} needs a schema (a pydantic model, TypedDict or JSON schema)")
    is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
    trace_format = {"kwargs": {"method": method}, "schema": schema}  # LangChain converts it for the trace

    if method == "function_calling":
        tool_name = convert_to_openai_tool(schema)["function"]["name"]
        bound = model.bind_tools([schema], tool_choice=tool_name, ls_structured_output_format=trace_format)
        parser: Runnable = (
            PydanticToolsParser(tools=[schema], first_tool_only=True)
            if is_pydantic
            else JsonOutputKeyToolsParser(key_name=tool_name, first_tool_only=True)
        )
    else:
        json_schema = {"type": "object"} if method == "json_mode" else _reply_json_schema(schema)
        bound = model.bind(response_schema=json_schema, ls_structured_output_format=trace_format)
        parser = PydanticOutputParser(pydantic_object=schema) if is_pydantic else JsonOutputParser()

    if not include_raw:
        return bound | parser
    parse_or_record = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    ).with_fallbacks([RunnablePassthrough.assign(parsed=lambda _: None)], exception_key="parsing_error")
    return RunnableMap(raw=bound) | parse_or_record


def _reply_json_schema(schema: dict | type) -> dict:
    """The JSON schema the grammar enforces: every declared field required, references inlined."""
    json_schema = convert_to_json_schema(schema)
    if json_schema.get("type") == "object" and "properties" in json_schema and "required" not in json_schema:
        json_schema = {**json_schema, "required": list(json_schema["properties"])}
    return inline_refs(json_schema)
