"""The interface translations (``masthead/locale``, docs/editions.md "Interface languages"):
every entry of each catalog is translated and none is fuzzy, and the compiled
``.mo`` that ships (CI machines and pip installs may have no ``msgfmt``) says
exactly what its ``.po`` says."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
CATALOGS = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
CONTEXT_SEPARATOR = "\x04"  # how gettext keys an entry with a context


def test_every_interface_language_but_english_has_a_catalog():
    languages = {path.parts[-3] for path in CATALOGS}
    assert languages == {code for code, _name in settings.LANGUAGES} - {"en"}


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda path: path.parts[-3] + "/" + path.name)
def test_every_entry_is_translated_and_none_is_fuzzy(po_path):
    catalog = polib.pofile(str(po_path))
    assert not catalog.metadata_is_fuzzy, f"{po_path}: the header is marked fuzzy"
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert not fuzzy, f"{po_path}: fuzzy entries {fuzzy[:5]}"
    empty = [entry.msgid for entry in catalog.untranslated_entries()]
    assert not empty, f"{po_path}: {len(empty)} entries untranslated, e.g. {empty[:5]}"
    obsolete = [entry.msgid for entry in catalog.obsolete_entries()]
    assert not obsolete, f"{po_path}: obsolete entries (makemessages --no-obsolete): {obsolete[:5]}"


def _expected_catalog(catalog: polib.POFile) -> dict:
    expected = {}
    for entry in catalog.translated_entries():
        key = f"{entry.msgctxt}{CONTEXT_SEPARATOR}{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                expected[(key, int(index))] = text
        else:
            expected[key] = entry.msgstr
    return expected


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda path: path.parts[-3] + "/" + path.name)
def test_the_compiled_catalog_is_the_po_files(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `masthead manage compilemessages`"
    with mo_path.open("rb") as mo_file:
        compiled = dict(gettext.GNUTranslations(mo_file)._catalog)
    compiled.pop("", None)  # the header
    assert compiled == _expected_catalog(polib.pofile(str(po_path))), (
        f"{mo_path} is out of date with {po_path.name}: run `masthead manage compilemessages`"
    )
