"""The wheel carries what the package finds from its project in a checkout (toyexp.run.files.shipped):
the run and analysis notebooks, the committed demo runs, the sweep and parameter files, and the
report's style and bibliography, under ``toyexp/_shipped/``. Everything else is in pyproject.toml.

An editable install (``make install``) reads them from the project itself and copies nothing.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ["notebooks/*.ipynb", "notebooks/demo-results/**/*.*", "params/**/*.yaml", "book/_static/wrap.css", "book/references.bib"]


class BuildWithShippedFiles(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        project = Path(__file__).resolve().parent
        for pattern in SHIPPED:
            for source in sorted(project.glob(pattern)):
                if source.is_file():
                    target = Path(self.build_lib) / "toyexp" / "_shipped" / source.relative_to(project)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)


setup(cmdclass={"build_py": BuildWithShippedFiles})
