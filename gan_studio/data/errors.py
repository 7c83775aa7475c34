"""Errors raised by the dataset layer; their messages are shown to users as they are."""

from __future__ import annotations

import os


class DatasetError(Exception):
    """A data set could not be found, downloaded or read.

    The message is one plain sentence meant for the user: what went wrong and, where there is
    one, what to do about it.
    """


class DataUnavailableError(DatasetError):
    """A built-in data set is not cached and cannot be downloaded (offline, server down, ...).

    Args:
        url: the official address of the missing file.
        path: the exact file the user may download `url` to by hand.
        reason: why the download did not happen, for the message.

    Attributes:
        url: the official address of the missing file.
        path: the exact file the user may place by hand.
        folder: the folder holding `path`, so a UI can offer to open it.
    """

    def __init__(self, url: str, path: str, reason: str = "no network connection"):
        self.url = url
        self.path = path
        self.folder = os.path.dirname(os.path.abspath(path))
        super().__init__(
            f"Could not download {url} ({reason}); to work offline, download it yourself "
            f"and save it as {path}."
        )


class DatasetCancelledError(DatasetError):
    """The user cancelled a download or a load through its `cancel` event."""

