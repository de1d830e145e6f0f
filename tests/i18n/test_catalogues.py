"""Every catalogue (each language of settings.LANGUAGES but English, the source: today
Spanish) is complete and up to date with the sources.

(a) locale/<code>/LC_MESSAGES/django.po has no untranslated, fuzzy or obsolete entry, and every
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
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = [code for code, _ in settings.LANGUAGES if code.split("-")[0] != "en"]


def catalogue_path(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


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


@pytest.fixture(scope="module", params=LANGUAGES)
def language(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def catalogue(language) -> polib.POFile:
    path = catalogue_path(language)
    assert path.is_file(), f"no catalogue for {language!r}: mkdir -p {path.parent}, make messages"
    return polib.pofile(str(path))


def test_no_untranslated_fuzzy_or_obsolete_entry(catalogue, language):
    problems = [f"untranslated: {_key(e)!r}" for e in catalogue.untranslated_entries()]
    problems += [f"fuzzy: {_key(e)!r}" for e in catalogue.fuzzy_entries()]
    problems += [f"obsolete: {_key(e)!r}" for e in catalogue.obsolete_entries()]
    where = catalogue_path(language).relative_to(ROOT)
    assert not problems, (
        f"{len(problems)} entries of {where} need a translator "
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


def test_catalogue_is_up_to_date_with_the_sources(tmp_path_factory, language):
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed: apt-get install gettext")
    files = _tracked_files()
    if not files:
        pytest.skip("not a git checkout: cannot list the tracked source files")
    copy = tmp_path_factory.mktemp("src")
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
    committed_path = catalogue_path(language)
    extracted = polib.pofile(str(copy / committed_path.relative_to(ROOT)))
    committed = {_key(entry) for entry in polib.pofile(str(committed_path))}
    missing = sorted(_key(entry) for entry in extracted if _key(entry) not in committed)
    assert not missing, (
        f"{len(missing)} marked texts are not in {committed_path.relative_to(ROOT)}: run "
        "`make messages`, translate them, `make translations`, commit the .po:\n"
        + "\n".join(repr(message) for message in missing)
    )


def _environment() -> dict[str, str]:
    import os

    return dict(os.environ)
