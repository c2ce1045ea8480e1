"""Ship the curated knowledge/ and prompts/ folders inside the wheel, as `advisor_data/`.

They stay top-level in the repository (plain files people read and edit); a non-editable install
copies them next to the package, where `advisor.resources` finds them.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_FOLDERS = ("knowledge", "prompts")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        for name in DATA_FOLDERS:
            target = Path(self.build_lib) / "advisor_data" / name
            shutil.copytree(root / name, target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithData})
