"""core's own file kinds of ``doconnect import``: a city's districts and users (see
``doconnect.core.transfers``; registered when the app is ready, since ``core.transfers``
itself is the registry). The organisations kind places organisations by the postcode
table as well, which the labour market owns: it is registered in
``labourmarket/transfers.py``."""

from __future__ import annotations

from argparse import Action, ArgumentParser
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction

from doconnect.core.city_services import districts_import, users_import
from doconnect.core.directory_file import USER_COLUMNS, read_users_csv
from doconnect.core.district_file import read_districts
from doconnect.core.invitations import password_mail_send
from doconnect.core.models import Role
from doconnect.core.transfers import ImportKind, register
from doconnect.files.importing import ImportResult

DISTRICTS_HELP = """\
districts FILE.geojson [--name-property P] [--key-property K] [--crs EPSG:NNNN]
  A GeoJSON FeatureCollection of Polygons/MultiPolygons, one feature per district, as
  cities publish them: the name and the official key from the features' properties
  (default "name" and "key"), the coordinate system from the file's "crs" member or
  --crs (without either: WGS 84 longitude/latitude), transformed to WGS 84. Boundaries
  must be valid (not self-intersecting), not empty, and may not overlap beyond a
  sliver of 0.1 %; names and keys once each. Importing again updates by key; districts
  not in the file stay. The boundaries draw the labour-market maps and place vacancies,
  BA offers and organisations by their coordinates."""

USERS_HELP = f"""\
users FILE.csv [--send-password-mail [new|all]]
  {",".join(USER_COLUMNS)}
  anna.berg,Anna,Berg,anna.berg@jobcenter.example,jobcenter,case_worker
  role one of: {", ".join(Role.values)}. Updated by username (any case); the file's
  organisation and role become the user's only membership. A new user gets no usable
  password: sign-in through the city's identity provider, or --send-password-mail: a
  mail to each new user (all: to everybody in the file without a password) with a link
  to set one, valid once and for three days, sent by the configured mail server; the
  link starts with DOCONNECT_SITE_URL."""


def district_arguments(parser: ArgumentParser) -> Sequence[Action]:
    return [
        parser.add_argument(
            "--name-property",
            default="name",
            metavar="P",
            help='districts: the feature property holding the name (default "name")',
        ),
        parser.add_argument(
            "--key-property",
            default="key",
            metavar="K",
            help='districts: the feature property holding the official key (default "key")',
        ),
        parser.add_argument(
            "--crs",
            default=None,
            metavar="EPSG:NNNN",
            help="districts: the file's coordinate system when it has no crs member",
        ),
    ]


def districts_file_import(
    data: bytes, file: str, *, name_property: str, key_property: str, crs: str | None
) -> ImportResult:
    districts = read_districts(
        data, file=file, name_property=name_property, key_property=key_property, crs=crs
    )
    return districts_import(districts=districts)


def user_arguments(parser: ArgumentParser) -> Sequence[Action]:
    return [
        parser.add_argument(
            "--send-password-mail",
            dest="invite",
            nargs="?",
            const="new",
            default=None,
            choices=["new", "all"],
            help="users: mail a link to set a password to each new user with an address "
            "(all: also to those of the file who have no password yet)",
        )
    ]


def users_file_import(data: bytes, file: str, *, invite: str | None) -> ImportResult:
    rows = read_users_csv(data, file=file, roles=Role.values)
    with transaction.atomic():
        result, created = users_import(rows=rows, file=file)
        if invite is None:
            return result
        if invite == "new":
            invited = created
        else:
            names = {r.username.casefold() for r in rows}
            invited = [
                u
                for u in User.objects.filter(is_active=True).order_by("username")
                if u.username.casefold() in names and not u.has_usable_password()
            ]
        # Inside the import's transaction: a mail server that refuses leaves nothing
        # imported, and the command can simply be run again.
        sent = password_mail_send(invited)
    return ImportResult(file=result.file, counts={**result.counts, "password_mails_sent": sent})


register(
    ImportKind(
        name="districts",
        description="the city's districts with their boundaries, GeoJSON",
        run=districts_file_import,
        position=1,
        help=DISTRICTS_HELP,
        examples=(
            "doconnect import districts stadtbezirke.geojson --name-property NAME "
            "--key-property NR --crs EPSG:25832",
        ),
        arguments=district_arguments,
    ),
    ImportKind(
        name="users",
        description="users with their organisation and role, CSV",
        run=users_file_import,
        position=3,
        help=USERS_HELP,
        examples=("doconnect import users users.csv --send-password-mail",),
        arguments=user_arguments,
    ),
)
