#!/usr/bin/env python3
"""Independent exact check of quantization: reads `test_quantize --dump`
lines and recomputes each integer with Python's Fraction (round() on a
Fraction rounds half to even)."""
import sys
from fractions import Fraction

LIMIT = 2**63 - 1
checked = 0
lines = sys.stdin.read().split("\n")
i = 0
while i < len(lines):
    line = lines[i].strip()
    i += 1
    if not line:
        continue
    rule, exp, xhex, *rest = line.split()
    exp = int(exp)
    x = Fraction(float.fromhex(xhex))
    scale = Fraction(10) ** exp if rule == "dec" else Fraction(2) ** exp
    want = round(x * scale)
    if rest and rest[0] == "overflow":
        if abs(want) <= LIMIT:
            sys.exit(f"{line}: reported overflow but {want} fits")
    else:
        got = int(lines[i].split()[1])
        i += 1
        if got != want:
            sys.exit(f"{line}: got {got}, want {want}")
    checked += 1
if checked < 1000:
    sys.exit(f"only {checked} cases checked")
print(f"quantize cross-check: {checked} passed, 0 failed")
