"""`scheduler init DIR`: a new scenario folder to fill in (SPEC section 8).

The folder holds a commented `scenario.toml` (every key explained in Chinese and English, the
business plan commented out until the user fills it in), a `staff.xlsx` with drop-down lists
and one example row, and the optional CSV files with their headers only. The example row is
recognised by the loader, so a folder solved before it is filled in says what is missing
instead of rostering a made-up agent.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from scheduler.errors import InputError, Problem

# the template's example agent: `looks_like_the_example` finds it again in a staff list
EXAMPLE_AGENT = {"employee_id": "E001", "name": "张三（示例 example）", "home_queue": "pre_sales",
                 "skills": "pre_sales;after_sales", "kind": "regular", "efficiency": 1.0, "is_lead": "否",
                 "night_ok": "是", "max_hours_week": None}

TEMPLATE_QUEUES = ["pre_sales", "after_sales"]

STAFF_COLUMNS = [
    # column, Chinese, English, allowed values / default
    ("employee_id", "工号，唯一", "employee id, unique", "required / 必填"),
    ("name", "姓名", "display name", "required / 必填"),
    ("home_queue", "所属队列（scenario.toml 里 [[queues]] 的 id）", "home queue: an id of [[queues]]",
     "required / 必填"),
    ("skills", "会做的队列，用 ; 分隔，须包含所属队列", "queues this agent may serve, separated by ;, "
     "including the home queue", "default: home_queue"),
    ("kind", "regular 正式 / flex 机动、兼职、支援", "regular, or flex (temporary, part-time, support)",
     "default: regular"),
    ("efficiency", "效率，> 0 且 <= 2，支援人员约 0.7", "efficiency, > 0 and <= 2; support staff about 0.7",
     "default: 1.0"),
    ("is_lead", "是否组长/主管（是/否）", "team lead or supervisor (是 yes / 否 no)", "default: 否"),
    ("night_ok", "能否上夜班（是/否）", "may work night shifts (是 yes / 否 no)", "default: 是"),
    ("max_hours_week", "每 7 天最多工时，空 = 用 [rules] 的值", "worked hours per 7 days at most; empty = "
     "the [rules] value", "default: [rules] max_hours_week"),
]

REQUESTS_HEADER = ["employee_id", "date", "request", "shift", "priority", "reason"]
LOCKS_HEADER = ["employee_id", "date", "shift", "queue"]
ABSENCES_HEADER = ["employee_id", "start", "end", "reason"]


def template_start(today: dt.date | None = None) -> dt.date:
    """The Monday after `today` (default: the real today): the template's first day."""
    today = today or dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday())


def scenario_toml(start: dt.date) -> str:
    """The commented scenario.toml of a new folder; the [forecast] plan is commented out."""
    sale = start + dt.timedelta(days=2)
    return SCENARIO_TOML.format(start=start.isoformat(), sale=sale.isoformat(), move=sale.isoformat())


def looks_like_the_example(employee_id: str, name: str) -> bool:
    """True for the template's example row, left as it was written."""
    return employee_id == EXAMPLE_AGENT["employee_id"] and name == EXAMPLE_AGENT["name"]


EXAMPLE_ROW_MESSAGE = ("is the template's example row ({id} {name}), unchanged; expected your own agents: "
                       "overwrite it and add one row per agent (at least one lead, 是 in is_lead)")


def init_folder(folder: str | Path, today: dt.date | None = None) -> list[Path]:
    """Write a scenario folder to fill in at `folder` (created; an existing folder must be empty).
    Returns the files written. Raises InputError when `folder` is a file or a non-empty folder:
    nothing there is ever overwritten. The files are written into a temporary folder first, so
    a failed run leaves no half-written scenario behind."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError([Problem(str(folder), "is a file; expected a new or empty folder for the scenario")])
    if folder.is_dir() and any(folder.iterdir()):
        raise InputError([Problem(str(folder), "already exists and is not empty; expected a new or empty folder, "
                                               "so that nothing in it is overwritten")])
    parent = folder.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.", suffix=".tmp"))
    try:
        start = template_start(today)
        (tmp / "scenario.toml").write_text(scenario_toml(start), encoding="utf-8")
        write_staff_xlsx(tmp / "staff.xlsx", TEMPLATE_QUEUES)
        for name, header in (("absences.csv", ABSENCES_HEADER), ("requests.csv", REQUESTS_HEADER),
                             ("locks.csv", LOCKS_HEADER)):
            (tmp / name).write_text(",".join(header) + "\n", encoding="utf-8")
        names = sorted(p.name for p in tmp.iterdir())
        if folder.is_dir():  # an existing empty folder: keep it (its permissions, an open shell in it)
            for name in names:
                os.replace(tmp / name, folder / name)
            tmp.rmdir()
        else:
            os.chmod(tmp, 0o777 & ~_umask())
            os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [folder / n for n in names]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_staff_xlsx(path: Path, queues: list[str]) -> None:
    """staff.xlsx: the header on row 1 with a note on every column, the example row, drop-down
    lists for home_queue, skills, kind, is_lead and night_ok, and a help sheet."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "staff"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="D9E1F2")
    for c, (col, zh, en, default) in enumerate(STAFF_COLUMNS, start=1):
        cell = ws.cell(row=1, column=c, value=col)
        cell.font, cell.fill = bold, fill
        cell.comment = Comment(f"{zh}\n{en}\n{default}", "scheduler init", width=260, height=110)
        value = EXAMPLE_AGENT[col]
        if value is not None:
            ws.cell(row=2, column=c, value=value)
    for c in (1, 2):  # ids like 0012 stay text
        for r in range(2, 1001):
            ws.cell(row=r, column=c).number_format = "@"
    for letter, width in zip("ABCDEFGHI", (12, 22, 14, 24, 10, 11, 9, 10, 16)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"

    lists = wb.create_sheet("lists")
    values = {"A": ["queue", *queues], "B": ["skills", *queues, ";".join(queues)],
              "C": ["kind", "regular", "flex"], "D": ["yes_no", "是", "否"]}
    for letter, column in values.items():
        for r, v in enumerate(column, start=1):
            lists[f"{letter}{r}"] = v
    lists.sheet_state = "hidden"

    def ref(letter: str) -> str:
        return f"lists!${letter}$2:${letter}${len(values[letter])}"

    rows = "2:1000"
    first, last = rows.split(":")
    checks = [
        ("C", DataValidation(type="list", formula1=ref("A"), errorTitle="home_queue",
                             error="一个队列 id / a queue id of scenario.toml")),
        # skills may be any ;-separated combination: the list offers the common ones and only warns
        ("D", DataValidation(type="list", formula1=ref("B"), errorStyle="warning", errorTitle="skills",
                             error="队列 id，用 ; 分隔 / queue ids separated by ;")),
        ("E", DataValidation(type="list", formula1=ref("C"), errorTitle="kind", error="regular / flex")),
        ("F", DataValidation(type="decimal", operator="between", formula1="0.01", formula2="2",
                             errorTitle="efficiency", error="> 0, <= 2")),
        ("G", DataValidation(type="list", formula1=ref("D"), errorTitle="is_lead", error="是 / 否")),
        ("H", DataValidation(type="list", formula1=ref("D"), errorTitle="night_ok", error="是 / 否")),
        ("I", DataValidation(type="decimal", operator="between", formula1="1", formula2="168",
                             errorTitle="max_hours_week", error="1-168")),
    ]
    for letter, dv in checks:
        dv.allow_blank = True
        dv.showErrorMessage = True
        dv.add(f"{letter}{first}:{letter}{last}")
        ws.add_data_validation(dv)

    help_ws = wb.create_sheet("说明 help")
    help_ws.append(["column 列", "含义", "meaning", "default 默认"])
    for cell in help_ws[1]:
        cell.font, cell.fill = bold, fill
    for col, zh, en, default in STAFF_COLUMNS:
        help_ws.append([col, zh, en, default])
    help_ws.append([])
    help_ws.append(["", "第一个工作表是人员表：每人一行，示例行（E001）请改成真实人员。",
                    "The first sheet is the staff list: one row per agent; overwrite the example row (E001)."])
    for letter, width in zip("ABCD", (16, 44, 56, 30)):
        help_ws.column_dimensions[letter].width = width
    for row in help_ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.active = 0
    wb.save(path)


SCENARIO_TOML = """\
# 场景设置 Scenario settings — written by `scheduler init`.
# 填好本文件、staff.xlsx，以及 demand.csv 或下面的 [forecast]，然后运行: scheduler solve <本文件夹>
# Fill in this file, staff.xlsx, and demand.csv or the [forecast] below, then run: scheduler solve <this folder>
# 文本请保存为 UTF-8。Save text files as UTF-8. Full reference: docs/scenario-format.md

name = "my-shop"            # 场景名称，用于输出文件 | the scenario's name, shown in the workbook
start = {start}        # 排班第一天（日期，不加引号）| first day of the horizon (a date, no quotes)
days = 7                    # 排班天数 (1-62) | horizon length in days (1-62)
slot_minutes = 60           # 时段长度：15、30 或 60 分钟 | slot length: 15, 30 or 60 minutes

# 队列（渠道/技能），每个一段 | one [[queues]] entry per queue (channel / skill)
[[queues]]
id = "pre_sales"                # 队列 id：小写字母、数字、下划线 | queue id: a-z, 0-9 and _
name = "售前"                   # 显示名称 | display name
contacts_per_agent_hour = 25    # 人效：每人每小时接待量 | contacts one agent (efficiency 1.0) serves per hour
session_minutes = 120           # 顾客在接待列表中的分钟数 | minutes a customer stays in the reception list

[[queues]]
id = "after_sales"              # 售后队列 | the after-sales queue
name = "售后"                   # 显示名称 | display name
contacts_per_agent_hour = 20    # 退款退货耗时更长 | refunds and returns take longer
session_minutes = 120           # 同上 | as above

# 班次类型：每天都有一个该班次 | shift types: one instance of each starts on every date
[[shifts]]
code = "N"                  # 班次代码（1-3 个字符），排班表中显示 | code (1-3 characters) shown in the roster grid
start = "00:00"             # 开始时间，须在时段边界上 | start time, on a slot boundary
hours = 8                   # 时长（小时），可跨午夜 | length in hours, may run past midnight
night = true                # 夜班：计入夜班上限，night_ok=否 的人不能上 | night shift: counts toward max_night_shifts
kinds = ["regular", "flex"] # 哪些人员类型可上此班 | which staff kinds may work it

[[shifts]]
code = "E"                  # 早班 | early shift
start = "08:00"             # 开始时间 | start time
hours = 8                   # 时长 | length in hours
night = false               # 非夜班 | not a night shift
kinds = ["regular", "flex"] # 可上此班的人员类型 | staff kinds allowed

[[shifts]]
code = "L"                  # 晚班 | late shift
start = "16:00"             # 开始时间 | start time
hours = 8                   # 时长 | length in hours
night = false               # 非夜班 | not a night shift
kinds = ["regular", "flex"] # 可上此班的人员类型 | staff kinds allowed

[rules]
min_rest_hours = 11                 # 两班之间最少休息小时 | hours of rest between two shifts, at least
max_consecutive_days = 6            # 最多连续上班天数 | dates in a row with a shift, at most
max_hours_week = 48                 # 每 7 天最多工时 | worked hours per 7-day block (staff.xlsx may override)
max_night_shifts = 3                # 每人周期内最多夜班数 | night shifts per agent over the horizon, at most
max_continuous_hours = 4            # 最长连续工作小时 | longest run of worked hours without a break
max_continuous_high_load_hours = 2  # 高负荷时段最长连续工作小时 | longest run of worked hours that are all high-load
# high_load_contacts_per_hour = 900 # 高负荷阈值（每小时咨询量）| high-load from this many contacts/h
                                    # 省略 = 峰值的 60 % | omitted: 60 % of the busiest hour
reroute_concurrency = 100           # 人均同时接待超过即分流 | open customers per agent above which they are rerouted
min_leads_on_duty = 1               # 有人上班时最少在班组长数 | leads on shift whenever anyone works, at least

# 强制调岗（可选）：这些日期里 from 队列的人改做 to 队列 | mandatory moves (optional): on these dates,
# everyone whose home queue is `from` serves `to`. Remove the # to use it.
# [[moves]]
# dates = [{move}]        # 日期列表 | the dates
# from = "after_sales"        # 所属队列 | home queue of the agents moved
# to = "pre_sales"            # 改做的队列 | queue they serve on those dates

# 业务计划（没有 demand.csv 时由此推算每小时咨询量）：填好后去掉每行开头的 #
# The business plan (the hourly demand is derived from it when there is no demand.csv):
# fill it in and remove the # at the start of each line.
# [forecast]
# sales_target = 12000000        # 销售额目标（元）| sales target for the whole sale (CNY)
# avg_order_value = 320          # 客单价（元）| average order value (CNY)
# inquiry_rate = 0.3             # 询单率：每单售前咨询数 | pre-sales conversations per order
# stockout_rate = 0.02           # 缺货率：需联系的订单比例 | share of orders the team must contact (stock-outs)
# refund_rate = 0.15             # 往年大促平均退款率 | last year's mega-sale refund rate
# after_sale_refund_ratio = 0.2  # 售后期退款 / 大促期退款 | after-sale refunds per in-sale refund
# refund_peak_share = 0.10       # 次日退款占比 (0.08-0.12) | share of all refunds on the day after the sale
# refund_regular_share = 0.05    # 之后每天的比例 (0.04-0.06) | share on each ordinary day after it
# contacts_per_refund = 1.5      # 每笔退款的售后咨询数 | after-sales conversations per refund
# sale_day = {sale}        # 大促日 | the sale day

[solver]
time_limit_s = 60           # 求解时间上限（秒）| time limit of a solve in seconds
workers = 2                 # 求解线程数；1 = 结果可复现 | CP-SAT workers; 1 makes runs reproducible
seed = 0                    # 随机种子 | random seed
"""
