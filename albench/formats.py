"""Versions of the files albench writes (part of every cell key)."""

#: Version of the stored results format; part of every cell key.
RESULT_FORMAT_VERSION = 1
