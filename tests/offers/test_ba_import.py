"""Training and apprenticeship offers from the BA's Weiterbildungs- and Ausbildungssuche:
read from recorded samples, written all or nothing, updated on a re-import without
touching what the city changed by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from doconnect.core.models import Organisation
from doconnect.files.importing import ImportFailed
from doconnect.labourmarket.employers.models import PostcodeDistrict
from doconnect.offers.ba_import import BAOfferResponse, ba_offers_import, read_ba_offers
from doconnect.offers.models import Offer, OfferSource
from doconnect.offers.services import offer_update
from tests.conftest import City

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "ba"
WB = OfferSource.WEITERBILDUNGSSUCHE
AB = OfferSource.AUSBILDUNGSSUCHE


def read(name: str, source: str = WB) -> BAOfferResponse:
    folder = "weiterbildungssuche" if source == WB else "ausbildungssuche"
    return read_ba_offers((SAMPLES / folder / name).read_bytes(), file=name, source=source)


def import_sample(name: str, source: str = WB) -> dict[str, int]:
    return ba_offers_import(response=read(name, source)).counts


def problems(name: str, source: str = WB) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        read(name, source)
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def postcodes(city: City) -> City:
    PostcodeDistrict.objects.create(postcode="44145", district=city.district)
    PostcodeDistrict.objects.create(postcode="44263", district=city.other_district)
    return city


def test_the_weiterbildungssuche_sample_reads() -> None:
    response = read("dortmund.json")
    first, second, third = response.offers
    assert (first.reference, first.title) == (
        "190000001",
        "Fachkraft Lagerlogistik – Teilqualifikation 1",
    )
    assert (first.provider_name, first.provider_reference) == (
        "Beispiel Bildungswerk gGmbH",
        "300001",
    )
    # Milliseconds since 1970, read as days in Germany.
    assert (first.start, first.end) == (dt.date(2027, 1, 11), dt.date(2027, 6, 30))
    assert (first.postcode, first.place) == ("44145", "Dortmund")
    assert (first.voucher_eligible, first.capacity) == (True, 12)
    assert (second.start, second.capacity, second.voucher_eligible) == (
        dt.date(2027, 2, 1),
        None,
        False,
    )
    assert third.reference == "190000003" and third.start is None


def test_the_ausbildungssuche_sample_reads_both_address_forms() -> None:
    first, second = read("dortmund.json", AB).offers
    assert (first.postcode, first.capacity, first.voucher_eligible) == ("44369", 20, None)
    assert (second.provider_name, second.provider_reference) == (
        "Beispiel Bildungswerk gGmbH",
        "",
    )
    assert (second.postcode, second.place) == ("44357", "Dortmund")


def test_missing_keys_are_named() -> None:
    assert problems("malformed-missing-keys.json") == [
        "malformed-missing-keys.json:4: _embedded.termine[0].angebot: is missing",
        "malformed-missing-keys.json:8: _embedded.termine[1].id: is missing",
        "malformed-missing-keys.json:13: _embedded.termine[2].angebot.titel: is missing",
        "malformed-missing-keys.json:13: _embedded.termine[2].angebot.bildungsanbieter.name: "
        "is missing",
    ]
    assert problems("malformed-no-embedded.json") == [
        "malformed-no-embedded.json:1: _embedded: is missing"
    ]


def test_wrong_types_are_named() -> None:
    assert problems("malformed-wrong-types.json") == [
        "malformed-wrong-types.json:7: _embedded.termine[0].beginn: expected a date as "
        'YYYY-MM-DD or milliseconds since 1970, found "morgen"',
        "malformed-wrong-types.json:9: _embedded.termine[0].foerderung: expected true or "
        'false, found a string ("ja")',
        "malformed-wrong-types.json:10: _embedded.termine[0].teilnehmerMax: expected a whole "
        'number, found a string ("zwölf")',
        "malformed-wrong-types.json:11: _embedded.termine[0].adresse.ortStrasse.plz: expected "
        'a five-digit postcode, found "4413"',
        "malformed-wrong-types.json:13: _embedded.termine[1].ende: 2027-01-01 is before "
        "beginn 2027-07-01",
        "malformed-wrong-types.json:15: _embedded.termine[1].angebot: expected an object, "
        'found a string ("Deutschkurs")',
        "malformed-wrong-types.json:19: _embedded.termine[2]: expected an object, found a "
        "number (42)",
    ]


def test_empty_lists_are_refused() -> None:
    assert problems("malformed-empty-list.json") == [
        "malformed-empty-list.json:2: _embedded.termine: is empty: the file holds no offers "
        "to import"
    ]
    assert problems("malformed-empty-list.json", AB) == [
        "malformed-empty-list.json:1: _embedded.termine: is empty: the file holds no offers "
        "to import"
    ]


@pytest.mark.django_db
def test_offers_are_created_with_source_provider_and_district(postcodes: City) -> None:
    counts = import_sample("dortmund.json")
    assert counts == {
        "providers_created": 2,
        "offers_created": 3,
        "offers_updated": 0,
        "offers_unchanged": 0,
        "fields_kept_as_edited": 0,
        # The city has no boundaries here: the postcode table places 44145; Bochum's
        # 44787 and 44339 (not in the table) stay without a district.
        "placed_by_coordinates": 0,
        "placed_by_postcode": 1,
        "not_placed": 2,
    }
    offer = Offer.objects.get(source=WB, source_reference="190000001")
    assert offer.external_id == "ba-wb-190000001"
    assert (offer.kind, offer.status) == ("further_training", "active")
    assert offer.district == postcodes.district
    assert (offer.capacity, offer.voucher_eligible) == (12, True)
    assert (offer.start, offer.end) == (dt.date(2027, 1, 11), dt.date(2027, 6, 30))
    assert (offer.postcode, offer.place) == ("44145", "Dortmund")
    assert offer.provider.external_id == "ba-anbieter-300001"
    assert offer.provider.kind == "provider"
    assert offer.provider.name == "Beispiel Bildungswerk gGmbH"
    # Bochum is not in the city's table: no district, not a guess.
    assert Offer.objects.get(source_reference="190000002").district is None
    # Both dates of provider 300001 share one organisation.
    assert Offer.objects.get(source_reference="190000003").provider == offer.provider


@pytest.mark.django_db
def test_apprenticeships_get_their_kind_and_providers_are_matched_by_name(
    postcodes: City,
) -> None:
    own = Organisation.objects.create(
        external_id="p-bildungswerk", name="Beispiel Bildungswerk gGmbH", kind="provider"
    )
    import_sample("dortmund.json", AB)
    offers = Offer.objects.filter(source=AB).order_by("source_reference")
    assert [o.kind for o in offers] == ["apprenticeship", "apprenticeship"]
    assert offers[1].provider == own  # matched by name, not duplicated
    assert offers[0].provider.external_id == "ba-anbieter-400001"
    assert offers[0].external_id == "ba-ab-290000001"


@pytest.mark.django_db
def test_a_re_import_updates_by_the_ba_id(postcodes: City) -> None:
    import_sample("dortmund.json")
    pk = Offer.objects.get(source_reference="190000001").pk
    counts = import_sample("dortmund-update.json")
    assert counts["offers_updated"] == 1 and counts["offers_created"] == 0
    offer = Offer.objects.get(pk=pk)
    assert offer.title == "Fachkraft Lagerlogistik – Teilqualifikation 1 (neu)"
    assert (offer.capacity, offer.district) == (14, postcodes.other_district)
    assert (offer.start, offer.end) == (dt.date(2027, 1, 18), dt.date(2027, 7, 9))
    assert Offer.objects.filter(source=WB).count() == 3
    assert import_sample("dortmund-update.json")["offers_unchanged"] == 1


@pytest.mark.django_db
def test_what_the_city_edited_by_hand_survives_a_re_import(postcodes: City) -> None:
    import_sample("dortmund.json")
    offer = Offer.objects.get(source_reference="190000001")
    coordinator = User.objects.create_user("koordination")
    changed = offer_update(
        offer=offer,
        changed_by=coordinator,
        title="Lagerlogistik TQ1 (Dortmund-Nord)",
        capacity=10,
        description="Mit Sprachförderung.",
    )
    assert sorted(changed) == ["capacity", "description", "title"]
    offer.refresh_from_db()
    assert offer.locally_edited == ["capacity", "description", "title"]

    counts = import_sample("dortmund-update.json")
    assert counts["offers_updated"] == 1 and counts["fields_kept_as_edited"] == 2
    offer.refresh_from_db()
    assert offer.title == "Lagerlogistik TQ1 (Dortmund-Nord)"
    assert offer.capacity == 10
    assert offer.description == "Mit Sprachförderung."
    # What the city did not touch follows the BA.
    assert offer.district == postcodes.other_district
    assert (offer.start, offer.end) == (dt.date(2027, 1, 18), dt.date(2027, 7, 9))


@pytest.mark.django_db
def test_new_dates_clashing_with_a_hand_set_start_write_nothing(postcodes: City) -> None:
    import_sample("dortmund.json")
    offer = Offer.objects.get(source_reference="190000001")
    offer_update(offer=offer, changed_by=User.objects.create_user("k"), start=dt.date(2027, 6, 1))
    data = (SAMPLES / "weiterbildungssuche" / "dortmund-update.json").read_bytes()
    response = read_ba_offers(data.replace(b"2027-07-09", b"2027-05-01"), file="u.json", source=WB)
    with pytest.raises(ImportFailed, match=r"before the start .* the city set by hand"):
        ba_offers_import(response=response)
    offer.refresh_from_db()
    assert offer.end == dt.date(2027, 6, 30) and offer.capacity == 12


@pytest.mark.django_db
def test_a_malformed_file_writes_nothing(postcodes: City) -> None:
    import_sample("dortmund.json")
    before = (
        list(Offer.objects.order_by("id").values()),
        list(Organisation.objects.order_by("id").values()),
    )
    for name in (
        "malformed-missing-keys.json",
        "malformed-wrong-types.json",
        "malformed-empty-list.json",
    ):
        with pytest.raises(ImportFailed):
            import_sample(name)
    after = (
        list(Offer.objects.order_by("id").values()),
        list(Organisation.objects.order_by("id").values()),
    )
    assert after == before


@pytest.mark.django_db(transaction=True)
def test_a_failure_while_writing_rolls_back_the_providers_too(
    postcodes: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Offer.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        import_sample("dortmund.json")
    assert not Organisation.objects.filter(external_id__startswith="ba-").exists()
    assert not Offer.objects.filter(source=WB).exists()


@pytest.mark.django_db
def test_the_citys_own_offers_keep_no_source(city: City) -> None:
    assert city.offer_a.source == "" and city.offer_a.locally_edited == []
    offer_update(offer=city.offer_a, changed_by=User.objects.create_user("k"), capacity=3)
    city.offer_a.refresh_from_db()
    assert city.offer_a.locally_edited == ["capacity"]
