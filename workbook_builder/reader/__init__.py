"""The round-trip reader: validate returned workbooks and consolidate a folder."""

from .batch import collect, frames, validate_many
from .findings import CODES, FileReport, Finding
from .validate import validate_file


def consolidate(paths, sign_key: bytes | None = None):
    """pandas API: {'汇总': ..., '得分': ..., '问题': ...} DataFrames for files and folders."""
    paths = list(paths)
    root = paths[0] if len(paths) == 1 else None
    return frames(validate_many(collect(paths), sign_key, progress=False), root=root)


__all__ = ["validate_file", "validate_many", "collect", "frames", "consolidate", "FileReport", "Finding", "CODES"]
