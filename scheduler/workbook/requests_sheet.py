"""The Requests sheet (SPEC 7): every request of requests.csv, granted or declined, and why.
The outcomes are decided by `scheduler.granted`; this only lays them out, in the --lang language
(the checker's rule texts quoted inside a "would break a rule" reason stay as the checker wrote them)."""

from __future__ import annotations

import re

from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.workbook.cells import _header, _put, _widths
from scheduler.workbook.labels import _translate

REQUESTS = "Requests"
# `row` is the request's row in requests.csv
REQUEST_COLUMNS = ["row", "employee_id", "name", "date", "request", "shift", "priority", "reason", "granted",
                   "works", "why_declined"]
DECLINED_FILL = PatternFill("solid", fgColor="F8CBAD")
HEADERS = {"zh": dict(zip(REQUEST_COLUMNS, ["行号", "工号", "姓名", "日期", "申请", "班次", "优先级", "原因",
                                            "已满足", "实际班次", "未满足原因"]))}
WORDS = {"en": {"yes": "yes", "no": "no", "off": "off", "shift": "shift", "avoid": "avoid"},
         "zh": {"yes": "是", "no": "否", "off": "休息", "shift": "指定班次", "avoid": "避开班次"}}
# scheduler.granted's reasons, as (English pattern, Chinese format) like the Summary's notes
WHY_PATTERNS = {"zh": [
    (r"locks\.csv row (?P<row>\d+) fixes (?P<shift>\S+) for that date", "locks.csv 第 {row} 行锁定了当天的 {shift} 班"),
    (r"granting it would break a rule: (?P<rules>.+)", "满足此申请会违反规则：{rules}"),
    (r"granting it would leave (?P<parts>.+)", "满足此申请会造成人手不足：{parts}"),
    (r"granting it alone breaks no rule and leaves no slot short; the solver kept this shift to grant other "
     r"requests or within its time limit",
     "单独满足此申请不违反规则，也不造成任何时段缺人；求解器保留此班是为了满足其他申请，或受时间限制"),
    (r"shift (?P<shift>\S+) does not exist on (?P<d>\S+) in this horizon", "本排班周期内 {d} 没有 {shift} 班"),
    (r"no break pattern of (?P<shift>\S+) on (?P<d>\S+) keeps the run rules",
     "{d} 的 {shift} 班没有满足连续工作规则的休息模式"),
    (r"not analysed: (?P<n>\d+) requests were declined and the (?P<m>\d+) of highest priority are explained",
     "未分析：共有 {n} 条申请未满足，只解释优先级最高的 {m} 条"),
]}
_SHORT = re.compile(r"(?P<q>\S+) short (?P<when>.+?) \(\+(?P<s>[\d.]+) agent-hours shortage"
                    r"(?:, \+(?P<o>[\d.]+) customer-hours overflow)?\)")


def why_text(why: str, lang: str) -> str:
    """A reason of scheduler.granted in `lang`."""
    if lang != "zh" or not why:
        return why
    text = _translate(re.sub(r" and (\d+) more\b", r" 等（另有 \1 段）", why), lang, WHY_PATTERNS)
    return _SHORT.sub(lambda m: f"{m['q']} 在 {m['when']} 缺人（缺口 +{m['s']} 人·小时"
                                + (f"，溢出 +{m['o']} 客户·小时" if m["o"] else "") + "）", text)


def requests_sheet(ws: Worksheet, requests: list[dict], lang: str = "en") -> None:
    words = WORDS.get(lang, WORDS["en"])
    _header(ws, 1, [HEADERS.get(lang, {}).get(c, c) for c in REQUEST_COLUMNS])
    for r, o in enumerate(requests, start=2):
        values = [o["row"], o["employee_id"], o["name"], o["date"], words.get(o["request"], o["request"]), o["shift"],
                  o["priority"], o["reason"], words["yes"] if o["granted"] else words["no"], o["works"],
                  why_text(o["why"], lang)]
        for c, value in enumerate(values, start=1):
            _put(ws, r, c, value)
        if not o["granted"]:
            ws.cell(row=r, column=9).fill = DECLINED_FILL
    ws.freeze_panes = "A2"
    _widths(ws, {"A": 6, "B": 14, "C": 12, "D": 12, "E": 9, "F": 7, "G": 8, "H": 24, "I": 9, "J": 7, "K": 90})
