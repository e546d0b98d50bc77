"""A small OpenStack VIM driver service, released by semantic-release-stack."""
import json
import os

_PKG_INFO = os.path.join(os.path.dirname(__file__), "pkg_info.json")

with open(_PKG_INFO, encoding="utf-8") as _f:
    __version__ = json.load(_f)["version"]


def main():
    print(f"os-vim-driver {__version__}")
