"""Answers computed here, independently of the package, that several test modules check against."""


def is_prime(n: int) -> bool:
    """By trial division."""
    return n >= 2 and all(n % d for d in range(2, int(n**0.5) + 1))
