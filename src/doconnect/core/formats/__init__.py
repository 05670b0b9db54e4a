"""The platform's own date and number formats per language (``FORMAT_MODULE_PATH``):
English pages use British formats (6 Dec 2026, 06/12/2026), not Django's American
ones for ``en``; German pages keep Django's ``de`` formats."""
