"""Where the files that travel with the program are: the fonts and the sample content.

The sources are the top-level `fonts/` and `content/` folders of the repository. A wheel carries copies
of them inside the package, in `briefing/_data/` (copied there by the build step in `_build_data.py`);
a checkout, an editable install or `PYTHONPATH=checkout` uses the top-level folders directly.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
SAMPLE_NAME = "jiaozuo-2025-h1.yaml"


def data_dir(name: str) -> Path:
    """The folder `name` ("fonts" or "content"): in the installed package if it is there, else at the top
    of the checkout the package was imported from."""
    inside = PACKAGE / "_data" / name
    return inside if inside.is_dir() else PACKAGE.parent / name


def installed() -> bool:
    """True when the fonts and the sample come from an installed wheel rather than a checkout."""
    return (PACKAGE / "_data").is_dir()


def sample_content() -> Path:
    """The sample briefing (Jiaozuo, first half of 2025), the model for `briefing new`."""
    return data_dir("content") / SAMPLE_NAME


def schema() -> Path:
    """The JSON Schema of content files (package data, in a wheel and in a checkout alike)."""
    return PACKAGE / "content.schema.json"
