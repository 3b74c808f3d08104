"""Error wording: pydantic's errors and cross-reference failures as a scheduler would say them,
each with what was expected, located at a TOML line where it can be.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from scheduler.errors import Problem


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.75)
    if not close:
        close = [c for c in choices if word and (word in c or c in word)][:1]
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown_queue(q: str, ids: list[str]) -> str:
    return f"unknown queue {q!r}{_did_you_mean(q, ids)}; expected one of {', '.join(ids)}"


def _submodel(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _submodel(arg)
        if found is not None:
            return found
    return None


def _field_of(model: type[BaseModel], name: str) -> tuple[str, Any] | None:
    for fname, info in model.model_fields.items():
        if name in (fname, info.alias):
            return fname, info
    return None


def _model_for(root: type[BaseModel], loc: tuple) -> tuple[type[BaseModel] | None, Any]:
    """The model holding the last key of `loc`, and that key's FieldInfo (None when unknown)."""
    model: type[BaseModel] | None = root
    info = None
    keys = [p for p in loc if isinstance(p, str)]
    for k, part in enumerate(keys):
        if model is None:
            return None, None
        found = _field_of(model, part)
        if found is None:
            return (model, None) if k == len(keys) - 1 else (None, None)
        info = found[1]
        if k < len(keys) - 1:
            model = _submodel(info.annotation)
    return model, info


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _range_text(info: Any) -> str | None:
    if info is None:
        return None
    parts = []
    for m in info.metadata:
        for attr, op in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            v = getattr(m, attr, None)
            if v is not None:
                parts.append(f"{op} {v:g}" if isinstance(v, (int, float)) else f"{op} {v}")
    if not parts:
        return None
    whole = info.annotation is int
    return f"{'a whole number' if whole else 'a number'} {' and '.join(parts)}"


def _type_text(info: Any) -> str | None:
    if info is None:
        return None
    kinds = [a for a in (info.annotation, *get_args(info.annotation)) if isinstance(a, type)]
    for kind, text in ((dt.date, "a date like 2026-11-11 (without quotes)"), (dt.time, 'a time like "08:00"'),
                       (bool, "true or false"), (int, "a whole number"), (float, "a number"),
                       (str, "a text in double quotes"), (list, "a list like [...]")):
        if kind in kinds:
            return text
    return None


def _got(err: Mapping[str, Any]) -> str:
    v = err.get("input")
    if isinstance(v, (str, int, float, bool, dt.date, dt.time)) and not isinstance(v, dict):
        return f", got {v!r}" if isinstance(v, str) else f", got {v}"
    return ""


def _friendly(err: Mapping[str, Any], info: Any) -> str:
    """One pydantic error as 'expected ...' in a scheduler's words."""
    t, msg, ctx = err["type"], err["msg"], err.get("ctx") or {}
    got = _got(err)
    if t == "missing":
        what = _range_text(info) or _type_text(info)
        return f"is required but missing; expected {what}" if what else "is required but missing"
    if t in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"expected {_range_text(info) or msg.replace('Input should be ', 'a number ')}{got}"
    if t in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number{got}"
    if t in ("float_parsing", "float_type"):
        return f"expected a number{got}"
    if t == "finite_number":
        return f"expected a finite number{got}"
    if t.startswith("bool"):
        return f"expected true or false{got}"
    if t.startswith("datetime"):
        return f"expected a date and time like 2026-11-11 09:00{got}"
    if t.startswith("date"):
        return f"expected a date like 2026-11-11 (without quotes){got}"
    if t.startswith("time"):
        return f"expected a time like \"08:00\"{got}"
    if t == "literal_error":
        return f"expected {ctx.get('expected', msg.removeprefix('Input should be '))}{got}"
    if t == "string_too_short":
        return "expected a non-empty text"
    if t == "string_too_long":
        return f"expected at most {ctx.get('max_length')} characters{got}"
    if t == "too_short":
        return f"expected at least {ctx.get('min_length')} entr{'y' if ctx.get('min_length') == 1 else 'ies'}"
    if t == "string_type":
        return f"expected a text in double quotes{got}"
    if t in ("list_type", "tuple_type", "set_type"):
        return f"expected a list like [...]{got}"
    if t in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a table{got}"
    if t == "value_error":
        msg = msg.removeprefix("Value error, ")
        return msg if "got" in msg or not got else f"{msg}{got}"
    return msg.replace("Input should be", "expected")


def _errors_to_problems(name: str, row: int, exc: ValidationError, fields: dict[str, str],
                        model: type[BaseModel] = BaseModel) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = [str(x) for x in err["loc"]]
        col = loc[0] if loc else None
        info = _model_for(model, tuple(err["loc"]))[1] if model is not BaseModel else None
        out.append(Problem(name, _friendly(err, info), row=row, column=col))
    return out


# TOML locations


def _loc_text(loc: tuple) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            if parts:
                parts[-1] += f" #{p + 1}"
            else:
                parts.append(f"#{p + 1}")
        else:
            parts.append(str(p))
    if not parts:
        return "top level"
    if len(parts) == 1:
        return parts[0]
    return f"[{'.'.join(parts[:-1])}] {parts[-1]}"


_HEADER = re.compile(r"^\s*\[")


def _toml_line(text: str, loc: tuple) -> int | None:
    """Best effort: the 1-based line of the key at `loc` (or of its table) in the TOML text."""
    lines = text.splitlines()
    pos, found, path = 0, None, []
    for k, part in enumerate(loc):
        if isinstance(part, int):
            continue
        path.append(part)
        nxt = loc[k + 1] if k + 1 < len(loc) else None
        after = loc[k + 2] if k + 2 < len(loc) else None
        dotted = re.escape(".".join(path)).replace(r"\.", r"\s*\.\s*")
        if isinstance(nxt, int) and isinstance(after, str):
            hdr = re.compile(r"^\s*\[\[\s*" + dotted + r"\s*\]\]")
            hits = [i for i in range(pos, len(lines)) if hdr.match(lines[i])]
            if len(hits) > nxt:
                pos = found = hits[nxt]
                pos += 1
                continue
        elif isinstance(nxt, str):
            hdr = re.compile(r"^\s*\[\s*" + dotted + r"\s*\]")
            hits = [i for i in range(pos, len(lines)) if hdr.match(lines[i])]
            if hits:
                pos = found = hits[0]
                pos += 1
                continue
        key = re.compile(r"^\s*[\"']?" + re.escape(str(part)) + r"[\"']?\s*[=.]")
        for i in range(pos, len(lines)):
            if _HEADER.match(lines[i]) and i > pos and not key.match(lines[i]):
                break
            if key.match(lines[i]):
                return i + 1
        return found + 1 if found is not None else None
    return found + 1 if found is not None else None


def _toml_problem(path: Path, text: str, loc: tuple, message: str) -> Problem:
    line = _toml_line(text, loc)
    at = f"line {line}: " if line else ""
    return Problem(path.name, f"{at}{_loc_text(loc)}: {message}")
