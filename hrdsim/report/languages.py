"""The report's languages and the Babel locale each is formatted in (no imports, so that
the command line can offer the choice without loading anything)."""

LOCALES: dict[str, str] = {"en": "en_GB", "fi": "fi_FI"}
LANGUAGES: tuple[str, ...] = tuple(LOCALES)

__all__ = ["LANGUAGES", "LOCALES"]
