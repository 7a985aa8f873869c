"""The local time zone read once, on Linux, while the plugin runs.

With TZ unset, glibc looks at /etc/localtime again at every conversion to local
time, and QGIS's OGR reader converts every date it reads: drawing 100,000 sites
whose style reads their two update dates took 0.3 s more (docs/benchmarks.md,
issue 3). TZ=":/etc/localtime" names the same zone, read once; unload puts the
environment back as it was.
"""
import os
import sys
import time

SYSTEM_ZONE = ":/etc/localtime"


def read_zone_once() -> bool:
    """Set TZ to the system zone when it is unset on Linux; True when this call set it."""
    if not sys.platform.startswith("linux") or "TZ" in os.environ or not os.path.exists(SYSTEM_ZONE[1:]):
        return False
    os.environ["TZ"] = SYSTEM_ZONE
    time.tzset()
    return True


def restore(was_set: bool) -> None:
    if was_set and os.environ.get("TZ") == SYSTEM_ZONE:
        del os.environ["TZ"]
        time.tzset()
