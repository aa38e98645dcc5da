"""``drugscene token create|list|revoke``: API tokens for partner systems."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from drugscene.accounts.models import ApiToken
from drugscene.accounts.tokens import create_token, find_user, revoke_token


class Command(BaseCommand):
    help = "Create (shown once), list or revoke API tokens."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("create", help="print a new token for USERNAME")
        c.add_argument("username")
        c.add_argument("--name", default="", help="what the token is for")
        ls = sub.add_parser("list", help="tokens of USERNAME (prefixes only)")
        ls.add_argument("username")
        r = sub.add_parser("revoke", help="revoke the token with PREFIX")
        r.add_argument("prefix")

    def handle(self, *args, action: str, **options) -> None:
        if action == "create":
            user = find_user(options["username"])
            if user is None:
                raise CommandError(f"No user {options['username']!r}.")
            _, raw = create_token(user, options["name"])
            self.stdout.write(raw)
            self.stderr.write("Store it now: it cannot be shown again. "
                              "Send it as 'Authorization: Bearer <token>'.")
        elif action == "list":
            user = find_user(options["username"])
            if user is None:
                raise CommandError(f"No user {options['username']!r}.")
            for t in ApiToken.objects.filter(user=user).order_by("created_at"):
                state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
                self.stdout.write(f"{t.prefix}…  {t.name or '-'}  {t.created_at:%Y-%m-%d}  {state}")
        else:
            tokens = list(ApiToken.objects.filter(prefix=options["prefix"], revoked_at=None))
            if len(tokens) != 1:
                raise CommandError(f"{len(tokens)} active tokens match {options['prefix']!r}.")
            revoke_token(tokens[0])
            self.stdout.write(f"revoked {tokens[0].prefix}…")
