"""The audit trail page for administrators of the city."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

from drugscene.accounts.access import Perm
from drugscene.web.audit import audit_entries, compact_changes, object_types
from drugscene.web.common import pages, render_in, require

PAGE_SIZE = 50


@pages
def audit_page(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_AUDIT)
    types = object_types(viewer, city.pk)
    chosen = request.GET.get("type", "")
    if chosen not in types:
        chosen = ""
    page = Paginator(audit_entries(viewer, city.pk, object_type=chosen),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render_in(request, city, "web/audit.html", {
        "page": page,
        "rows": [(e, compact_changes(e.changes)) for e in page],
        "types": types,
        "chosen": chosen,
    })
