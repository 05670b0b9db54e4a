import subprocess
import sys


def test_the_engine_imports_without_django() -> None:
    code = (
        "import sys; sys.modules['django'] = None\n"
        "import doconnect.market, doconnect.market.series, doconnect.market.kldb\n"
        "import doconnect.market.shortage, doconnect.market.regional\n"
        "import doconnect.market.bridges, doconnect.market.hiring\n"
        "assert not any(m.startswith('django') and sys.modules[m] for m in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
