"""``drugscene city create|add-organisation|list``: set up a city to import real data into."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    requires_system_checks: list = []  # the URL checks import every page (seconds)

    help = ("Create a city (with the default categories) and the organisations whose data "
            "you import. See docs/guides/import.md.")

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a city")
        create.add_argument("--slug", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--crs", default="EPSG:3006",
                            help="metric coordinate reference system, e.g. EPSG:27700")
        create.add_argument("--timezone", default="Europe/Stockholm")
        create.add_argument("--language", default="sv", help="default language (sv, en, nl, nb)")
        create.add_argument("--population", type=int)
        where = create.add_mutually_exclusive_group()
        where.add_argument("--boundary", help="GeoJSON file with the city's outline")
        where.add_argument("--from-points",
                           help="outline around the points of a file (read like an import)")
        where.add_argument("--bbox", help="min_lon,min_lat,max_lon,max_lat")
        create.add_argument("--mapping", help="mapping (TOML) to read --from-points with")
        org = sub.add_parser("add-organisation", help="add an organisation to a city")
        org.add_argument("--city", required=True)
        org.add_argument("--name", required=True)
        org.add_argument("--kind", required=True, help="police, municipality, ...")
        org.add_argument("--slug")
        sub.add_parser("list", help="list the cities with their organisations")

    def handle(self, *args, **o) -> None:
        from drugscene.imports.setup import SetupError

        try:
            getattr(self, "_" + o["action"].replace("-", "_"))(o)
        except SetupError as exc:
            raise CommandError(str(exc)) from None

    def _create(self, o: dict) -> None:
        from drugscene.imports import setup

        boundary = None
        if o["boundary"]:
            boundary = setup.boundary_from_geojson(o["boundary"])
        elif o["bbox"]:
            boundary = setup.boundary_from_bbox(o["bbox"])
        elif o["from_points"]:
            boundary = self._points_outline(o["from_points"], o["mapping"])
        city = setup.create_city(slug=o["slug"], name=o["name"], crs=o["crs"],
                                 timezone=o["timezone"], language=o["language"],
                                 boundary=boundary, population=o["population"])
        where = "no boundary (every position is accepted)" if boundary is None else "a boundary"
        self.stdout.write(f"Created city {city.slug} ({city.name}) with {where} and the "
                          "default categories. Add the source with 'drugscene city "
                          f"add-organisation --city {city.slug} --name ... --kind ...'.")

    def _points_outline(self, path: str, mapping_path: str | None) -> dict:
        import numpy as np
        from pyproj import Transformer

        from drugscene.imports.mapping import MappingError, default_mapping, load_mapping
        from drugscene.imports.readers import GEOMETRY_X, GEOMETRY_Y, ReadError, open_table
        from drugscene.imports.setup import SetupError, boundary_from_points
        from drugscene.imports.validate import _number

        try:
            m = load_mapping(mapping_path) if mapping_path else default_mapping()
            table = open_table(path, format=m.format, delimiter=m.delimiter,
                               encoding=m.encoding, layer=m.layer)
        except (MappingError, ReadError) as exc:
            raise SetupError(str(exc)) from None
        geo = table.unit == "feature"
        use_geometry = geo and (not m.path or "x" not in m.columns)
        xcol = GEOMETRY_X if use_geometry else (m.column("x") or "lon")
        ycol = GEOMETRY_Y if use_geometry else (m.column("y") or "lat")
        if xcol not in table.header or ycol not in table.header:
            raise SetupError(f"{path}: no columns {xcol!r} and {ycol!r}")
        ix, iy = table.header.index(xcol), table.header.index(ycol)
        filters = [(table.header.index(c), set(v)) for c, v in m.filter.items()
                   if c in table.header]
        xs, ys = [], []
        for _, raw in table.rows:
            if len(raw) != len(table.header):
                continue
            if filters and not all(raw[i] in kept for i, kept in filters):
                continue
            x, y = _number(raw[ix].strip()), _number(raw[iy].strip())
            if x is not None and y is not None:
                xs.append(x)
                ys.append(y)
        x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        crs = table.crs if use_geometry and table.crs else m.crs
        if crs not in ("EPSG:4326", "OGC:CRS84"):
            x, y = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
        return boundary_from_points(np.asarray(x), np.asarray(y))

    def _add_organisation(self, o: dict) -> None:
        from drugscene.cities.models import City
        from drugscene.imports.setup import SetupError, add_organisation

        city = City.objects.filter(slug=o["city"]).first()
        if city is None:
            raise SetupError(f"no city {o['city']!r}")
        org = add_organisation(city, name=o["name"], kind=o["kind"], slug=o["slug"])
        self.stdout.write(f"Added {org.name} ({org.slug}, {org.kind}) to {city.slug}.")

    def _list(self, o: dict) -> None:
        from drugscene.cities.models import City

        for city in City.objects.prefetch_related("organisations").order_by("slug"):
            orgs = ", ".join(f"{x.name} ({x.slug})" for x in city.organisations.all())
            self.stdout.write(f"{city.slug}\t{city.name}\t{orgs}")
