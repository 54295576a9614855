"""Ships configs/ and data/ inside the installed package (as model/_resources/), so an installed
carelines finds them away from the checkout (model/paths.py). Everything else is in pyproject.toml."""

import os

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


class build_py_with_resources(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's folders
        for name in ("configs", "data"):
            self.copy_tree(os.path.join(HERE, name), os.path.join(self.build_lib, "model", "_resources", name))


setup(cmdclass={"build_py": build_py_with_resources})
