#!/usr/bin/env python3
"""Independent RFC 6962 oracle for the C++ Merkle tests (adapter/audit/merkle.*).

Reads leaf data, one hex string per line (an empty line is the empty leaf), from stdin.
Prints one line per fact, hashes in hex, lists comma-separated ("-" when empty):
  root N HASH          MTH of the first N leaves, N = 0..count
  path N M H1,H2,...   audit path of leaf M in the first N leaves (N <= 20)
  proof M N H1,...     consistency proof from size M to size N (M <= N <= 20)
Written from RFC 6962 section 2.1 with hashlib only.
"""
import hashlib
import sys


def h(b):
    return hashlib.sha256(b).digest()


def mth(d):
    if not d:
        return h(b"")
    if len(d) == 1:
        return h(b"\x00" + d[0])
    k = 1
    while k * 2 < len(d):
        k *= 2
    return h(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m, d):
    if len(d) <= 1:
        return []
    k = 1
    while k * 2 < len(d):
        k *= 2
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, b):
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def main():
    leaves = [bytes.fromhex(line.strip()) for line in sys.stdin]
    hexes = lambda xs: ",".join(x.hex() for x in xs) or "-"
    for n in range(len(leaves) + 1):
        print("root %d %s" % (n, mth(leaves[:n]).hex()))
    for n in range(1, min(len(leaves), 20) + 1):
        for m in range(n):
            print("path %d %d %s" % (n, m, hexes(path(m, leaves[:n]))))
        for m in range(1, n + 1):
            print("proof %d %d %s" % (m, n, hexes(subproof(m, leaves[:n], True))))


if __name__ == "__main__":
    main()
