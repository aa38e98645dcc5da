"""Open311 GeoReport v2 endpoints. Thin: parse, call selectors/services, render JSON or XML.

Errors follow the specification: an array of ``{code, description}`` with the HTTP status
as code. Domain errors map in :func:`_status`: invalid input 400, a bad ``api_key`` or a
role that may not report 403, unknown jurisdiction/service/request/token 404, too many
anonymous requests 429.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters

from drugscene.accounts.access import ANONYMOUS, Viewer, viewer_for
from drugscene.accounts.tokens import user_for_token
from drugscene.core.clients import client_address
from drugscene.core.errors import (
    DomainError,
    NotVisible,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from drugscene.open311 import selectors as sel
from drugscene.open311 import services as svc
from drugscene.open311.formats import CONTENT_TYPES, errors, respond

SPEC = "http://wiki.open311.org/GeoReport_v2"
#: when this endpoint's behaviour last changed (the discovery document's changeset)
CHANGESET = datetime(2026, 11, 24, tzinfo=UTC)


def _status(exc: DomainError) -> int:
    if isinstance(exc, NotVisible):
        return 404
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, RateLimited):
        return 429
    return 400


def _descriptions(exc: DomainError) -> list[str]:
    if exc.errors:
        return [f"{name}: {message}" for name, messages in exc.errors.items()
                for message in messages]
    return [exc.message]


def open311(methods: tuple[str, ...]) -> Callable:
    """Allowed methods, and domain errors as the specification's error array."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            allowed = (*methods, "HEAD") if "GET" in methods else methods
            if request.method not in allowed:
                response = errors(fmt, 405, [_("Method %(method)s is not allowed here.")
                                             % {"method": request.method}])
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except DomainError as exc:
                return errors(fmt, _status(exc), _descriptions(exc))

        return csrf_exempt(wrapper)

    return decorate


def _params(request: HttpRequest):
    return request.POST if request.method == "POST" else request.GET


def _caller(request: HttpRequest) -> Viewer:
    """The viewer of the ``api_key`` (or ``Authorization: Bearer``); anonymous without one."""
    raw = (_params(request).get("api_key") or "").strip()
    if not raw:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            raw = header[7:].strip()
    if not raw:
        return ANONYMOUS
    user = user_for_token(raw)
    if user is None:
        raise PermissionDenied(_("api_key is invalid."))
    return viewer_for(user)


def _city(request: HttpRequest):
    return sel.jurisdiction((_params(request).get("jurisdiction_id") or "").strip() or None)


# --- discovery ---------------------------------------------------------------------------

@open311(("GET",))
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service discovery (http://wiki.open311.org/Service_discovery)."""
    changed = CHANGESET
    url = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    base = url.rsplit("/", 1)[0] + "/"
    return respond(fmt, "discovery", {
        "changeset": changed,
        "contact": _("Ask the city's drugscene administrator."),
        "key_service": _("Partners use their drugscene API token as api_key."),
        "endpoints": [{
            "specification": SPEC,
            "url": base,
            "changeset": changed,
            "type": "production",
            "formats": [CONTENT_TYPES["xml"].split(";")[0], CONTENT_TYPES["json"].split(";")[0]],
        }],
    })


# --- services ----------------------------------------------------------------------------

@open311(("GET",))
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    _caller(request)  # a bad key is refused even where it would not matter
    city = _city(request)
    return respond(fmt, "services", [sel.service_dict(c) for c in sel.services_of(city)])


@open311(("GET",))
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    _caller(request)
    city = _city(request)
    return respond(fmt, "service_definition", sel.service_definition(sel.get_service(city, code)))


# --- requests ----------------------------------------------------------------------------

@open311(("GET", "POST"))
@sensitive_post_parameters("api_key", "description", *svc.DROPPED_FIELDS)
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    viewer = _caller(request)
    city = _city(request)
    if request.method == "POST":
        return _create(request, viewer, city, fmt)
    query = _request_query(request)
    partner = sel.is_partner(viewer, city)
    rows = sel.list_requests(viewer, city, query)
    return respond(fmt, "service_requests",
                   [sel.request_dict(r, partner=partner) for r in rows])


def _create(request: HttpRequest, viewer: Viewer, city, fmt: str) -> HttpResponse:
    created = svc.submit_request(city, viewer, request.POST, client=client_address(request))
    if created.by_partner:
        item = {"service_request_id": created.report.pk, "token": created.token,
                "service_notice": _("Recorded for your organisation; it awaits the "
                                    "coordinator's review.")}
    else:
        item = {"token": created.token,
                "service_notice": _("Thank you. The city's coordinator reviews every tip; "
                                    "once it has been reviewed, the tokens call gives its "
                                    "request number. No name or contact details are "
                                    "stored.")}
    return respond(fmt, "service_requests", [item], status=201)


def _w3c(name: str, raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        value = parse_datetime(raw.strip())
    except ValueError:
        value = None
    if value is None or timezone.is_naive(value):
        raise ValidationFailed(
            _("Must be a W3C date and time with a time zone, e.g. 2010-01-01T00:00:00Z."),
            field=name)
    return value


def _csv(raw: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (raw or "").split(",") if x.strip())


def _request_query(request: HttpRequest) -> sel.RequestQuery:
    p = request.GET
    ids: list[int] = []
    for raw in _csv(p.get("service_request_id")):
        if not raw.isdigit():
            raise ValidationFailed(_("Must be whole numbers, comma separated."),
                                   field="service_request_id")
        ids.append(int(raw))
    if len(ids) > sel.MAX_REQUESTS:
        raise ValidationFailed(_("At most %(n)s values.")
                               % {"n": sel.MAX_REQUESTS}, field="service_request_id")
    statuses = tuple(s.lower() for s in _csv(p.get("status")))
    if set(statuses) - {"open", "closed"}:
        raise ValidationFailed(_("Must be open or closed."), field="status")
    return sel.RequestQuery(
        ids=tuple(ids), service_codes=_csv(p.get("service_code")),
        start=_w3c("start_date", p.get("start_date")), end=_w3c("end_date", p.get("end_date")),
        statuses=statuses,
    )


@open311(("GET",))
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    viewer = _caller(request)
    city = _city(request)
    if not request_id.isdigit():
        raise NotVisible(_("service_request_id not found: %(id)s.") % {"id": request_id})
    report = sel.get_request(viewer, city, int(request_id))
    return respond(fmt, "service_requests",
                   [sel.request_dict(report, partner=sel.is_partner(viewer, city))])


@open311(("GET",))
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    _caller(request)
    city = _city(request)
    row = sel.token_request(city, svc.token_digest(token))
    item = sel.token_dict(row, token)
    if fmt == "xml" and item["service_request_id"] is None:
        # no element rather than an empty one: XML clients such as FixMyStreet's read an
        # empty <service_request_id/> as a (true) value
        del item["service_request_id"]
    return respond(fmt, "service_requests", [item])
