"""Labour-market analyses of issue #7 ("Beschäftigung ausgraben"): indicator series,
shortage and surplus by occupation, location quotients and shift-share, bridges into
shortage occupations and hiring forecasts (pure Python and NumPy; no Django). See
README.md."""

from doconnect.labourmarket.engine.kldb import KldbDistance, KldbError
from doconnect.labourmarket.engine.series import Period, PeriodError, SeriesPoint

__all__ = ["KldbDistance", "KldbError", "Period", "PeriodError", "SeriesPoint"]
