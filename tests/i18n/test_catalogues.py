"""Every catalogue (each language of settings.LANGUAGES but English, the source: today
Spanish; the domains django and djangojs) is complete and up to date with the sources.

(a) locale/<code>/LC_MESSAGES/<domain>.po has no untranslated, fuzzy or obsolete entry, and
    every translation keeps its message's placeholders (``%(name)s``, ``%s``, ``{name}``)
    exactly.
(b) makemessages, run on a temporary copy of the tracked source files (our command, the one
    `make messages` runs), finds no message id the committed catalogue lacks: a text marked in
    a template, module or script without `make messages` (and its translation) fails here,
    named.
"""

from __future__ import annotations

import os
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
DOMAINS = ("django", "djangojs")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\w*\}")
# Our makemessages options (Makefile: MAKEMESSAGES, and the options of `make messages`).
MAKEMESSAGES = [
    "makemessages",
    "--all",
    "--no-location",
    "--no-obsolete",
    "--ignore=var",
    "--ignore=tests",
    "--ignore=bench",
]
DOMAIN_OPTIONS = {"django": [], "djangojs": ["--ignore=static/js/htmx.min.js"]}


def catalogue_path(language: str, domain: str, root: Path = ROOT) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / f"{domain}.po"


def _key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def _placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module", params=[(lang, dom) for lang in LANGUAGES for dom in DOMAINS])
def language_and_domain(request) -> tuple[str, str]:
    return request.param


@pytest.fixture(scope="module")
def catalogue(language_and_domain) -> polib.POFile:
    language, domain = language_and_domain
    path = catalogue_path(language, domain)
    if not path.is_file():
        if domain == "django":
            pytest.fail(f"no catalogue for {language!r}: mkdir -p {path.parent}; make messages")
        pytest.skip(f"no {path.relative_to(ROOT)}: no script marks a text yet")
    return polib.pofile(str(path))


def test_no_untranslated_fuzzy_or_obsolete_entry(catalogue, language_and_domain):
    problems = [f"untranslated: {_key(e)!r}" for e in catalogue.untranslated_entries()]
    problems += [f"fuzzy: {_key(e)!r}" for e in catalogue.fuzzy_entries()]
    problems += [f"obsolete: {_key(e)!r}" for e in catalogue.obsolete_entries()]
    where = catalogue_path(*language_and_domain).relative_to(ROOT)
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


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """A copy of the tracked sources with makemessages run on it, both domains (once)."""
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
    for domain in DOMAINS:
        result = subprocess.run(
            [sys.executable, "manage.py", *MAKEMESSAGES, "--domain", domain]
            + DOMAIN_OPTIONS[domain],
            cwd=copy,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "DEBUG": "true"},
        )
        assert result.returncode == 0, result.stderr[-3000:]
    return copy


def test_catalogue_is_up_to_date_with_the_sources(extracted, language_and_domain):
    committed_path = catalogue_path(*language_and_domain)
    extracted_path = catalogue_path(*language_and_domain, root=extracted)
    found = polib.pofile(str(extracted_path)) if extracted_path.is_file() else []
    committed = (
        {_key(entry) for entry in polib.pofile(str(committed_path))}
        if committed_path.is_file()
        else set()
    )
    missing = sorted(_key(entry) for entry in found if entry.msgid and _key(entry) not in committed)
    assert not missing, (
        f"{len(missing)} marked texts are not in {committed_path.relative_to(ROOT)}: run "
        "`make messages`, translate them, `make translations`, commit the .po:\n"
        + "\n".join(repr(message) for message in missing)
    )
