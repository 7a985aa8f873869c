"""What the benchmark scripts share: timing a call, the median of repeated calls, the demo store they measure."""
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(function, *arguments, **keywords):
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = function(*arguments, **keywords)
    return time.perf_counter() - started, result


def median_time(function, repeat: int, warm_up: bool = False) -> float:
    """Median seconds of `repeat` calls (after one unmeasured call when `warm_up`)."""
    if warm_up:
        function()
    return statistics.median(timed(function)[0] for _ in range(repeat))


def ensure_demo_store(path: Path, sites: int, months: int) -> None:
    """The demo store of `sites` sites with `months` of monthly history at `path`, made unless it exists."""
    if path.exists():
        return
    subprocess.run([sys.executable, "-m", "plugin", "demo", str(path), "--sites", str(sites),
                    "--history-months", str(months)], cwd=str(REPO), check=True)
