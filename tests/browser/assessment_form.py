"""Filling the assessment form in a real browser the way a physio does, counting the clicks.

A section the field is in is opened first (its link in the section list), as a physio moves
through the form; each tick, choice, typed field, "None of these" and section change is one
click (a select is counted as one: choosing with the keyboard).
"""

from __future__ import annotations

from playwright.sync_api import Page

from clinical.intake import RED_FLAG_QUESTIONS_BY_KEY


class AssessmentFiller:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.clicks = 0

    def open_section_of(self, name: str) -> None:
        field = self.page.locator(f'[name="{name}"]').first
        if field.is_visible():
            return
        section = field.evaluate(
            "element => element.closest('[data-section]')?.dataset.section || ''"
        )
        if section:
            self.page.locator(f'a[href="#section-{section}"]').first.click()
            self.clicks += 1

    def fill(self, data: dict) -> None:
        """Tick, choose and type every answer in `data` except the red flags."""
        for name, value in data.items():
            if name.startswith("rf_"):
                continue
            self.open_section_of(name)
            for item in value if isinstance(value, list) else [value]:
                field = self.page.locator(f'[name="{name}"]')
                kind = field.first.get_attribute("type")
                if kind in ("checkbox", "radio"):
                    self.page.locator(f'[name="{name}"][value="{item}"]').check()
                elif field.first.evaluate("element => element.tagName") == "SELECT":
                    field.select_option(str(item))
                else:
                    field.fill(str(item))
                self.clicks += 1

    def none_of_these(self, data: dict) -> list[str]:
        """Answer the red-flag groups of `data` with their "None of these" buttons."""
        names = [name for name in data if name.startswith("rf_")]
        if names:
            self.open_section_of(names[0])
        groups = sorted({RED_FLAG_QUESTIONS_BY_KEY[name[3:]].group.value for name in names})
        for group in groups:
            self.page.get_by_role("button", name=f"None of these (group {group})").click()
            self.clicks += 1
        return groups

    def submit(self) -> None:
        self.page.get_by_role("button", name="Record assessment").click()
        self.clicks += 1


def page_height(page: Page) -> int:
    return page.evaluate("document.body.scrollHeight")
