"""Edge values that break carry code, for the differential tests."""
import random

MASK = (1 << 64) - 1


def edges(n: int, rng: random.Random) -> list[int]:
    R = 1 << (64 * n)
    alt = int.from_bytes(b"\x55" * 8 * n, "little")
    words_ones = sum((MASK if rng.random() < 0.5 else 0) << (64 * i) for i in range(n))
    return [
        0, 1, 2, R - 1, R - 2, R >> 1, (R >> 1) - 1, alt, alt << 1, words_ones,
        1 << rng.randrange(64 * n), (1 << rng.randrange(1, 64 * n)) - 1,
        MASK, MASK << (64 * (n - 1)), rng.getrandbits(64 * n),
    ]


def values(n: int, rng: random.Random, count: int) -> list[int]:
    base = edges(n, rng)
    return base + [rng.getrandbits(64 * n) >> rng.choice((0, 0, 1, 63, 64)) for _ in range(count)]


def moduli(n: int, rng: random.Random) -> list[int]:
    R = 1 << (64 * n)
    return [
        R - 1, (R >> 1) + 1, (R >> 1) | 1 | rng.getrandbits(64 * n), rng.getrandbits(64 * n) | 1,
        rng.getrandbits(64 * n - 100) | 1, 3, 1, R - (1 << 64) + 1,
        (rng.getrandbits(64 * n) | 1 | (R >> 1)) & ~(MASK << 64) | 1,
    ]
