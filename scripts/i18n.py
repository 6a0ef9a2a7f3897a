"""Keep the message catalogs true to the source.

    python scripts/i18n.py update   # extract ids from feetui/, add new ones to both catalogs
    python scripts/i18n.py check    # exit 1 listing ids without a zh_CN translation
    python scripts/i18n.py compile [OUT]  # write .mo files beside the .po, or under OUT
                                          # (OUT/<lang>/LC_MESSAGES/feetui.mo: the binary build)

Message ids are English. en_US entries are filled with the id itself (complete by construction);
zh_CN entries must be translated by hand: `update` leaves them empty, and `check` (run by the test
suite) fails until they are filled. Output is sorted and has no line references, so parallel work
merges cleanly.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "feetui"
SOURCES = (SOURCE, ROOT / "sync_server")
"""The packages whose messages the catalogs hold (the server's command line reads them too)."""
LOCALE = SOURCE / "locale"
LANGS = ("zh_CN", "en_US")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    """All message ids used in feetui/ and sync_server/ (``_``, ``N_``, ``ngettext``)."""
    catalog = Catalog(project="feetui", charset="utf-8")
    method_map = [("**.py", "python")]
    for folder in SOURCES:
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(folder), method_map=method_map, keywords=KEYWORDS
        ):
            catalog.add(message)
    return catalog


def po_path(lang: str) -> Path:
    """Where the catalog of ``lang`` lives."""
    return LOCALE / lang / "LC_MESSAGES" / "feetui.po"


def read(lang: str) -> Catalog:
    """Read the catalog of ``lang``."""
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


# Fixed header dates keep the catalogs byte-stable, so parallel branches merge without conflicts.
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def write(lang: str, catalog: Catalog) -> None:
    """Write ``catalog`` sorted and without line references."""
    catalog.creation_date = FIXED_DATE
    catalog.revision_date = FIXED_DATE
    with po_path(lang).open("wb") as handle:
        write_po(handle, catalog, width=0, no_location=True, sort_output=True, omit_header=False)


def update() -> None:
    """Add new ids to both catalogs, drop ids no longer used, fill en_US with the ids."""
    template = extract()
    for lang in LANGS:
        catalog = read(lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        for message in catalog:
            if not message.id:
                continue
            message.flags.discard("fuzzy")
            if lang == "en_US" and not message.string:
                message.string = message.id
        write(lang, catalog)


def missing() -> dict[str, list[str]]:
    """Ids used in the source that a catalog does not translate, per language."""
    template = extract()
    result: dict[str, list[str]] = {}
    for lang in LANGS:
        catalog = read(lang)
        gaps = []
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id)
            if (
                found is None
                or not found.string
                or (isinstance(found.string, tuple) and not all(found.string))
            ):
                gaps.append(message.id if isinstance(message.id, str) else message.id[0])
        result[lang] = gaps
    return result


def compile_all(out: Path | None = None) -> list[Path]:
    """Write feetui.mo beside each feetui.po, or under ``out`` in the same folder layout.

    The binary build compiles into its own folder so the source tree keeps no stale ``.mo``.

    Returns:
        The files written.
    """
    written = []
    for lang in LANGS:
        catalog = read(lang)
        target = po_path(lang).with_suffix(".mo")
        if out is not None:
            target = out / lang / "LC_MESSAGES" / "feetui.mo"
            target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    """Run the sub-command named in ``argv``."""
    command = argv[0] if argv else "check"
    if command == "update":
        update()
        return 0
    if command == "compile":
        compile_all(Path(argv[1]) if len(argv) > 1 else None)
        return 0
    gaps = missing()
    bad = False
    for lang, ids in gaps.items():
        for message_id in ids:
            print(f"{lang}: untranslated: {message_id!r}")
            bad = True
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
