"""What a user gets before they choose: defaults by role, and the effective choices."""

from __future__ import annotations

from dataclasses import dataclass

from drugscene.accounts.models import Role
from drugscene.notifications.models import Delivery, EventKind, NotificationPreference

K, D = EventKind, Delivery
_LEAD = {K.NEW_REPORT: D.IN_APP, K.ACTION_DUE: D.BOTH, K.ACTION_OVERDUE: D.BOTH,
         K.FOLLOW_UP_DUE: D.BOTH, K.CAME_BACK: D.BOTH, K.WALK_TASK: D.BOTH,
         K.DIGEST: D.EMAIL}
_ANALYST = {K.NEW_REPORT: D.IN_APP, K.ACTION_DUE: D.NONE, K.ACTION_OVERDUE: D.NONE,
            K.FOLLOW_UP_DUE: D.IN_APP, K.CAME_BACK: D.IN_APP, K.WALK_TASK: D.IN_APP,
            K.DIGEST: D.EMAIL}
_MEMBER = {K.NEW_REPORT: D.IN_APP, K.ACTION_DUE: D.IN_APP, K.ACTION_OVERDUE: D.IN_APP,
           K.FOLLOW_UP_DUE: D.NONE, K.CAME_BACK: D.NONE, K.WALK_TASK: D.BOTH,
           K.DIGEST: D.NONE}

#: role -> event kind -> delivery. Coordinators and administrators run the follow-up, so
#: they get deadlines and came-back alarms by e-mail too; analysts read; reporters and
#: viewers hear about their own organisation's tasks and actions.
ROLE_DEFAULTS: dict[str, dict[str, str]] = {
    Role.ADMIN: _LEAD, Role.COORDINATOR: _LEAD, Role.ANALYST: _ANALYST,
    Role.REPORTER: _MEMBER, Role.VIEWER: _MEMBER,
}
ROLE_ORDER = [Role.ADMIN, Role.COORDINATOR, Role.ANALYST, Role.REPORTER, Role.VIEWER]


def for_role(role: str) -> dict[str, str]:
    return dict(ROLE_DEFAULTS.get(role, _MEMBER))


def best_role(roles) -> str:
    """The most capable of a user's roles in a city (its defaults apply)."""
    roles = list(roles)
    return min(roles, key=ROLE_ORDER.index) if roles else Role.VIEWER


@dataclass(frozen=True)
class Choices:
    """A user's effective choices in a city (their row, or their role's defaults)."""

    deliveries: dict[str, str]
    language: str

    def of(self, kind: str) -> str:
        return self.deliveries.get(kind, Delivery.NONE)


def effective(pref: NotificationPreference | None, role: str, city_language: str) -> Choices:
    if pref is None:
        return Choices(for_role(role), city_language)
    return Choices({k: pref.choice(k) for k in EventKind.values},
                   pref.language or city_language)
