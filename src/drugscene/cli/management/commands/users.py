"""``drugscene users [--json]``: users with organisation, kind and role."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from drugscene.accounts.models import Membership


class Command(BaseCommand):
    help = "List users with their organisation, organisation kind and role."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **options) -> None:
        from drugscene.demo.loader import DEMO_PASSWORD

        rows = []
        memberships = Membership.objects.select_related("user", "organisation").order_by(
            "user__username", "organisation__name"
        )
        seen = set()
        for m in memberships:
            seen.add(m.user_id)
            row = {"username": m.user.username, "organisation": m.organisation.name,
                   "organisation_slug": m.organisation.slug,
                   "organisation_kind": m.organisation.kind, "role": m.role,
                   "city": m.organisation.city.slug}
            if m.is_demo:
                row["demo_password"] = DEMO_PASSWORD
            rows.append(row)
        for u in get_user_model().objects.exclude(pk__in=seen).order_by("username"):
            rows.append({"username": u.username, "organisation": None, "organisation_slug": None,
                         "organisation_kind": None, "role": "superuser" if u.is_superuser
                         else None, "city": None})
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        for r in rows:
            pw = f"  password: {r['demo_password']}" if "demo_password" in r else ""
            self.stdout.write(f"{r['username']:<14} {r['role'] or '-':<12} "
                              f"{r['organisation'] or '-'} ({r['organisation_kind'] or '-'}){pw}")
