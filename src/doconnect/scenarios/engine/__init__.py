"""Funding scenarios: what a funder's cut, new eligibility rules or closing and opening
offers do to providers, places, pathways and coverage, and how a bridge budget is best
spent. Pure (NumPy, SciPy's HiGHS, the pathways engine), no Django; see README.md."""
