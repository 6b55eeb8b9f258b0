"""Read the synchronized (gPTP) time from syntonic's shared-memory time page.

Standard library only (mmap, struct, time); Python 3.8+ on Linux. The page's layout and arithmetic are
specified in docs/time-page.md; this module computes exactly what include/syntonic/time_page.h and the
TypeScript TimeBaseClient compute, to the nanosecond.

    from syntonic_time_page import TimePage, STATUS_SYNCHRONIZED
    with TimePage() as page:                     # /run/syntonic/time.page
        t = page.now()
        if t.code == 0 and t.status == STATUS_SYNCHRONIZED:
            print(t.ptp_time_ns, t.utc_ns, t.error_bound_ns)

Run as a program it prints one reading (``python3 syntonic_time_page.py [PATH]``); with ``--at`` it reads
CLOCK_MONOTONIC_RAW instants (ns), one per line on standard input, and prints the time at each.
"""

import errno
import math
import mmap
import os
import struct
import sys
import time
from typing import NamedTuple, Optional

DEFAULT_PATH = "/run/syntonic/time.page"
MAGIC = b"SYNTPAGE"
LAYOUT_VERSION = 1
LAYOUT_BYTES = 144
STALE_NS = 5_000_000_000

STATUS_LOST = 0
STATUS_UNSTABLE = 1
STATUS_SYNCHRONIZED = 2

MAPPING_VALID = 0x01
LAST_SYNC_VALID = 0x02
UTC_OFFSET_VALID = 0x04
LEAP59 = 0x08
LEAP61 = 0x10
PTP_TIMESCALE = 0x20
GRANDMASTER_VALID = 0x40
STOPPED = 0x80
UTC_KNOWN = 0x100
LEAP_EVENT = 0x200
LEAP_INSERT = 0x400
UTC_ASSUMED = 0x800

# Host byte order, standard sizes, no padding ('='): the offsets are those of docs/time-page.md.
_HEADER = struct.Struct("=8sII")  # 0: magic, layout_version, size
_SEQUENCE = struct.Struct("=Q")  # 16
# 24: flags, status, mapping_raw_ns, mapping_ptp_ns, rate_ratio, last_sync_raw_ns, bound at sync,
# per s, per s^2, written_raw_ns, current_utc_offset_s, writer_pid, grandmaster_identity,
# status_since_raw_ns, priority1, priority2, clock_class, clock_accuracy, offset_scaled_log_variance,
# steps_removed, leap_at_ptp_ns, utc_offset_s, utc_offset_after_s
_FIELDS = struct.Struct("=IiqqdqdddqiI8sqBBBBHHqii")
assert _FIELDS.size == LAYOUT_BYTES - 24


class SyntonicTime(NamedTuple):
    """One reading. ``code`` is what syntonic_time_at returns in C: 0, -ENODATA (no mapping yet:
    ptp_time_ns is None) or -ESTALE (the daemon stopped; status LOST, time from its last mapping)."""

    code: int
    raw_ns: int
    ptp_time_ns: Optional[int]
    utc_ns: Optional[int]
    utc_valid: bool
    utc_offset_s: int
    leap_second: bool
    leap_pending: int
    leap59: bool
    leap61: bool
    ptp_timescale: bool
    error_bound_ns: Optional[int]
    status: int
    seconds_since_sync: Optional[float]
    rate_ratio: float
    grandmaster_identity: Optional[bytes]
    steps_removed: int


class TimePageError(OSError):
    pass


def _round_half_up(x: float) -> int:
    """JavaScript's Math.round: nearest integer, ties toward +infinity (exact)."""
    f = math.floor(x)
    return f + 1 if x - f >= 0.5 else f


class TimePage:
    """A read-only mapping of the page. Raises TimePageError (an OSError) with errno ENOENT, EACCES,
    EBADMSG (not a time page) or EPROTONOSUPPORT (a layout version this module does not know)."""

    def __init__(self, path: str = DEFAULT_PATH):
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            size = os.fstat(fd).st_size
            if size < LAYOUT_BYTES:
                raise TimePageError(errno.EBADMSG, "not a syntonic time page", path)
            self._map = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ)
        finally:
            os.close(fd)
        magic, version, used = _HEADER.unpack_from(self._map, 0)
        if magic != MAGIC or used < LAYOUT_BYTES or used > size:
            self._map.close()
            raise TimePageError(errno.EBADMSG if magic != MAGIC or version == LAYOUT_VERSION else errno.EPROTONOSUPPORT, "not a syntonic time page", path)
        if version != LAYOUT_VERSION:
            self._map.close()
            raise TimePageError(errno.EPROTONOSUPPORT, "time page layout version %d is not %d" % (version, LAYOUT_VERSION), path)

    def close(self) -> None:
        self._map.close()

    def __enter__(self) -> "TimePage":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _fields(self) -> tuple:
        # The sequence lock's reader side: an even sequence number, one copy of the fields, the same
        # number again. CPython has no memory fences: on x86-64 (TSO, loads are not reordered with
        # loads) this is exact; on weakly ordered CPUs it relies on the copy being a separate memcpy
        # between the two reads (docs/time-page.md).
        m = self._map
        for tries in range(100_000):
            before = _SEQUENCE.unpack_from(m, 16)[0]
            if before & 1 == 0:
                copy = m[24:LAYOUT_BYTES]
                if _SEQUENCE.unpack_from(m, 16)[0] == before:
                    return _FIELDS.unpack(copy)
            if tries >= 64:
                os.sched_yield()
        raise TimePageError(errno.EAGAIN, "the time page stayed in the middle of an update")

    def now(self) -> SyntonicTime:
        return self.at(time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW))

    def at(self, raw_ns: int) -> SyntonicTime:
        """The time at CLOCK_MONOTONIC_RAW instant raw_ns (ns)."""
        (flags, status, mapping_raw, mapping_ptp, rate, last_sync, b0, b1, b2, written, _announced_offset, _pid,
         identity, _since, _p1, _p2, _class, _accuracy, _variance, steps, leap_at, utc_offset, utc_offset_after) = self._fields()
        stopped = flags & STOPPED != 0
        if stopped or raw_ns - written > STALE_NS:
            status = STATUS_LOST
        timescale = flags & PTP_TIMESCALE != 0
        # UTC as src/protocol/timeProperties.ts derives it: the offset changes at the leap instant.
        utc_valid = flags & UTC_KNOWN != 0
        leap_event = flags & LEAP_EVENT != 0
        leap_second = False
        leap_pending = 0
        seconds = None
        bound = None
        if flags & LAST_SYNC_VALID:
            age_ns = raw_ns - last_sync
            seconds = float(age_ns) * 1e-9
            # The C header's order of operations (per-ns coefficients, terms side by side), rounded
            # up as it does: floor + 1, never below the exact value.
            a = float(max(0, age_ns))
            bound = math.floor(b0 + (b1 * 1e-9) * a + (b2 * 1e-18) * (a * a)) + 1
        ptp = None
        utc = None
        code = -errno.ESTALE if stopped else 0
        if flags & MAPPING_VALID:
            # The exact part in integers, only the small rate correction in floating point.
            correction = _round_half_up(float(raw_ns - mapping_raw) * (rate - 1.0))
            ptp = raw_ns + (mapping_ptp - mapping_raw) + correction
            if utc_valid:
                after = leap_event and ptp >= leap_at
                if after:
                    utc_offset = utc_offset_after
                utc = ptp - utc_offset * 1_000_000_000
                if leap_event:
                    insert = flags & LEAP_INSERT != 0
                    leap_pending = 0 if after else (1 if insert else -1)
                    leap_second = after and insert and ptp - leap_at < 1_000_000_000
        else:
            bound = None
            code = code or -errno.ENODATA
        return SyntonicTime(
            code=code,
            raw_ns=raw_ns,
            ptp_time_ns=ptp,
            utc_ns=utc,
            utc_valid=utc_valid,
            utc_offset_s=utc_offset,
            leap_second=leap_second,
            leap_pending=leap_pending,
            leap59=flags & LEAP59 != 0,
            leap61=flags & LEAP61 != 0,
            ptp_timescale=timescale,
            error_bound_ns=bound,
            status=status,
            seconds_since_sync=seconds,
            rate_ratio=rate,
            grandmaster_identity=identity if flags & GRANDMASTER_VALID else None,
            steps_removed=steps,
        )


_STATUS_NAMES = {STATUS_LOST: "lost", STATUS_UNSTABLE: "unstable", STATUS_SYNCHRONIZED: "synchronized"}


def _line(t: SyntonicTime) -> str:
    def opt(v):
        return "-" if v is None else str(v)

    return " ".join(
        [
            str(t.code),
            str(t.raw_ns),
            opt(t.ptp_time_ns),
            opt(t.utc_ns),
            str(int(t.utc_valid)),
            opt(t.error_bound_ns),
            _STATUS_NAMES.get(t.status, str(t.status)),
            "-" if t.seconds_since_sync is None else repr(t.seconds_since_sync),
            str(t.utc_offset_s),
            str(int(t.leap_second)),
            str(t.leap_pending),
        ]
    )


def _main(argv) -> int:
    at = "--at" in argv
    args = [a for a in argv if a != "--at"]
    path = args[0] if args else DEFAULT_PATH
    try:
        page = TimePage(path)
    except OSError as e:
        sys.stderr.write("syntonic_time_page: cannot open %s: %s\n" % (path, os.strerror(e.errno)))
        return 1
    with page:
        if not at:
            t = page.now()
            gm = "-" if t.grandmaster_identity is None else t.grandmaster_identity.hex()
            print("status %s ptp_time_ns %s utc_ns %s error_bound_ns %s seconds_since_sync %s grandmaster %s code %d" % (
                _STATUS_NAMES.get(t.status), t.ptp_time_ns, t.utc_ns, t.error_bound_ns, t.seconds_since_sync, gm, t.code))
            return 0
        for text in sys.stdin:
            if text.strip():
                print(_line(page.at(int(text))))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
