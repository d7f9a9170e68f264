"""Reads `perf script` (samples with call chains) on standard input and prints where a sink's
CPU goes: per thread group, the share of samples in reference counting, in the allocator, in
SQLite, in librdkafka, in the kernel, and the rest (ShopStream and the Swift library); then the
functions of ShopStream whose retains, releases and allocations cost most (the first caller in
a sample's chain that is not the runtime, the allocator or a compiler-made copy). Used by
benchmarks/sink-profile.sh.
"""

import collections
import re
import sys

REFCOUNT = re.compile(r"swift_(retain|release|bridgeObjectRetain|bridgeObjectRelease|unknownObjectRetain|unknownObjectRelease)")
ALLOCATOR = re.compile(
    r"(_int_malloc|_int_free|malloc|cfree|free|_int_realloc|realloc|unlink_chunk|malloc_consolidate|tcache|"
    r"swift_allocObject|swift_slowAlloc|swift_slowDealloc|swift_deallocClassInstance|swift_deallocObject)"
)
# Frames that are not a ShopStream decision: the runtime, the allocator, the standard library's
# containers, and the copies and destroys the compiler writes for a type (value witnesses).
PLUMBING = re.compile(
    r"^(swift_|_swift|swift::|_int_|malloc|cfree|free|unlink_chunk|__libc|tuple_|\[unknown\]|outlined |"
    r"\$ss|\$sS[aDhSs]|.*V?w(cp|xx|cP|ca|tk|ta|CP)$|.*WO[a-z]$|.*Tm$)"
)


def thread_group(comm):
    """Threads of one kind together: the four insert threads, librdkafka's broker threads."""
    if comm.startswith("rdk:"):
        return "librdkafka"
    return re.sub(r"-\d+$", "-N", comm)


def kind(top, dso):
    if REFCOUNT.match(top):
        return "refcounting"
    if ALLOCATOR.match(top):
        return "allocator"
    if "libsqlite3" in dso:
        return "sqlite"
    if "librdkafka" in dso or "liblz4" in dso or top.startswith("LZ4"):
        return "librdkafka"
    if "kernel" in dso:
        return "kernel"
    return "other"


def main():
    total = 0
    by_thread = collections.Counter()
    by_kind = collections.Counter()
    thread_kind = collections.Counter()
    callers = collections.Counter()
    for block in sys.stdin.read().split("\n\n"):
        lines = [line.strip() for line in block.strip().split("\n") if line.strip()]
        if len(lines) < 2:
            continue
        comm = thread_group(lines[0].split()[0])
        frames = []
        for line in lines[1:]:
            parts = line.split(None, 1)
            if len(parts) < 2:
                continue
            symbol = re.sub(r"\+0x[0-9a-f]+ \(.*\)$", "", parts[1]).strip()
            dso = re.search(r"\(([^()]*)\)$", parts[1])
            frames.append((symbol, dso.group(1) if dso else ""))
        if not frames:
            continue
        total += 1
        k = kind(*frames[0])
        by_thread[comm] += 1
        by_kind[k] += 1
        thread_kind[(comm, k)] += 1
        if k in ("refcounting", "allocator"):
            unrecorded = "(caller not recorded: the chain ends in glibc's allocator, built without frame pointers)"
            caller = next((s for s, _ in frames[1:] if not PLUMBING.match(s)), unrecorded)
            callers[(comm, caller)] += 1
    if total == 0:
        sys.exit("no samples read")
    kinds = ["refcounting", "allocator", "sqlite", "librdkafka", "kernel", "other"]
    print(f"{total} samples; share of all samples:")
    print(f"{'thread':<18}{'all':>7}" + "".join(f"{k:>13}" for k in kinds))
    for comm, n in by_thread.most_common():
        if n * 200 < total:
            continue
        print(f"{comm:<18}{100 * n / total:6.1f}%" + "".join(f"{100 * thread_kind[(comm, k)] / total:12.1f}%" for k in kinds))
    print(f"{'(every thread)':<18}{100.0:6.1f}%" + "".join(f"{100 * by_kind[k] / total:12.1f}%" for k in kinds))
    print("\nwhose retains, releases and allocations (first caller that is not the runtime or a compiler-made copy):")
    for (comm, caller), n in callers.most_common(25):
        print(f"{100 * n / total:6.2f}%  {comm:<18} {caller}")


main()
