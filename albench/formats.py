"""Versions of the files albench writes (part of every cell key)."""

#: Version of the stored results format; part of every cell key.
RESULT_FORMAT_VERSION = 1

#: Name of the per-cell checksum index of a results folder (one ``key sha256 size`` line per write).
CHECKSUM_INDEX = "checksums.tsv"
