"""Generated phone and ID numbers, written the ways people write them (for the tests of their hiding)."""
from __future__ import annotations

import random
from datetime import date, timedelta

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
#: ID-number check digit weights and characters (GB 11643: ISO 7064 MOD 11-2).
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def mobile(rng: random.Random) -> str:
    """An 11-digit mobile number as a string of digits."""
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def mobile_writings(number: str) -> list[str]:
    """The ways people write one mobile number."""
    a, b, c = number[:3], number[3:7], number[7:]
    return [number, f"{a} {b} {c}", f"{a}-{b}-{c}", f"+86 {number}", f"+86-{a}-{b}-{c}", f"86{number}",
            number.translate(FULL_WIDTH), f"{a}\u3000{b}\u3000{c}"]


def landline_writings(rng: random.Random) -> list[str]:
    """A landline with its area code, written in the usual ways."""
    area, local = f"0{rng.randrange(10, 1000)}", f"{rng.randrange(2, 10)}{rng.randrange(10**6):06d}"
    return [f"{area}-{local}", f"({area}){local}", f"（{area}）{local}", f"{area} {local}", f"{area}{local}",
            f"{area}-{local}-{rng.randrange(100, 999)}", f"{area}-{local}转{rng.randrange(10, 99)}"]


def id_number(rng: random.Random) -> str:
    """An 18-character resident ID number with a real date of birth and a correct check character."""
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(45 * 365))
    body = f"{rng.randrange(110000, 660000)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def id_writings(number: str) -> list[str]:
    """One ID number as people write it, and its 15-digit form from before 1999."""
    return [number, number.lower(), f"{number[:6]} {number[6:14]} {number[14:]}", number[:6] + number[8:17]]
