"""cis-worker: turns files into searchable documents (text, pages, thumbnail, embedding)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cis-worker")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
