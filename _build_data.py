"""Build step (setuptools `build_py`): the wheel carries the fonts and the sample content.

The sources stay where they are, the top-level `fonts/` and `content/` folders of the repository; this
step copies them into the built package as `briefing/_data/fonts/` and `briefing/_data/content/`, where
`briefing/bundled.py` finds them at run time. An editable install copies nothing: it reads the
top-level folders of the checkout directly. The sdist carries the folders (MANIFEST.in), so a wheel
built from the sdist gets them too.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# folder → the files of it that travel: the fonts with their licences and provenance; the sample
BUNDLED = {
    "fonts": ("*.ttf", "*.icc", "OFL-*.txt", "PROVENANCE.md", "SHA256SUMS"),
    "content": ("*.yaml",),
}


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder, patterns in BUNDLED.items():
            files = sorted({f for pattern in patterns for f in (ROOT / folder).glob(pattern) if f.is_file()})
            if not files:
                raise SystemExit(f"error: {ROOT / folder} has none of {', '.join(patterns)}: "
                                 "build from a complete checkout or sdist")
            target = Path(self.build_lib) / "briefing" / "_data" / folder
            target.mkdir(parents=True, exist_ok=True)
            for f in files:
                shutil.copyfile(f, target / f.name)
