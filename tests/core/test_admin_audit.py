"""Writes through the Django admin are audited like every other write."""

from __future__ import annotations

from drugscene.audit.models import AuditEntry
from drugscene.reports.models import Category
from tests import factories


def test_admin_change_is_audited(world, client) -> None:
    su = factories.make_user("root", None, None, is_superuser=True, is_staff=True)
    client.force_login(su)
    cat = Category.objects.get(city=world.city, slug="graffiti")
    url = f"/admin/reports/category/{cat.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"name": "Graffiti and tags", "city": world.city.pk, "order": cat.order,
                 "parent": cat.parent_id, "active": "on"})
    resp = client.post(url, data)
    assert resp.status_code == 302, resp.content[:500]
    entry = AuditEntry.objects.get(object_type="reports.category", object_id=str(cat.pk))
    assert entry.user == su and entry.channel == "admin" and entry.action == "update"
    assert entry.changes["name"] == ["Graffiti", "Graffiti and tags"]
