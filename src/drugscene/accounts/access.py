"""Who is asking: the :class:`Viewer` every selector and service receives.

Visibility of reports depends on the viewer's *organisations*; what a viewer may *do*
depends on the *role* of the membership (see :data:`PERMISSIONS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from drugscene.accounts.models import Membership, Role


class Perm(StrEnum):
    VIEW_REPORTS = "view_reports"
    CREATE_REPORT = "create_report"
    REVIEW_REPORTS = "review_reports"
    MANAGE_PLACES = "manage_places"
    EXPORT = "export"
    VIEW_AUDIT = "view_audit"


PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.VIEWER: frozenset({Perm.VIEW_REPORTS}),
    Role.REPORTER: frozenset({Perm.VIEW_REPORTS, Perm.CREATE_REPORT}),
    Role.ANALYST: frozenset({Perm.VIEW_REPORTS, Perm.CREATE_REPORT, Perm.EXPORT}),
    Role.COORDINATOR: frozenset(
        {Perm.VIEW_REPORTS, Perm.CREATE_REPORT, Perm.REVIEW_REPORTS, Perm.MANAGE_PLACES,
         Perm.EXPORT}
    ),
    Role.ADMIN: frozenset(Perm),
}


@dataclass(frozen=True)
class Seat:
    """One membership: an organisation in a city, with a role."""

    organisation_id: int
    organisation_kind: str
    city_id: int
    role: str


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    username: str = ""
    is_superuser: bool = False
    seats: tuple[Seat, ...] = field(default_factory=tuple)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(s.organisation_id for s in self.seats)

    @property
    def city_ids(self) -> frozenset[int]:
        return frozenset(s.city_id for s in self.seats)

    def seat_in(self, city_id: int) -> Seat | None:
        """The membership used when acting in a city (the most capable one)."""
        order = [Role.ADMIN, Role.COORDINATOR, Role.ANALYST, Role.REPORTER, Role.VIEWER]
        seats = sorted(
            (s for s in self.seats if s.city_id == city_id), key=lambda s: order.index(s.role)
        )
        return seats[0] if seats else None

    def can(self, perm: Perm, city_id: int) -> bool:
        if self.is_superuser:
            return True
        return any(perm in PERMISSIONS[s.role] for s in self.seats if s.city_id == city_id)

    def cities_where(self, perm: Perm) -> frozenset[int]:
        return frozenset(s.city_id for s in self.seats if perm in PERMISSIONS[s.role])


ANONYMOUS = Viewer(user_id=None)


def viewer_for(user) -> Viewer:
    """Build the viewer of a Django user (or the anonymous viewer)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    seats = tuple(
        Seat(m.organisation_id, m.organisation.kind, m.organisation.city_id, m.role)
        for m in Membership.objects.filter(user=user).select_related("organisation")
    )
    return Viewer(user.pk, user.get_username(), bool(user.is_superuser), seats)
