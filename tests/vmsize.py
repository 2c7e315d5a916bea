"""A worker target for tests: the worker process's address space, as /proc tells it."""
from __future__ import annotations


def worker_address_space(_task: object) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
