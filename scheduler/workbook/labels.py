"""What the workbook calls things: sheet names, the fixed column headers HR's import and the
reader depend on, and the label tables per language ("en", "zh") for everything else.
"""

from __future__ import annotations

import re
from typing import Any

ASSIGNMENTS = "Assignments"
ROSTER = "Roster"
COVERAGE = "Coverage"
SUMMARY = "Summary"
FORECAST = "Forecast"
CHANGES = "Changes"
ABSENCES = "Absences"
ABSENCE_COLUMNS = ["employee_id", "name", "start", "end", "reason"]

# HR's import reads these exact strings in row 1, in every language
ASSIGNMENT_COLUMNS = ["employee_id", "name", "date", "shift", "queue", "start", "end", "hours"]
# the coverage table keeps the SPEC's column names so it reads back into pandas unchanged
COVERAGE_COLUMNS = ["start", "queue", "contacts", "required", "staffed", "shortage",
                    "concurrency", "overflow", "high_load"]
COVERAGE_DECIMALS = {"contacts": 2, "required": 2, "staffed": 2, "shortage": 2,
                     "concurrency": 1, "overflow": 1}


LABELS: dict[str, dict[str, Any]] = {
    "en": {
        "weekdays": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "employee_id": "employee_id", "name": "name", "home_queue": "home queue", "kind": "kind",
        "regular": "regular", "flex": "flex", "absent": "absent",
        "legend": "Legend", "moved": "X→queue: works that queue instead of the home queue",
        "absent_legend": "absent (leave or sick call; the reason when one was given, shortened to fit: the Absences "
                         "sheet has it whole)",
        "night": "night", "kinds": "for",
        "chart_title": "{queue}: required vs staffed agents", "required": "required",
        "staffed": "staffed", "agents": "agents",
        "title": "Roster summary", "scenario": "scenario",
        "sec_solve": "Solve", "status": "status", "objective": "objective ({tier}, {unit})",
        "objective_plain": "objective", "best_bound": "best bound", "gap": "gap",
        "solve_seconds": "solve seconds", "time_limit": "time limit (s)", "workers": "workers",
        "seed": "seed", "variables": "model size: variables", "constraints": "model size: constraints",
        "sec_tiers": "Objective tiers (in order of priority)", "tier": "tier", "unit": "unit",
        "sec_service": "Service against proven lower bounds", "measure": "measure", "achieved": "achieved",
        "lp_bound": "pooled bound (LP or integer program)", "cp_bound": "CP-SAT bound",
        "bound_scope": "bound holds for", "scope_every": "every legal roster",
        "scope_model": "the model's patterns only", "scope_none": "none proven yet",
        "scope_service": "rosters as good in service", "scope_past": "rosters keeping the fixed past",
        "bound_from": "best bound from", "other_bound": "the other bound",
        "from_lp": "LP relaxation", "from_mip": "pooled integer program", "from_cp": "CP-SAT",
        "from_none": "none proven yet",
        "weaker": "{name} {value}: weaker", "model_only": "CP-SAT: holds for its own patterns only",
        "model_only_short": "model only", "no_bound": "no bound computed",
        "seconds": "seconds", "sec_notes": "Notes", "sec_kpis": "Key figures",
        "sec_horizon": "Scenario", "horizon": "horizon", "days": "days", "slot_minutes": "slot minutes",
        "n_agents": "agents (regular / flex / leads)", "demand_source": "demand from",
        "sec_rules": "Rules in force", "rule": "rule", "value": "value", "meaning": "meaning",
        "high_load_auto": "auto: 60 % of the horizon's peak", "auto": "auto",
        "sec_queues": "Queues", "queue": "queue", "queue_name": "name",
        "contacts_per_agent_hour": "contacts per agent-hour", "session_minutes": "session minutes",
        "norm_concurrency": "concurrent customers at the norm",
        "sec_shifts": "Shift types", "code": "code", "start": "start", "end": "end", "hours": "hours",
        "sec_moves": "Mandatory moves", "dates": "dates", "from": "from", "to": "to",
        "sec_versions": "Software", "yes": "yes", "no": "no", "na": "n/a",
        "step": "step", "rule_of_thumb": "Rule-of-thumb headcount beside the optimized roster",
        "date": "date", "contacts": "contacts", "rot_agents": "agents (rule of thumb)",
        "rostered": "agents rostered",
        "before": "before", "after": "after", "call_list": "Call these people",
        "changed_dates": "dates changed",
        "h": "h", "off": "off",
        "time": "time", "total_hours": "hours", "total_nights": "nights", "weekend_days": "weekend days",
        "head_count": "head-count {shift}", "head_count_total": "agents on shift",
        "columns": "Columns",
        "col_contacts": "contacts: conversations expected in the slot",
        "col_required": "required: agents needed at the staffing norm",
        "col_staffed": "staffed: agents working the queue, efficiency-weighted (breaks excluded)",
        "col_shortage": "shortage: required minus staffed (red when above 0)",
        "col_concurrency": "concurrency: open customers per staffed agent",
        "col_overflow": "overflow: open customers above the reroute threshold (orange when above 0)",
        "col_high_load": "high_load: the slot counts as high-load for the break rule",
    },
    "zh": {
        "weekdays": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
        "employee_id": "工号", "name": "姓名", "home_queue": "所属队列", "kind": "类型",
        "regular": "正式", "flex": "机动", "absent": "缺勤",
        "legend": "图例", "moved": "X→队列：当班服务该队列而非所属队列",
        "absent_legend": "缺勤（请假或病假；填写了原因时显示原因，过长时缩短，完整原因见 Absences 表）",
        "night": "夜班", "kinds": "适用",
        "chart_title": "{queue}：需求人数与在岗人数", "required": "需求",
        "staffed": "在岗", "agents": "人数",
        "title": "排班汇总", "scenario": "场景",
        "sec_solve": "求解", "status": "状态", "objective": "目标值（{tier}，{unit}）",
        "objective_plain": "目标值", "best_bound": "最优界", "gap": "差距",
        "solve_seconds": "求解秒数", "time_limit": "时间上限（秒）", "workers": "线程数",
        "seed": "随机种子", "variables": "模型规模：变量数", "constraints": "模型规模：约束数",
        "sec_tiers": "目标层级（按优先级）", "tier": "层级", "unit": "单位",
        "sec_service": "服务指标与可证明的下界", "measure": "指标", "achieved": "实际值",
        "lp_bound": "分组下界（线性松弛或整数规划）", "cp_bound": "CP-SAT 下界",
        "bound_scope": "下界适用于", "scope_every": "所有合规排班",
        "scope_model": "仅限模型的排班模式", "scope_none": "尚未证明",
        "scope_service": "服务不差于本排班的排班", "scope_past": "保留已过去时段的排班",
        "bound_from": "最优界来源", "other_bound": "另一个下界",
        "from_lp": "线性松弛", "from_mip": "分组整数规划", "from_cp": "CP-SAT", "from_none": "尚未证明",
        "weaker": "{name} {value}：较弱", "model_only": "CP-SAT：仅对其自身的排班模式成立",
        "model_only_short": "仅限模型", "no_bound": "未计算下界",
        "seconds": "秒", "sec_notes": "说明", "sec_kpis": "关键指标",
        "sec_horizon": "场景", "horizon": "排班周期", "days": "天数", "slot_minutes": "时段分钟数",
        "n_agents": "人数（正式 / 机动 / 组长）", "demand_source": "需求来源",
        "sec_rules": "生效规则", "rule": "规则", "value": "值", "meaning": "含义",
        "high_load_auto": "自动：周期峰值的 60 %", "auto": "自动",
        "sec_queues": "队列", "queue": "队列", "queue_name": "名称",
        "contacts_per_agent_hour": "每人每小时接待量", "session_minutes": "会话分钟数",
        "norm_concurrency": "标准同时接待数",
        "sec_shifts": "班次", "code": "代码", "start": "开始", "end": "结束", "hours": "小时",
        "sec_moves": "强制调岗", "dates": "日期", "from": "从", "to": "到",
        "sec_versions": "软件版本", "yes": "是", "no": "否", "na": "无",
        "step": "步骤", "rule_of_thumb": "经验估算人数与优化排班对比",
        "date": "日期", "contacts": "咨询量", "rot_agents": "经验估算人数",
        "rostered": "排班人数",
        "before": "调整前", "after": "调整后", "call_list": "需要通知的人员",
        "changed_dates": "变动日期数",
        "h": "小时", "off": "休息",
        "time": "时间", "total_hours": "工时", "total_nights": "夜班", "weekend_days": "周末天数",
        "head_count": "{shift} 班人数", "head_count_total": "当日上班人数",
        "columns": "列说明",
        "col_contacts": "contacts 咨询量：该时段预计的新会话数",
        "col_required": "required 需求：按人效标准需要的人数",
        "col_staffed": "staffed 在岗：服务该队列的人数，按效率折算（不含休息）",
        "col_shortage": "shortage 缺口：需求减在岗（大于 0 时标红）",
        "col_concurrency": "concurrency 同时接待：每名在岗客服的同时接待客户数",
        "col_overflow": "overflow 溢出：超过分流阈值的同时接待客户数（大于 0 时标橙）",
        "col_high_load": "high_load 高负荷：该时段按休息规则算作高负荷",
    },
}

KPI_LABELS = {
    "en": {
        "overflow_customer_hours": "overflow (customer-hours)",
        "shortage_agent_hours": "shortage (agent-hours)",
        "required_agent_hours": "required (agent-hours)",
        "flex_hours": "flex staff hours",
        "regular_hours": "regular staff hours",
        "shifts": "shifts",
        "agents_working": "agents with at least one shift",
        "hours_per_agent_min": "hours per agent, min",
        "hours_per_agent_max": "hours per agent, max",
        "nights_per_agent_min": "night shifts per agent, min",
        "nights_per_agent_max": "night shifts per agent, max",
        "peak_concurrency": "peak concurrent customers per agent",
        "requests granted, priority 3": "requests granted / asked, priority 3",
        "requests granted, priority 2": "requests granted / asked, priority 2",
        "requests granted, priority 1": "requests granted / asked, priority 1",
        "requests granted, all": "requests granted / asked, all",
    },
    "zh": {
        "overflow_customer_hours": "溢出（客户·小时）",
        "shortage_agent_hours": "缺口（人·小时）",
        "required_agent_hours": "需求（人·小时）",
        "flex_hours": "机动人员工时",
        "regular_hours": "正式人员工时",
        "shifts": "班次数",
        "agents_working": "有排班的人数",
        "hours_per_agent_min": "人均工时最少",
        "hours_per_agent_max": "人均工时最多",
        "nights_per_agent_min": "人均夜班最少",
        "nights_per_agent_max": "人均夜班最多",
        "peak_concurrency": "峰值人均同时接待数",
        "requests granted, priority 3": "排班请求满足 / 提出（优先级3）",
        "requests granted, priority 2": "排班请求满足 / 提出（优先级2）",
        "requests granted, priority 1": "排班请求满足 / 提出（优先级1）",
        "requests granted, all": "排班请求满足 / 提出（全部）",
    },
}

RULE_MEANINGS = {
    "en": {
        "min_rest_hours": "hours of rest between two shifts, at least",
        "max_consecutive_days": "dates in a row with a shift, at most",
        "max_hours_week": "worked hours per 7-day block, at most (staff list may override)",
        "max_night_shifts": "night shifts per agent over the horizon, at most",
        "max_continuous_hours": "hours worked without a break, at most",
        "max_continuous_high_load_hours": "hours worked without a break in high-load slots, at most",
        "high_load_contacts_per_hour": "contacts per hour (all queues) from which a slot is high-load",
        "reroute_concurrency": "concurrent customers per agent above which contacts are rerouted",
        "min_leads_on_duty": "leads on shift whenever anyone works, at least",
    },
    "zh": {
        "min_rest_hours": "两班之间最少休息小时数",
        "max_consecutive_days": "最多连续上班天数",
        "max_hours_week": "每 7 天最多工时（人员表可单独设置）",
        "max_night_shifts": "每人周期内最多夜班数",
        "max_continuous_hours": "最长连续工作小时数（不休息）",
        "max_continuous_high_load_hours": "高负荷时段最长连续工作小时数",
        "high_load_contacts_per_hour": "高负荷时段阈值（所有队列每小时咨询量）",
        "reroute_concurrency": "人均同时接待超过此数即分流",
        "min_leads_on_duty": "有人上班时最少在班组长数",
    },
}

# Words the solver and the KPIs write in English (tier names, units, statuses, measures): the
# workbook shows them in the chosen language. A word not listed stays as it is.
TERMS: dict[str, dict[str, str]] = {
    "zh": {
        # objective tiers
        "overflow": "溢出", "shortage": "缺口", "flex hours": "机动工时", "regular hours": "正式工时",
        "comfort": "舒适度", "changed agents": "变动人数", "changed shifts": "变动班次",
        "lost overflow": "新增溢出", "lost shortage": "新增缺口", "changed regulars": "变动正式人数",
        "declined requests": "未满足的申请",
        # units
        "customer-hours": "客户·小时", "agent-hours": "人·小时", "hours": "小时", "points": "分",
        "agents": "人", "shifts": "班次", "calls": "通电话", "priority points": "优先级分",
        # statuses (CP-SAT's and ours)
        "OPTIMAL": "最优", "FEASIBLE": "可行（未证明最优）", "INFEASIBLE": "无解", "UNKNOWN": "未知",
        "MODEL_INVALID": "模型无效", "TIME_LIMIT": "达到时间上限", "ABNORMAL": "异常", "NOT_SOLVED": "未求解",
        "UNBOUNDED": "无界",
        # demand sources
        "demand.csv": "demand.csv 文件", "forecast": "由业务计划推算",
    },
}


def term(word: str, lang: str) -> str:
    """A tier name, unit, status or measure in `lang` (unchanged when not listed)."""
    return TERMS.get(lang, {}).get(word, word)


# The fixed phrases of the notes the program writes, as (English pattern, Chinese format). A
# pattern matches a whole note; its named groups are put into the format, and a group called
# `tier`, `unit` or `status` is translated with TERMS first. A note that no pattern matches is
# written in English. Add a pair when you add a note.
NOTE_PATTERNS: dict[str, list[tuple[str, str]]] = {
    "zh": [
        (r"the lock of (?P<who>.+?) on (?P<d>[\d-]+) \((?P<code>\w+), locks.csv row (?P<row>\d+)\) is not kept: "
         r"(?P<why>.+)", "{who} 在 {d} 的锁定班次 {code}（locks.csv 第 {row} 行）未保留：{why}"),
        # an LNS that stopped gaining and passed its time on (lns.Stall: the shortage tier's time borrowed by far_share)
        (r"(?P<tier>.+?): large-neighbourhood search, (?P<n>\d+) parts re-solved in (?P<s>[\d.]+) s, "
         r"(?P<better>\d+) better in this tier or the next \((?P<kinds>.*)\); .+? (?P<a>[-\d,.]+) -> "
         r"(?P<b>[-\d,.]+) (?P<unit>.+?); ended early, too little gained in this tier lately: its time passes on",
         "{tier}：大邻域搜索在 {s} 秒内重解 {n} 个局部，其中 {better} 次使本层或下一层更优（{kinds}）；"
         "{tier}从 {a} 降到 {b} {unit}；近来本层改进太少，提前结束，余下时间留给后面各层"),
        # the shortage tier that kept gaining takes some of the later tiers' time (SolveParams.far_share)
        (r"(?P<tier>.+?) gained (?P<g>[\d.]+)% in its last (?P<w>[\d.]+) s: up to (?P<x>[\d.]+) s more, from the "
         r"later tiers' time, while it gains more than (?P<m>[\d.]+)% in that time",
         "{tier}在最近 {w} 秒内改进了 {g}%：只要每 {w} 秒仍改进超过 {m}%，就从后面各层的时间中再用至多 {x} 秒"),
        (r"(?P<tier>.+?): large-neighbourhood search, (?P<n>\d+) parts re-solved in (?P<s>[\d.]+) s, "
         r"(?P<better>\d+) better in this tier or the next \((?P<kinds>.*)\); .+? (?P<a>[-\d,.]+) -> "
         r"(?P<b>[-\d,.]+) (?P<unit>.+)",
         "{tier}：大邻域搜索在 {s} 秒内重解 {n} 个局部，其中 {better} 次使本层或下一层更优（{kinds}）；"
         "{tier}从 {a} 降到 {b} {unit}"),
        # several workers on a small LNS-only model: searches apart, the best kept (SolveParams.apart)
        (r"(?P<tier>.+?): (?P<k>\d+) searches apart, each on its own roster: (?P<a>[-\d,.]+) -> "
         r"(?P<ends>[-\d,. ]+?) (?P<unit>[^\d;]+); search (?P<i>\d+) kept",
         "{tier}：{k} 个各自独立的搜索（各有自己的排班）：{tier}从 {a} 起，分别为 {ends} {unit}；采用第 {i} 个"),
        (r"(?P<tier>.+?): (?P<k>\d+) searches apart, each on its own roster: (?P<a>[-\d,.]+) -> "
         r"(?P<ends>[-\d,. ]+?) (?P<unit>[^\d;]+); none better than the start",
         "{tier}：{k} 个各自独立的搜索（各有自己的排班）：{tier}从 {a} 起，分别为 {ends} {unit}；均未改进，保留原排班"),
        # scheduler.recombine: interchangeable agents copy each other's whole schedules
        (r"(?P<tier>.+?): whole-schedule recombination over (?P<k>\d+) classes of interchangeable agents "
         r"\((?P<m>\d+) agents, (?P<c>\d+) schedules(?:, (?P<p>\d+) from earlier rosters)?\): "
         r"(?P<a>[-\d,.]+) -> (?P<b>[-\d,.]+) (?P<unit>.+?), "
         r"(?P<n>\d+) agents take another's schedule \((?P<status>\w+), (?P<s>[\d.]+) s\)",
         "{tier}：在 {k} 组可互换的员工（{m} 人，{c} 种整段排班）之间重新分配整段排班：{tier}从 {a} 降到 {b} "
         "{unit}，{n} 人改用他人的排班（{status}，{s} 秒）"),
        (r"(?P<tier>.+?): whole-schedule recombination over (?P<k>\d+) classes of interchangeable agents "
         r"\((?P<m>\d+) agents, (?P<c>\d+) schedules(?:, (?P<p>\d+) from earlier rosters)?\): "
         r"nothing kept \((?P<why>.+)\)",
         "{tier}：在 {k} 组可互换的员工（{m} 人，{c} 种整段排班）之间重新分配整段排班：未采用（{why}）"),
        # ... run beside the LNS (several workers: lns.Beside), its roster adopted or not (lns.ADOPTED)
        (r"(?P<tier>.+?): whole-schedule recombination beside the search, from (?P<a>[-\d,.]+): adopted "
         r"(?P<how>.+?), (?P<b>[-\d,.]+) -> (?P<c>[-\d,.]+) (?P<unit>.+)",
         "{tier}：与大邻域搜索同时进行的整段排班重新分配（自 {a} 起）：已采用（{how}），{b} 降到 {c} {unit}"),
        (r"(?P<tier>.+?): whole-schedule recombination beside the search, from (?P<a>[-\d,.]+): not adopted "
         r"\((?P<how>.+?): (?P<b>[-\d,.]+), the roster at hand (?P<c>[-\d,.]+) (?P<unit>.+)\)",
         "{tier}：与大邻域搜索同时进行的整段排班重新分配（自 {a} 起）：未采用（{how}：{b}，当前排班为 {c} {unit}）"),
        (r"(?P<tier>.+?): whole-schedule recombination beside the search, from (?P<a>[-\d,.]+): not adopted: "
         r"its roster breaks (?P<n>\d+) constraint\(s\) of the model",
         "{tier}：与大邻域搜索同时进行的整段排班重新分配（自 {a} 起）：未采用：其排班违反模型的 {n} 条约束"),
        (r"(?P<tier>.+?): whole-schedule recombination beside the search failed \((?P<why>.+)\); the search "
         r"went on without it",
         "{tier}：与大邻域搜索同时进行的整段排班重新分配出错（{why}），搜索照常继续"),
        (r"(?P<tier>.+?): large-neighbourhood search skipped: the roster at hand breaks (?P<n>\d+) "
         r"constraint\(s\) of the model",
         "{tier}：未做大邻域搜索：当前排班违反模型的 {n} 条约束"),
        (r"(?P<tier>.+?): large-neighbourhood search skipped: (?P<why>.+)", "{tier}：未做大邻域搜索：{why}"),
        (r"first roster from the LP's plan: (?P<tier>.+?) (?P<a>[-\d,.]+) against the greedy's (?P<b>[-\d,.]+) "
         r"\(kept; (?P<s>[\d.]+) s\)",
         "按线性松弛方案构建的初始排班：{tier} {a}，贪心排班为 {b}（采用；{s} 秒）"),
        (r"first roster from the LP's plan: (?P<tier>.+?) (?P<a>[-\d,.]+) against the greedy's (?P<b>[-\d,.]+) "
         r"\(not kept; (?P<s>[\d.]+) s\)",
         "按线性松弛方案构建的初始排班：{tier} {a}，贪心排班为 {b}（未采用；{s} 秒）"),
        (r"(?P<tier>.+?): the LP's first roster searched first \((?P<n>\d+) parts\): (?P<a>[-\d,.]+) -> "
         r"(?P<b>[-\d,.]+) against the greedy's (?P<g>[-\d,.]+); the next tier (?P<c>[-\d,.]+) against "
         r"(?P<d>[-\d,.]+) \(kept\)",
         "{tier}：先从线性松弛方案的初始排班搜索（{n} 个局部）：{a} 降到 {b}，贪心排班为 {g}；"
         "下一层 {c}，贪心排班为 {d}（采用）"),
        (r"(?P<tier>.+?): the LP's first roster searched first \((?P<n>\d+) parts\): (?P<a>[-\d,.]+) -> "
         r"(?P<b>[-\d,.]+) against the greedy's (?P<g>[-\d,.]+); the next tier (?P<c>[-\d,.]+) against "
         r"(?P<d>[-\d,.]+) \(not kept\)",
         "{tier}：先从线性松弛方案的初始排班搜索（{n} 个局部）：{a} 降到 {b}，贪心排班为 {g}；"
         "下一层 {c}，贪心排班为 {d}（未采用）"),
        (r"(?P<tier>.+?) was not optimised: stopped by the user", "{tier}未优化：用户中止"),
        (r"(?P<tier>.+?) was not optimised: out of time", "{tier}未优化：时间用完"),
        (r"(?P<tier>.+?): CP-SAT on the whole model found no better roster in (?P<s>[\d.]+) s \((?P<status>.+)\)",
         "{tier}：CP-SAT 全模型求解 {s} 秒未找到更好的排班（{status}）"),
        (r"model built in (?P<s>[\d.]+) s; (?P<n>[\d,]+) shift options", "模型构建用时 {s} 秒；{n} 个班次选项"),
        (r"repair from (?P<m>\S+ \S+): re-planned (?P<n>\d+) of (?P<total>\d+) agents \(the absent, the agents who "
         r"can serve the queues that lost staff or gained contacts, free ones and flex staff first, and the leads "
         r"when a lead is absent\) for shifts starting (?P<a>\S+ \S+) \.\. "
         r"(?P<b>\S+ \S+); every other plan kept as published \(use --full to re-solve everything\); "
         r"(?P<what>.*)",
         "自 {m} 起重排：在 {total} 人中重排了 {n} 人（缺勤者、能服务缺人或需求增加队列的人，当天休息者和机动人员优先，"
         "以及组长缺勤时的所有组长），范围为 {a} 至 {b} 开始的班次；"
         "其余安排保持已发布的不变（用 --full 全部重排）；{what}"),
        (r"repair from (?P<m>\S+ \S+): every plan from (?P<f>\S+ \S+) re-solved \(--full\); (?P<what>.*)",
         "自 {m} 起重排：{f} 之后的所有安排都重新求解（--full）；{what}"),
        (r"--max-calls (?P<k>\d+): (?P<c>\d+) call\(s\); still lost against the published service: (?P<o>[\d,.]+) "
         r"customer-hours of overflow, (?P<s>[\d,.]+) agent-hours of shortage",
         "--max-calls {k}：通知 {c} 人；相对已发布排班仍损失：溢出 {o} 客户·小时，缺口 {s} 人·小时"),
        (r"bounds of the repair: the (?P<n>\d+) slot\(s\) before (?P<m>\S+ \S+) are the same in every repaired "
         r"roster, with (?P<o>[\d,.]+) customer-hours of overflow and (?P<s>[\d,.]+) agent-hours of shortage "
         r"\((?P<lo>[\d,.]+) and (?P<ls>[\d,.]+) of them above the published roster's own\): these are the bounds "
         r"shown; after the moment nothing is bounded",
         "重排的下界：{m} 之前的 {n} 个时段在每个重排结果中都相同，溢出 {o} 客户·小时、缺口 {s} 人·小时"
         "（其中高于已发布排班的部分为 {lo} 和 {ls}）：这就是所示的下界；该时刻之后没有下界"),
        (r"(?P<tier>.+?): proven with the tier before it \(its exact tie-break\)",
         "{tier}：随上一层一并证明（上一层以它精确打破平局）"),
        (r"calls table: no roster with at most (?P<k>\d+) calls found in (?P<s>[\d.]+) s",
         "通知人数表：{s} 秒内未找到最多通知 {k} 人的排班"),
        (r"calls table: a roster with (?P<k>\d+) calls loses no more than the tiers' search's roster with (?P<c>\d+), "
         r"which stopped before it proved the fewest calls; the repair takes it \(the tiers after the calls were "
         r"not optimised again\)",
         "通知人数表：通知 {k} 人的排班损失不多于分层搜索得到的通知 {c} 人的排班（后者未证明通知人数最少）；"
         "采用前者（通知人数之后的层级未再优化）"),
        (r"stopped with Ctrl-C: the roster is the best found so far, not proven optimal",
         "已按 Ctrl-C 中止：此排班是目前找到的最好结果，未证明最优"),
        (r"breaks: each shift uses a maximal work/break pattern .*",
         "休息：每个班次使用一种极大的工作/休息模式（休息为一个或两个时段，每次休息都是连续工作规则所需，"
         "每班最多 24 种）；线性松弛下界涵盖所有合法模式；手工修改的排班可使用任何合法模式"),
        (r"weekly hours cap can bind for (?P<n>\d+) agent\(s\) \((?P<who>.+)\): (?P<k>[\d,]+) shorter or split "
         r"patterns priced from the LP's duals added \((?P<c>[\d,]+) pool shifts priced, PDLP (?P<st>.+)\)",
         "每周工时上限可能限制 {n} 人（{who}）：按线性松弛对偶价格新增 {k} 种更短或分段的工作模式"
         "（为 {c} 个人员组班次定价，PDLP {st}）"),
        (r"weekly hours cap can bind for (?P<n>\d+) agent\(s\): no patterns priced \((?P<why>.+)\)",
         "每周工时上限可能限制 {n} 人：未能按对偶价格定价工作模式（{why}）"),
        (r"(?P<n>[\d,]+) agent options with break patterns from the LP's plan added \((?P<k>[\d,]+) patterns the "
         r"model's 24 an instance leave out\)",
         "按线性松弛方案的休息模式新增 {n} 个员工班次选项（模型每个班次保留的 24 种之外的 {k} 种模式）"),
        (r"no break patterns taken from the LP's plan \((?P<why>.+)\)", "未能采用线性松弛方案的休息模式（{why}）"),
        (r"(?P<tier>.+?): optimal over the model's options \((?P<b>[-\d,.]+) (?P<unit>.+)\); not proven for every "
         r"legal roster",
         "{tier}：在模型提供的选项中最优（{b} {unit}）；未对所有合法排班证明"),
        (r"the model leaves out some legal rosters or rounds: (?P<why>.+) \(its own bounds are used only where they "
         r"hold for every legal roster\)",
         "模型未包含部分合法排班或有取整：{why}（其自身的下界仅在对所有合法排班成立时使用）"),
        (r"LP lower bound: (?P<status>\S+) after (?P<s>[\d.]+) s; the bounds shown are the best dual bounds reached",
         "线性松弛下界：{s} 秒后{status}；所示下界是已达到的最好对偶下界"),
        (r"min_rest_hours is shorter than a slot: .*",
         "min_rest_hours 短于一个时段：同一人的两个班次之间至少隔一个时段，因此连续工作不会跨班连接"),
        (r"(?P<code>\S+) on (?P<date>\d{4}-\d\d-\d\d): no break pattern satisfies the run rules",
         "{date} 的 {code} 班：没有满足连续工作规则的休息模式"),
        (r"LP lower bound not computed: (?P<why>.+)", "未计算线性松弛下界：{why}"),
        (r"pooled integer overflow bound not computed: (?P<why>.+)", "未计算分组整数规划的溢出下界：{why}"),
        (r"first roster from the LP's plan skipped: (?P<why>.+)", "未按线性松弛方案构建初始排班：{why}"),
        (r"overflow bound (?P<b>[\d,.]+) customer-hours from the pooled integer program \(SCIP, (?P<status>\S+) after "
         r"(?P<s>[\d.]+) s\); the LP relaxation's is (?P<lp>[\d,.]+)",
         "溢出下界 {b} 客户·小时来自分组整数规划（SCIP，{s} 秒后{status}）；线性松弛下界为 {lp}"),
        (r"(?P<tier>flex hours|regular hours): bound (?P<b>[\d,.]+) (?P<unit>\S+) \(LP relaxation\) holds for rosters "
         r"with at most this roster's overflow and shortage",
         "{tier}：线性松弛下界 {b} {unit}，对溢出和缺口均不超过本排班的所有排班成立"),
        (r"(?P<tier>flex hours|regular hours): bound (?P<b>[\d,.]+) (?P<unit>\S+) \(LP relaxation\) holds for rosters "
         r"with at most this roster's overflow, shortage and flex hours",
         "{tier}：线性松弛下界 {b} {unit}，对溢出、缺口和机动工时均不超过本排班的所有排班成立"),
        (r"LP lower bound: (?P<status>\S+) after (?P<s>\d+) s", "线性松弛下界：{s} 秒后结束（{status}）"),
        (r"LP bound relaxes: integrality .*",
         "线性松弛下界放宽了：整数性（人数、班次和休息可取小数）；按相同人员分组汇总每人规则；组长规则"
         "（只保留“没有组长能上班则无人上班”和一个大 M 形式）"),
        (r"unavoidable: (?P<when>\d{4}-\d\d-\d\d \d\d:\d\d-\d\d:\d\d): no lead can be on shift \((?P<who>.+)\), "
         r"so nobody may work then",
         "无法避免：{when} 没有组长能上班（{who}），因此这段时间无人可以上班"),
        (r"unavoidable: (?P<date>\d{4}-\d\d-\d\d) (?P<queue>\S+): no agent can serve this queue \(the move sends "
         r"its agents elsewhere that day\); all its contacts are short",
         "无法避免：{date} {queue}：没有人能服务此队列（当天的调岗把其人员调走了）；其咨询全部缺口"),
        (r"unavoidable: (?P<date>\d{4}-\d\d-\d\d) (?P<queue>\S+): no agent can serve this queue; all its "
         r"contacts are short",
         "无法避免：{date} {queue}：没有人能服务此队列；其咨询全部缺口"),
    ],
}

# phrases inside a note's free part (who is absent, who cannot work nights)
NOTE_PHRASES: dict[str, list[tuple[str, str]]] = {
    "zh": [(r"\bare absent\b", "缺勤"), (r"\bis absent\b", "缺勤"), (r"\bcannot work nights\b", "不能上夜班"),
           (r"\bmay not work it \(it is for (?P<k>[a-z/]+) staff only\)", r"不能上此班（仅限 \g<k> 人员）"),
           (r"\bno shift covers it\b", "没有班次覆盖"),
           (r"\bthere are no leads in the staff list\b", "人员表中没有组长"),
           (r"\band\b", "且"), (r"\bslot (\d+)", r"时段 \1"), (r"\bdays (\d+)", r"日期 \1"),
           (r"\bagents (\d+)", r"人员 \1"), (r"\blp (\d+)", r"线性规划 \1"), (r"^none$", "无"),
           (r"\babsences: ", "缺勤："), (r"\bdemand x(?P<f>[\d.]+) in every queue\b", r"需求 ×\g<f>（所有队列）"),
           (r"\bdemand x(?P<f>[\d.]+) in (?P<q>[a-z0-9_]+)\b", r"需求 ×\g<f>（\g<q>）"),
           (r"\bdemand from (?P<f>\S+) from\b", r"需求取自 \g<f>，自"), (r"\bsick call\b", "病假"),
           # lns.ADOPTED, and the LNS note's count of rosters adopted from the master beside it
           (r"\bwhole-schedule recombination (\d+)", r"整段排班重新分配 \1"), (r"^as it is$", "原样"),
           (r"^its agents' whole schedules into the moved roster$", "其改动员工的整段排班并入已变动的排班"),
           (r"^its changed options into the moved roster$", "其改动的班次并入已变动的排班"),
           (r"^whole, the moved roster's own gains lost$", "整体替换，已变动排班自身的改进不再保留")],
}


def translate_note(note: str, lang: str) -> str:
    """A note of the Summary in `lang`: its fixed phrases translated, its numbers and names kept."""
    return _translate(note, lang, NOTE_PATTERNS)


def _translate(note: str, lang: str, table: dict[str, list[tuple[str, str]]]) -> str:
    for pattern, template in table.get(lang, []):
        m = re.fullmatch(pattern, note, flags=re.S)
        if m is None:
            continue
        values = {}
        for key, value in m.groupdict().items():
            value = value or ""
            if key in ("tier", "unit", "status"):
                value = term(value, lang)
            for phrase, replacement in NOTE_PHRASES.get(lang, []):
                value = re.sub(phrase, replacement, value)
            values[key] = value
        return template.format(**values)
    return note


# The Forecast sheet's steps (scheduler.forecast writes them in English), as (pattern, format)
# pairs like the notes'.
STEP_PATTERNS: dict[str, list[tuple[str, str]]] = {
    "zh": [
        (r"1\. orders = sales_target / avg_order_value", "1. 订单数 = 销售额目标 / 客单价"),
        (r"2\. orders to contact = orders × stockout_rate", "2. 需联系的订单 = 订单数 × 缺货率"),
        (r"3\. in-sale refunds = orders × refund_rate", "3. 大促期退款 = 订单数 × 退款率"),
        (r"4\. after-sale refunds = in-sale refunds × after_sale_refund_ratio",
         "4. 售后期退款 = 大促期退款 × 售后退款比"),
        (r"5\. total refunds = in-sale refunds \+ after-sale refunds", "5. 退款总数 = 大促期退款 + 售后期退款"),
        (r"6\. refunds on the peak day (?P<d>\S+) = refund_peak_share × total refunds",
         "6. 退款高峰日 {d} 的退款 = 高峰日占比 × 退款总数"),
        (r"7\. refunds on each ordinary day after it = refund_regular_share × total refunds",
         "7. 之后每个普通日的退款 = 普通日占比 × 退款总数"),
        (r"pre-sales contacts = orders × inquiry_rate \+ orders to contact",
         "售前咨询 = 订单数 × 询单率 + 需联系的订单"),
        (r"pre-sales contacts go to queue", "售前咨询进入队列"),
        (r"after-sales contacts go to queue", "售后咨询进入队列"),
        (r"pre-sales hourly profile", "售前每小时分布"),
        (r"after-sales hourly profile", "售后每小时分布"),
        (r"from scenario\.toml", "来自 scenario.toml"),
        (r"default: low 02-07, peaks 09-10, 14-16, 20-22; eve of the sale lifted 20-24; sale day \+7 / \+2\.4 / "
         r"\+0\.8 % at 00-01 / 01-02 / 02-03",
         "默认：02-07 低谷，09-10、14-16、20-22 高峰；大促前夜 20-24 上调；大促日 00-01 / 01-02 / 02-03 "
         "另加 7 / 2.4 / 0.8 %"),
        (r"default: daytime 09-23, little at night", "默认：白天 09-23，夜间很少"),
        (r"pre-sales day share (?P<d>\S+) \(day (?P<k>[-+]\d+)\)", "售前按日占比 {d}（第 {k} 天）"),
        (r"share of the pre-sales day shares outside the horizon, spread over the days inside",
         "落在排班周期外的售前占比（分摊到周期内各天）"),
        (r"refunds on the sale day (?P<d>\S+) = refund_regular_share × in-sale refunds",
         "大促日 {d} 的退款 = 普通日占比 × 大促期退款"),
        (r"after-sales contacts (?P<d>\S+) = refunds × contacts_per_refund", "售后咨询 {d} = 退款数 × 每笔退款咨询数"),
        (r"baseline contacts per day, (?P<q>\S+)", "日常咨询量（每天），{q}"),
        (r"daily total (?P<d>\S+) (?P<q>\S+) \(contacts\)", "每日合计 {d} {q}（咨询量）"),
    ],
}


def translate_step(text: str, lang: str) -> str:
    """A Forecast step (or its text value) in `lang`."""
    return _translate(text, lang, STEP_PATTERNS)
