"""The repository's documentation stands alone.

No tracked file may cite a planning document kept outside the repository; the rules and the design
are written in docs/ with their public sources. Every relative link in the Markdown files and
every ``docs/<page>.md#<section>`` cited in code must lead to a page and a heading that exist.
No database, no network.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# Documents that lived beside the repository, never in it. Built from parts so that this file,
# which must name them, does not cite them.
OUTSIDE_NAMES = ("DESIGN", "DOMAIN", "STYLE", "DEPENDENCIES", "ROADMAP")
_NAMES = "|".join(OUTSIDE_NAMES)
OUTSIDE_CITATION = re.compile(
    rf"\b(?:{_NAMES})\.md\b"  # a name with its extension
    rf"|\b(?:{_NAMES})(?:'s)?\s+(?:s\.|§)\s*\d"  # a name with a section number, "s.3" or "§2"
    r"|\.\./shared/"  # a relative path out of the repository
    r"|" + re.escape("/work/" + "shared")  # the absolute path of the same folder
)
# Walked only when git is not available (an unpacked archive).
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", "staticfiles", "var"}

MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE_CITATION = re.compile(r"\bdocs/([\w.-]+\.md)(?:#([\w-]+))?")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def tracked_files() -> list[Path]:
    """Files under version control; every file outside .git when git cannot answer."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return sorted(
            path
            for path in ROOT.rglob("*")
            if path.is_file() and not SKIP_DIRS.intersection(path.relative_to(ROOT).parts)
        )
    names = [name for name in listed.decode("utf-8").split("\0") if name]
    return sorted(ROOT / name for name in names if (ROOT / name).is_file())


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None  # binary (compiled catalogues, images)


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """Markdown lines outside fenced code blocks, with inline code removed."""
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, re.sub(r"`[^`]*`", "", line)


def heading_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match:
            slug = heading_slug(match.group(2))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def markdown_files() -> list[Path]:
    return [path for path in tracked_files() if path.suffix == ".md"]


def test_no_tracked_file_cites_a_document_kept_outside_the_repository() -> None:
    offences = []
    for path in tracked_files():
        text = read_text(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE_CITATION.search(line):
                offences.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offences, (
        "These lines cite a document that is not in the repository; cite the section of "
        "docs/domain.md, docs/design.md or docs/contributing.md that says the same instead:\n"
        + "\n".join(offences)
    )


def test_the_outside_citation_pattern_catches_each_form_and_spares_the_docs_pages() -> None:
    cited = [
        "(" + "DOMAIN" + ".md §5)",
        "(" + "DOMAIN" + " s.3)",
        "see ../" + "shared/notes.md",
        "/work/" + "shared/" + "DESIGN" + ".md",
        "(" + "STYLE" + '.md, "Models")',
    ]
    spared = ["docs/design.md#retention", "(docs/domain.md#identification)", "shared by both"]
    assert [text for text in cited if not OUTSIDE_CITATION.search(text)] == []
    assert [text for text in spared if OUTSIDE_CITATION.search(text)] == []


def test_the_readme_and_the_docs_pages_are_tracked() -> None:
    tracked = {path.relative_to(ROOT).as_posix() for path in markdown_files()}
    expected = {"README.md", "docs/domain.md", "docs/design.md", "docs/contributing.md"}
    assert expected <= tracked


def test_every_relative_markdown_link_points_to_an_existing_file_and_heading() -> None:
    broken = []
    for page in markdown_files():
        for number, line in prose_lines(page.read_text(encoding="utf-8")):
            for target in MARKDOWN_LINK.findall(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
                    continue  # https:, mailto: …
                path_part, _, fragment = target.partition("#")
                linked = (page.parent / path_part).resolve() if path_part else page
                where = f"{page.relative_to(ROOT)}:{number}: ({target})"
                if not linked.exists():
                    broken.append(f"{where} — no such file")
                elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
                    broken.append(f"{where} — {linked.name} has no heading #{fragment}")
    assert not broken, "Broken links in the documentation:\n" + "\n".join(broken)


def test_every_docs_section_cited_anywhere_exists() -> None:
    broken = []
    for path in tracked_files():
        text = read_text(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            for page_name, fragment in CODE_CITATION.findall(line):
                page = DOCS / page_name
                where = f"{path.relative_to(ROOT)}:{number}: docs/{page_name}#{fragment}"
                if not page.exists():
                    broken.append(f"{where} — no such page")
                elif fragment and fragment not in anchors(page):
                    broken.append(f"{where} — no such heading")
    assert not broken, "Citations of docs/ that lead nowhere:\n" + "\n".join(broken)


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Identification", "identification"),
        ("When a dimension is positive", "when-a-dimension-is-positive"),
        ("Sexual-exploitation lists", "sexual-exploitation-lists"),
        ("API (`/api/v1/screening`)", "api-apiv1screening"),
        (
            "Referrals, the service directory and case transfers",
            "referrals-the-service-directory-and-case-transfers",
        ),
    ],
)
def test_heading_slugs_follow_githubs_rule(heading: str, slug: str) -> None:
    assert heading_slug(heading) == slug
