"""Find exemplar tunes for a request: filters read as musical facts, the words read by the one reader.

The library itself (`memory.exemplars`) only stores and queries; this module turns a key filter such as
"F# minor" into the library's fields (key F#, mode minor), a tune-type word into the library's label
("slow air" -> air), and reads what the query's words name (type, key, mode, meter) with
`tools.planning.request` so that tunes having them rank higher.
"""

from __future__ import annotations

import re

from tunesmith.errors import InputError
from tunesmith.memory.exemplars import Exemplar, query_library
from tunesmith.tools.planning import RequestError, parse_request
from tunesmith.tools.theory import MODES, TONICS, mode_from_word, normalise_tonic
from tunesmith.tools.theory.meter import COMMON_METERS, MeterError, normalise_meter
from tunesmith.tools.theory.tune_types import METER_DEFINED_TYPES, TUNE_TYPES, library_label, tune_type_in

__all__ = ["FilterError", "library_filters", "query_hints", "search_exemplars"]

_KEY_FILTER = re.compile(r"\s*([a-gA-G]\s?(?:#|♯|♭|b|-?sharp|-?flat)?)\s*([A-Za-z]*)\s*")


class FilterError(InputError):
    """A search filter that names no key, mode, meter or tune type; the message lists valid values."""


def _key_filter(value: str) -> tuple[str, str | None]:
    match = _KEY_FILTER.fullmatch(value)
    mode = mode_from_word(match.group(2)) if match and match.group(2) else None
    if not match or (match.group(2) and mode is None):
        raise FilterError(f"key={value!r} is not a key; use a tonic such as {', '.join(TONICS)} (optionally with a mode)")
    tonic = match.group(1).replace(" ", "").replace("-", "").replace("sharp", "#").replace("flat", "b")
    return normalise_tonic(tonic), mode


def library_filters(key: str | None = None, mode: str | None = None, meter: str | None = None,
                    tune_type: str | None = None) -> dict[str, str]:
    """The library fields that must equal the given values ('Am' -> key A, mode minor; '6/8'; 'jig')."""
    filters: dict[str, str] = {}
    if key:
        filters["key"], key_mode = _key_filter(key)
        if key_mode and not mode:
            filters["mode"] = key_mode
    if mode:
        named = mode_from_word(mode)
        if named is None:
            raise FilterError(f"mode={mode!r} is not a mode; valid modes: {', '.join(MODES)}")
        filters["mode"] = named
    if meter:
        try:
            filters["meter"] = "free" if meter.strip().lower() == "free" else normalise_meter(meter)
        except MeterError:
            raise FilterError(f"meter={meter!r} is not a meter; write it like {', '.join(COMMON_METERS[:4])} or 'free'") from None
    if tune_type:
        name = tune_type_in(tune_type)
        filters["tune_type"] = library_label(name) if name else tune_type.strip().lower()
    return filters


def query_hints(query: str) -> dict[str, str]:
    """The library fields a query's words name ("a slow air in A minor" -> tune_type air, key A, mode minor)."""
    try:
        named = parse_request(query)
    except RequestError:  # words that ask for an impossible tune still describe one to look for
        return {}
    hints = {"tune_type": library_label(named.tune_type) if named.tune_type else None, "key": named.key,
             "mode": named.mode, "meter": named.meter}
    if named.tune_type:
        if named.tune_type in METER_DEFINED_TYPES:
            hints["meter"] = hints["meter"] or TUNE_TYPES[named.tune_type].meter
    return {field: value for field, value in hints.items() if value}


def search_exemplars(query: str, *, key: str | None = None, mode: str | None = None, meter: str | None = None,
                     tune_type: str | None = None, k: int = 5) -> list[Exemplar]:
    """The k library tunes best matching `query`, restricted to the given key (tonic), mode, meter and type.

    Raises ValueError (FilterError) for a filter that is no key, mode or meter, or that the library does not
    hold (naming the values it does), and StoreError when there is no library yet.
    """
    return query_library(query, filters=library_filters(key, mode, meter, tune_type), hints=query_hints(query), k=k)
