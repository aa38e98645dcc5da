"""The coordinators' review queue: new reports, oldest first, with duplicate hints."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

from drugscene.accounts.access import Perm
from drugscene.reports.selectors import review_queue
from drugscene.web.common import pages, render_in, require
from drugscene.web.duplicates import possible_duplicates

PAGE_SIZE = 50


@pages
def review_page(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.REVIEW_REPORTS)
    page = Paginator(review_queue(viewer, city.pk), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(r, list(possible_duplicates(viewer, r))) for r in page]
    return render_in(request, city, "web/review_queue.html", {
        "page": page,
        "rows": rows,
        "can_review": True,
        "next": request.get_full_path(),
    })
