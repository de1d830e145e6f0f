"""The Spanish catalogue is complete and up to date with the sources.

(a) locale/es/LC_MESSAGES/django.po has no untranslated, fuzzy or obsolete entry, and every
    translation keeps its message's placeholders (``%(name)s``, ``%s``, ``{name}``) exactly.
(b) makemessages, run on a temporary copy of the tracked source files (our command, the one
    `make messages` runs), finds no message id the committed catalogue lacks: a text marked in
    a template or module without `make messages` (and its translation) fails here, named.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\w*\}")
# Our makemessages options (Makefile: MAKEMESSAGES).
MAKEMESSAGES = [
    "makemessages",
    "--all",
    "--no-location",
    "--no-obsolete",
    "--ignore=var",
    "--ignore=tests",
    "--ignore=bench",
    "--domain",
    "django",
]


def _key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def _placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def test_no_untranslated_fuzzy_or_obsolete_entry(catalogue):
    problems = [f"untranslated: {_key(e)!r}" for e in catalogue.untranslated_entries()]
    problems += [f"fuzzy: {_key(e)!r}" for e in catalogue.fuzzy_entries()]
    problems += [f"obsolete: {_key(e)!r}" for e in catalogue.obsolete_entries()]
    assert not problems, (
        f"{len(problems)} entries of {CATALOGUE.relative_to(ROOT)} need a translator "
        "(fill msgstr, drop the fuzzy flag, `make messages` drops obsolete ones):\n"
        + "\n".join(problems)
    )


def test_translations_keep_the_placeholders(catalogue):
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            singular, plural = _placeholders(entry.msgid), _placeholders(entry.msgid_plural)
            for index, form in sorted(entry.msgstr_plural.items()):
                if not form:
                    continue
                found = _placeholders(form)
                # The singular form may leave the count out ("un día"), never add one.
                fits = found == plural or (index == 0 and found <= (singular | plural))
                if not fits:
                    problems.append(f"{_key(entry)!r} [{index}]: {form!r}")
        elif entry.msgstr and _placeholders(entry.msgstr) != _placeholders(entry.msgid):
            problems.append(f"{_key(entry)!r}: {entry.msgstr!r}")
    assert not problems, (
        "translations whose placeholders differ from their message's:\n" + "\n".join(problems)
    )


def _tracked_files() -> list[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    return [name for name in listed.decode().split("\0") if name]


def test_catalogue_is_up_to_date_with_the_sources(tmp_path):
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed: apt-get install gettext")
    files = _tracked_files()
    if not files:
        pytest.skip("not a git checkout: cannot list the tracked source files")
    copy = tmp_path / "src"
    for name in files:
        if name.startswith(("tests/", "bench/", "var/", ".")):
            continue  # makemessages ignores these (our --ignore options)
        source = ROOT / name
        if not source.is_file():
            continue  # deleted in the work tree, not yet committed
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        env={**_environment(), "DEBUG": "true"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    extracted = polib.pofile(str(copy / CATALOGUE.relative_to(ROOT)))
    committed = {_key(entry) for entry in polib.pofile(str(CATALOGUE))}
    missing = sorted(_key(entry) for entry in extracted if _key(entry) not in committed)
    assert not missing, (
        f"{len(missing)} marked texts are not in {CATALOGUE.relative_to(ROOT)}: run "
        "`make messages`, translate them, `make translations`, commit the .po:\n"
        + "\n".join(repr(message) for message in missing)
    )


def _environment() -> dict[str, str]:
    import os

    return dict(os.environ)
