"""What the plan page and its progress PDF show, and the PDF itself (WeasyPrint, as the
situational picture does: a self-contained HTML document with its CSS inline)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone, translation

from drugscene.plans import selectors
from drugscene.plans.models import Plan, PlanActionStatus

#: order of the stacked bar: done first, stopped last
BAR_ORDER = (PlanActionStatus.DONE, PlanActionStatus.ONGOING, PlanActionStatus.PLANNED,
             PlanActionStatus.DELAYED, PlanActionStatus.STOPPED)


#: bar colours, given as SVG presentation attributes (the strict CSP allows them, and the
#: PDF renderer does not apply CSS ``fill`` to inline SVG)
COLOURS = {PlanActionStatus.DONE: "#1f7a3a", PlanActionStatus.ONGOING: "#d89b1a",
           PlanActionStatus.PLANNED: "#b8c0c8", PlanActionStatus.DELAYED: "#c2410c",
           PlanActionStatus.STOPPED: "#6b7280"}


def segments(by_status: dict[str, int]) -> list[tuple[str, str, str, str]]:
    """``(status, x, width, colour)`` in percent for a stacked SVG bar (attributes, not
    styles)."""
    total = sum(by_status.values())
    out, x = [], 0.0
    for status in BAR_ORDER:
        n = by_status.get(status, 0)
        if n and total:
            w = 100.0 * n / total
            out.append((status, f"{x:.2f}", f"{w:.2f}", COLOURS[status]))
            x += w
    return out


def spent_width(bucket: dict) -> str:
    """Spent as a share of budget, for a bar (capped at 100 %)."""
    if not bucket["budget_eur"]:
        return "0"
    return f"{min(100.0, 100.0 * bucket['spent_eur'] / bucket['budget_eur']):.2f}"


def _decorate(bucket: dict) -> dict:
    return {**bucket, "segments": segments(bucket["by_status"]),
            "counts": [(s, label, bucket["by_status"].get(s, 0))
                       for s, label in PlanActionStatus.choices],
            "spent_width": spent_width(bucket), "done_percent": round(100 * bucket["done_share"])}


def plan_context(plan: Plan, today: date) -> dict:
    data = selectors.progress(plan, today)
    findings = selectors.health_check(plan, today)
    return {
        "plan": plan, "today": today, "data": data,
        "overall": _decorate(data["overall"]),
        "pillars": [_decorate(b) for b in data["pillars"]],
        "themes": [_decorate(b) for b in data["themes"]],
        "working_groups": [_decorate(b) for b in data["working_groups"]],
        "overdue": data["overdue_milestones"],
        "sub_goals": data["sub_goals"],
        "findings": findings,
        "finding_groups": selectors.findings_by_kind(findings),
        "statuses": [(s, label) for s, label in PlanActionStatus.choices],
        "budget_lines": list(plan.budget_lines.all()),
    }


def document_html(plan: Plan, today: date, *, language: str | None = None) -> str:
    with translation.override(language or translation.get_language()), \
            timezone.override(plan.city.timezone):
        css = (Path(__file__).parent / "static" / "plans" / "print.css").read_text()
        return render_to_string("plans/document.html", {**plan_context(plan, today),
                                                         "css": css})


def progress_pdf(plan: Plan, today: date, *, language: str | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=document_html(plan, today, language=language)).write_pdf()
