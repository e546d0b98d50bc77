import json
import os

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))

# The version lives in one place, osvimdriver/pkg_info.json, which the release writes.
with open(os.path.join(HERE, "osvimdriver", "pkg_info.json"), encoding="utf-8") as f:
    PKG_INFO = json.load(f)

# The project page on the index; `twine check --strict` (run before the tag) wants one that renders.
with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
    README = f.read()

setup(
    name="os-vim-driver",
    version=PKG_INFO["version"],
    description="OpenStack VIM driver (example service for semantic-release-stack)",
    long_description=README,
    long_description_content_type="text/markdown",
    packages=["osvimdriver"],
    package_data={"osvimdriver": ["pkg_info.json"]},
    python_requires=">=3.8",
    entry_points={"console_scripts": ["os-vim-driver=osvimdriver:main"]},
)
