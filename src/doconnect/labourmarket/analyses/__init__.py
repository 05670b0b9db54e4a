"""The labour-market analyses on the database: each function reads what it needs in a
fixed number of queries and hands plain data to the pure engine
(``doconnect.labourmarket.engine``), one module per engine module: ``series``,
``shortage``, ``regional``, ``potentials`` (the engine's ``bridges``) and ``hiring``.

Small-number rule (``min_count``, default ``settings.SMALL_NUMBER`` through
``transparency.small_number``): counts of persons of 1 … ``min_count − 1`` are not
shown (``None``, the disclosure engine's ``hide_small``); see each function for where
it applies. Errors in the request or missing data raise ``AnalysisError`` with a
message for the user.

Rules chosen here (the engine's own rules are in ``labourmarket/engine/README.md``):

- **Periods.** Statistics periods ``YYYY-MM-DD`` (a reference day, e.g. 30 June for
  employment) count as their month; ``YYYY``, ``YYYY-Qn`` and ``YYYY-MM`` as they are.
- **Job seekers for the shortage table** come from the statistics when the region has
  ``job_seekers`` by KldB (no other dimension) in a month up to ``as_of``: the latest
  such month, at the coarsest code length that still serves the level (3 digits for
  levels 1–3 when present, else 5). Otherwise they are counted from the persons'
  unemployment spells running on ``as_of`` with an occupation sought (``source``
  ``spells``). ``source`` says which was used.
- **Vacancies**: when the job seekers come from the statistics and the same region
  and month also have registered vacancies (``vacancies`` by KldB at the same code
  length), those counts are the table's vacancies (``vacancies_source``
  ``statistics``): the BA counts job seekers and registered vacancies of the whole
  region alike, while the database holds only the vacancies the city knows, so their
  ratio would say "surplus" everywhere. Otherwise they are the ``Vacancy`` rows with a
  KldB code and a publication date, open on ``as_of``: published on or before and not
  closed before; counted by their ``positions`` (``database``). Days open always come
  from the ``Vacancy`` rows active in the year before ``as_of`` (published on or before
  it, not closed before ``as_of − 365 days``): the statistics give no durations.
- **Trend**: the same table one month earlier (the previous statistics month, the
  vacancies and spells on the same day a month before).
- **Offers → occupations**: an active offer (not ended before ``as_of``) with free
  places qualifies for the occupations in its ``occupations`` (KldB 2010, five digits),
  whatever its kind; the engine matches them to a shortage occupation by the exact code,
  else by the same Berufsgruppe (3 digits) and says which. A training offer
  (``TRAINING_KINDS``) without occupations qualifies for nothing, unless
  ``generic_offers`` is set, then for any occupation (match ``any``). An unknown
  capacity counts as no free place.
- **Hiring**: "quarters" are the three-month windows ending on ``as_of`` (the latest
  one is complete and the forecast is for the next three months), counting vacancies
  by publication date per employer (the employer organisation, else the employer name
  the source gave; vacancies with neither are left out).
"""

from doconnect.labourmarket.analyses.common import AnalysisError
from doconnect.labourmarket.analyses.hiring import (
    HIRING_QUARTERS,
    HiringResult,
    hiring_from_db,
    hiring_windows,
)
from doconnect.labourmarket.analyses.potentials import (
    TRAINING_KINDS,
    OffersUsed,
    PotentialRow,
    PotentialsResult,
    moves_from_db,
    offers_from_db,
    potentials_from_db,
)
from doconnect.labourmarket.analyses.regional import (
    RegionalResult,
    location_quotients_from_db,
    regional_from_db,
    shift_share_from_db,
)
from doconnect.labourmarket.analyses.series import indicator_series_from_db
from doconnect.labourmarket.analyses.shortage import (
    DURATION_WINDOW_DAYS,
    Level,
    ShortageResult,
    Source,
    shortage_from_db,
)

__all__ = [
    "DURATION_WINDOW_DAYS",
    "HIRING_QUARTERS",
    "TRAINING_KINDS",
    "AnalysisError",
    "HiringResult",
    "Level",
    "OffersUsed",
    "PotentialRow",
    "PotentialsResult",
    "RegionalResult",
    "ShortageResult",
    "Source",
    "hiring_from_db",
    "hiring_windows",
    "indicator_series_from_db",
    "location_quotients_from_db",
    "moves_from_db",
    "offers_from_db",
    "potentials_from_db",
    "regional_from_db",
    "shift_share_from_db",
    "shortage_from_db",
]
