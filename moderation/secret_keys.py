"""Is a session signing key strong enough?

Anyone who guesses the key can forge an admin session offline from one anonymous cookie, so
a key that is short, made of a guessable word, repetitive or sequential, or whose characters
cannot carry 32 random bytes (256 bits) is refused whenever it is given, in production or
not (unset, a random key is generated and kept instead).
"""

from __future__ import annotations

import math
import re
from collections import Counter

MIN_BYTES = 32
MIN_BITS = MIN_BYTES * 8
HOW_TO_GENERATE = 'python -c "import secrets; print(secrets.token_hex(32))"'
# Words people put in keys; a random key of 43+ characters holds none of them by chance.
GUESSABLE = re.compile(
    r"changeme|change_me|secret|passw|password|default|admin|letmein|qwerty|example|"
    r"moderation|zzrb|flask|django|test|demo|123456|abcdef",
    re.IGNORECASE,
)
CHARACTER_CLASSES = (
    (re.compile(r"[a-z]"), 26),
    (re.compile(r"[A-Z]"), 26),
    (re.compile(r"[0-9]"), 10),
    (re.compile(r"[^a-zA-Z0-9]"), 33),
)
HEX = re.compile(r"[0-9a-f]+|[0-9A-F]+")


def weakness(key: str) -> str | None:
    """Why `key` is too weak to sign production sessions, or None if it is strong."""
    size = len(key.encode("utf-8"))
    if size < MIN_BYTES:
        return f"it is {size} bytes long; it needs at least {MIN_BYTES} random bytes"
    word = GUESSABLE.search(key)
    if word:
        return f"it contains the guessable word {word.group(0)!r}"
    if _repeats(key):
        return "it repeats characters or a pattern instead of being random"
    if _sequential(key):
        return "it runs through consecutive characters instead of being random"
    bits = estimated_bits(key)
    if bits < MIN_BITS:
        return f"its characters carry about {bits} random bits; it needs {MIN_BITS}"
    return None


def estimated_bits(key: str) -> int:
    """Randomness the key's length can hold over the character classes it uses."""
    if key.isdigit():
        alphabet = 10
    elif HEX.fullmatch(key):
        alphabet = 16
    else:
        alphabet = sum(size for pattern, size in CHARACTER_CLASSES if pattern.search(key))
    return int(len(key) * math.log2(alphabet))


def _repeats(key: str) -> bool:
    """Few distinct characters, or a block of eight that occurs twice."""
    counts = Counter(key)
    entropy = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    if entropy < 3.0:  # random hex carries ~3.8 bits a character, changeme x 4 only 2.75
        return True
    blocks = [key[i : i + 8] for i in range(len(key) - 7)]
    return len(set(blocks)) < len(blocks)


def _sequential(key: str) -> bool:
    """Half the neighbouring characters are one code point apart (abcdef…, 98765…)."""
    steps = [abs(ord(b) - ord(a)) for a, b in zip(key, key[1:], strict=False)]
    return sum(step == 1 for step in steps) * 2 >= len(steps)


def refusal(env_name: str, key: str | None) -> str | None:
    """The one-line error for a weak key (or a missing one, in production), or None."""
    if not key:
        return (
            f"set {env_name} to a long random value: production refuses to start without a "
            f"configured secret key (generate one with: {HOW_TO_GENERATE})"
        )
    problem = weakness(key)
    if problem:
        return (
            f"{env_name} is too weak to sign sessions: {problem} (generate one with: "
            f"{HOW_TO_GENERATE}, or unset it to have a random key generated and kept)"
        )
    return None
