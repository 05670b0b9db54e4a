from tests.purity import imports_without_django


def test_the_engine_imports_without_django() -> None:
    assert (
        imports_without_django(
            "doconnect.market",
            "doconnect.market.series",
            "doconnect.market.kldb",
            "doconnect.market.shortage",
            "doconnect.market.regional",
            "doconnect.market.bridges",
            "doconnect.market.hiring",
        )
        == ""
    )
