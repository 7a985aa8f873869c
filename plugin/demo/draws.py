"""The random draws and dates every part of the demo data set uses (shares, uuids, office-hour stamps)."""
import datetime as dt
import math
import random
import uuid as uuid_module
from typing import Dict, Tuple

from . import calibration as cal


def quota(rng: random.Random, count: int, shares: Dict[object, float]) -> list:
    """`count` values in the exact proportions of `shares` (largest remainder), shuffled."""
    total = sum(shares.values())
    keys = list(shares)
    exact = [count * shares[key] / total for key in keys]
    counts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(keys)), key=lambda i: (counts[i] - exact[i], i))
    for index in by_remainder[:count - sum(counts)]:
        counts[index] += 1
    values = [key for key, n in zip(keys, counts) for _ in range(n)]
    rng.shuffle(values)
    return values


def weighted(rng: random.Random, shares: Dict[object, float]):
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def new_uuid(rng: random.Random) -> str:
    return str(uuid_module.UUID(int=rng.getrandbits(128), version=4))


def iso_day(value: dt.date) -> str:
    return value.isoformat()


def timestamp(rng: random.Random, day: dt.date) -> str:
    """A time during office hours on `day`, in the store's ISO UTC form."""
    seconds = rng.randrange(7 * 3600, 18 * 3600)
    return "%sT%02d:%02d:%02d.%03dZ" % (day.isoformat(), seconds // 3600, seconds // 60 % 60, seconds % 60,
                                        rng.randrange(1000))


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last_day = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
                31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
    return dt.date(year, month + 1, min(day.day, last_day))


def authors_of(departement: str) -> Tuple[str, ...]:
    code = departement.lower()
    return tuple(role.format(d=code) for role in cal.AUTHOR_ROLES)


def maybe(rng: random.Random, unknown_share: float, value):
    return None if rng.random() < unknown_share else value


def yes_no(rng: random.Random, probability: float, unknown_share: float = cal.UNKNOWN_LIVING_CONDITION_SHARE):
    if rng.random() < unknown_share:
        return None
    return int(rng.random() < probability)
