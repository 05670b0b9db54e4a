from tests.purity import imports_without_django


def test_the_engine_imports_without_django() -> None:
    assert (
        imports_without_django(
            "doconnect.labourmarket.engine",
            "doconnect.labourmarket.engine.series",
            "doconnect.labourmarket.engine.kldb",
            "doconnect.labourmarket.engine.shortage",
            "doconnect.labourmarket.engine.regional",
            "doconnect.labourmarket.engine.bridges",
            "doconnect.labourmarket.engine.hiring",
        )
        == ""
    )
