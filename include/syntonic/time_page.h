/*
 * syntonic/time_page.h: read the synchronized (gPTP) time that a running `syntonic run` publishes in
 * its shared-memory time page, from C or C++, without a system call beyond one clock_gettime.
 *
 *   struct syntonic_time_page *page;
 *   if (syntonic_time_open(SYNTONIC_TIME_PAGE_DEFAULT_PATH, &page) == 0) {
 *       struct syntonic_time t;
 *       if (syntonic_time_now(page, &t) == 0 && t.status == SYNTONIC_STATUS_SYNCHRONIZED) ... t.ptp_time_ns ...
 *       syntonic_time_close(page);
 *   }
 *
 * Header-only (static inline), C99 + POSIX, usable from C++; needs no library (not even -lm). It uses
 * the GCC/Clang __atomic builtins for the sequence lock. The page's layout, byte by byte, and the
 * arithmetic are specified in docs/time-page.md; the writer is the daemon's native addon
 * (native/timePage.cc), which includes this header for the layout.
 *
 * Return codes: 0 on success, otherwise a negative errno value:
 *   syntonic_time_open: -errno of open/fstat/mmap (-ENOENT: no daemon has created the page; -EACCES),
 *     -ENOMEM, -EBADMSG (the file is not a syntonic time page), -EPROTONOSUPPORT (a layout version
 *     this header does not know), -EINVAL (a NULL argument).
 *   syntonic_time_now / syntonic_time_at:
 *     -ENODATA  the daemon has not synchronized yet (no mapping): t->status, UTC and grandmaster
 *               fields are filled, times are 0 and error_bound_ns is INT64_MAX;
 *     -ESTALE   the daemon that wrote this page has stopped (the file was removed): t is filled from
 *               its last mapping with status LOST; close and open the path again to follow a new daemon;
 *     -EAGAIN   the page stayed in the middle of an update (its writer died while writing): t says
 *               status LOST, no time, error_bound_ns INT64_MAX;
 *     -EINVAL   a NULL argument; syntonic_time_now also returns -errno of clock_gettime.
 *   A status of LOST with 0 is holdover: the time is extrapolated from the last mapping and the error
 *   bound grows with seconds_since_sync.
 */
#ifndef SYNTONIC_TIME_PAGE_H
#define SYNTONIC_TIME_PAGE_H

/* POSIX 2008 (clock_gettime, O_CLOEXEC) under a strict -std=c99, when this header comes first. */
#if !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if !defined(CLOCK_MONOTONIC_RAW) || !defined(O_CLOEXEC)
#error "syntonic/time_page.h needs POSIX 2008 and Linux's CLOCK_MONOTONIC_RAW: compile with -D_POSIX_C_SOURCE=200809L (or -std=gnu99), or include this header first"
#endif
#if !defined(__GNUC__) && !defined(__clang__)
#error "syntonic/time_page.h needs the __atomic builtins of GCC or Clang"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define SYNTONIC_TIME_PAGE_DEFAULT_PATH "/run/syntonic/time.page"
/* The 8 bytes at offset 0 of every time page. */
#define SYNTONIC_TIME_PAGE_MAGIC "SYNTPAGE"
/* Incremented only for a change existing readers would misread; fields are added at the end and
 * announced by a larger size instead. */
#define SYNTONIC_TIME_PAGE_LAYOUT_VERSION 1u
/* The file's length: one page, of which the layout below uses the first `size` bytes. */
#define SYNTONIC_TIME_PAGE_FILE_BYTES 4096u
/* The daemon rewrites the page at least once a second; a page not rewritten for this long belongs to
 * a daemon that no longer runs (killed, or stopped): its status reads as LOST. */
#define SYNTONIC_TIME_PAGE_STALE_NS 5000000000LL

enum {
    SYNTONIC_STATUS_LOST = 0,
    SYNTONIC_STATUS_UNSTABLE = 1,
    SYNTONIC_STATUS_SYNCHRONIZED = 2
};

/* Bits of syntonic_time_page_layout.flags. */
#define SYNTONIC_PAGE_MAPPING_VALID 0x01u    /* mapping_* hold a mapping (after the first Sync) */
#define SYNTONIC_PAGE_LAST_SYNC_VALID 0x02u  /* last_sync_raw_ns holds a Sync */
#define SYNTONIC_PAGE_UTC_OFFSET_VALID 0x04u /* timePropertiesDS.currentUtcOffsetValid */
#define SYNTONIC_PAGE_LEAP59 0x08u           /* timePropertiesDS.leap59 */
#define SYNTONIC_PAGE_LEAP61 0x10u           /* timePropertiesDS.leap61 */
#define SYNTONIC_PAGE_PTP_TIMESCALE 0x20u    /* timePropertiesDS.ptpTimescale: gPTP time is TAI */
#define SYNTONIC_PAGE_GRANDMASTER_VALID 0x40u /* grandmaster_* describe a known grandmaster */
#define SYNTONIC_PAGE_STOPPED 0x80u          /* the writer stopped; the file has been removed */
#define SYNTONIC_PAGE_UTC_KNOWN 0x100u       /* utc_offset_s holds gPTP time - UTC (announced or configured) */
#define SYNTONIC_PAGE_LEAP_EVENT 0x200u      /* a leap second at leap_at_ptp_ns, after which utc_offset_after_s holds */
#define SYNTONIC_PAGE_LEAP_INSERT 0x400u     /* that leap inserts 23:59:60 (else it deletes 23:59:59) */
#define SYNTONIC_PAGE_UTC_ASSUMED 0x800u     /* utc_offset_s is the configuration's (assume_utc_offset) */

/* The page as it lies in the file, host byte order (little-endian on x86-64 and arm64). Every field is
 * naturally aligned; doubles are IEEE 754 binary64 stored as their bit pattern (*_bits). Fields from
 * `flags` on are read under `sequence` (odd while the writer is updating them). */
struct syntonic_time_page_layout {
    char magic[8];                     /*   0 "SYNTPAGE" */
    uint32_t layout_version;           /*   8 */
    uint32_t size;                     /*  12 bytes of this layout the writer fills */
    uint64_t sequence;                 /*  16 seqlock: odd while writing */
    uint32_t flags;                    /*  24 SYNTONIC_PAGE_* */
    int32_t status;                    /*  28 SYNTONIC_STATUS_* */
    int64_t mapping_raw_ns;            /*  32 CLOCK_MONOTONIC_RAW instant of the mapping */
    int64_t mapping_ptp_ns;            /*  40 gPTP time at that instant */
    uint64_t rate_ratio_bits;          /*  48 gPTP ns per CLOCK_MONOTONIC_RAW ns */
    int64_t last_sync_raw_ns;          /*  56 CLOCK_MONOTONIC_RAW instant of the last Sync used */
    uint64_t bound_at_sync_ns_bits;    /*  64 error bound at age 0, ns */
    uint64_t bound_ns_per_s_bits;      /*  72 its growth per second of age, ns/s */
    uint64_t bound_ns_per_s2_bits;     /*  80 its growth per second squared of age, ns/s^2 */
    int64_t written_raw_ns;            /*  88 CLOCK_MONOTONIC_RAW instant of this update */
    int32_t current_utc_offset_s;      /*  96 TAI - UTC, s */
    uint32_t writer_pid;               /* 100 */
    uint8_t grandmaster_identity[8];   /* 104 clockIdentity, as on the wire */
    int64_t status_since_raw_ns;       /* 112 CLOCK_MONOTONIC_RAW instant of the last status change */
    uint8_t grandmaster_priority1;     /* 120 */
    uint8_t grandmaster_priority2;     /* 121 */
    uint8_t grandmaster_clock_class;   /* 122 */
    uint8_t grandmaster_clock_accuracy;/* 123 */
    uint16_t grandmaster_offset_scaled_log_variance; /* 124 */
    uint16_t steps_removed;            /* 126 */
    int64_t leap_at_ptp_ns;            /* 128 gPTP instant from which utc_offset_after_s holds */
    int32_t utc_offset_s;              /* 136 gPTP time - UTC, s, before that instant */
    int32_t utc_offset_after_s;        /* 140 gPTP time - UTC, s, from it on */
};
#define SYNTONIC_TIME_PAGE_LAYOUT_BYTES 144u

/* What one reading gives. */
struct syntonic_time {
    int64_t raw_ns;             /* the CLOCK_MONOTONIC_RAW instant this reading is for */
    int64_t ptp_time_ns;        /* gPTP time (TAI when ptp_timescale), ns since 1970-01-01 */
    int64_t utc_ns;             /* UTC, POSIX ns (23:59:60 repeats 23:59:59), when utc_valid; else 0 */
    int utc_valid;              /* UTC is known: a valid currentUtcOffset on the PTP timescale, or assume_utc_offset */
    int utc_offset_s;           /* gPTP time - UTC in force at this instant, s (TAI - UTC on the PTP timescale) */
    int leap_second;            /* this instant is in an inserted leap second, 23:59:60 */
    int leap_pending;           /* a leap second is still ahead: +1 insert, -1 delete, 0 none */
    int leap59, leap61;         /* the grandmaster's flags: the last minute of this UTC day has 59 / 61 s */
    int ptp_timescale;          /* gPTP time is TAI */
    int64_t error_bound_ns;     /* |ptp_time_ns - grandmaster time| is within this (a guard time), rounded up
                                   (floor + 1); INT64_MAX when unknown */
    int status;                 /* SYNTONIC_STATUS_* */
    double seconds_since_sync;  /* since the last Sync the servo used; a huge value (1e300) before the first */
    double rate_ratio;          /* the mapping's rate: gPTP ns per CLOCK_MONOTONIC_RAW ns */
    int grandmaster_valid;
    uint8_t grandmaster_identity[8];
    int steps_removed;
};

/* The handle: the read-only mapping of the file. */
struct syntonic_time_page {
    const struct syntonic_time_page_layout *layout;
    size_t mapped_bytes;
};

/* ---------------------------------------------------------------------------------------------- */

/* Math.round of JavaScript (nearest, ties toward +infinity), exact, without libm. In the common range
 * it adds 1.5 x 2^52, which leaves the nearest integer (ties to even) in the low mantissa bits, and
 * moves a tie that went down to even back up: a short dependency chain, which is what the cost of
 * syntonic_time_now() after the clock read is made of. */
static inline int64_t syntonic__round_half_up(double x) {
    int64_t i;
#ifndef __FAST_MATH__
    if (x > -1e15 && x < 1e15) {
        const double magic = 6755399441055744.0; /* 1.5 x 2^52 */
        double y = x + magic;
        double nearest = y - magic;                /* exact */
        int64_t bits;
        memcpy(&bits, &y, sizeof bits);
        return (bits - 0x4338000000000000LL) + (x - nearest == 0.5);
    }
#endif
    if (!(x > -9.2e18 && x < 9.2e18)) return x > 0 ? INT64_MAX : INT64_MIN;
    i = (int64_t)x;                     /* toward zero */
    if ((double)i > x) i -= 1;          /* floor */
    if (x - (double)i >= 0.5) i += 1;   /* exact: x - floor(x) is representable */
    return i;
}

/* A rounded product stays a rounded product: no fused multiply-add (GCC contracts a * b + c by
 * default where the target has FMA, e.g. -march=native), which would round differently from
 * TimeBaseClient and the Python reader. The empty asm costs nothing. */
#if defined(__x86_64__) || defined(__i386__)
#define SYNTONIC__ROUNDED(v) __asm__("" : "+x"(v))
#elif defined(__aarch64__)
#define SYNTONIC__ROUNDED(v) __asm__("" : "+w"(v))
#else
#define SYNTONIC__ROUNDED(v) do { volatile double syntonic__v = (v); (v) = syntonic__v; } while (0)
#endif

/* An integer bound above x >= 0: floor(x) + 1 (one conversion; at most 1 ns above x). */
static inline int64_t syntonic__above(double x) {
    if (!(x < 9.2e18)) return INT64_MAX;
    return (int64_t)x + 1;
}

static inline double syntonic__double_of(uint64_t bits) {
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static inline int syntonic_time_open(const char *path, struct syntonic_time_page **page) {
    int fd, err, rc;
    struct stat st;
    void *map;
    const struct syntonic_time_page_layout *layout;
    struct syntonic_time_page *handle;
    if (path == NULL || page == NULL) return -EINVAL;
    *page = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    if (fstat(fd, &st) != 0) {
        err = errno;
        close(fd);
        return -err;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < (off_t)SYNTONIC_TIME_PAGE_LAYOUT_BYTES) {
        close(fd);
        return -EBADMSG;
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    err = errno;
    close(fd); /* the mapping keeps the file */
    if (map == MAP_FAILED) return -err;
    layout = (const struct syntonic_time_page_layout *)map;
    rc = 0;
    if (memcmp(layout->magic, SYNTONIC_TIME_PAGE_MAGIC, 8) != 0) rc = -EBADMSG;
    else if (layout->layout_version != SYNTONIC_TIME_PAGE_LAYOUT_VERSION) rc = -EPROTONOSUPPORT;
    else if (layout->size < SYNTONIC_TIME_PAGE_LAYOUT_BYTES || layout->size > (uint64_t)st.st_size) rc = -EBADMSG;
    if (rc != 0) {
        munmap(map, (size_t)st.st_size);
        return rc;
    }
    handle = (struct syntonic_time_page *)malloc(sizeof *handle);
    if (handle == NULL) {
        munmap(map, (size_t)st.st_size);
        return -ENOMEM;
    }
    handle->layout = layout;
    handle->mapped_bytes = (size_t)st.st_size;
    *page = handle;
    return 0;
}

static inline void syntonic_time_close(struct syntonic_time_page *page) {
    if (page == NULL) return;
    munmap((void *)page->layout, page->mapped_bytes);
    free(page);
}

/* One consistent copy of the fields under the sequence lock (the writer: odd, release fence, fields,
 * even with release; here: acquire load, fields, acquire fence, the sequence again). */
struct syntonic__fields {
    uint32_t flags;
    int32_t status;
    int64_t mapping_raw_ns, mapping_ptp_ns;
    uint64_t rate_bits;
    int64_t last_sync_raw_ns;
    uint64_t bound0_bits, bound1_bits, bound2_bits;
    int64_t written_raw_ns;
    uint64_t grandmaster_identity;
    uint64_t grandmaster_misc;
    int64_t leap_at_ptp_ns;      /* INT64_MAX without a leap event */
    int32_t utc_offset_s, utc_offset_after_s;
    /* derived from the above before the clock is read */
    double rate_minus_one; /* exact for rates in [0.5, 2] */
    double bound_per_ns;   /* bound_ns_per_s x 1e-9 */
    double bound_per_ns2;  /* bound_ns_per_s2 x 1e-18 */
};

#define SYNTONIC__LOAD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

static inline int syntonic__read_fields(const struct syntonic_time_page_layout *p, struct syntonic__fields *f) {
    unsigned tries;
    for (tries = 0; tries < 100000u; tries++) {
        uint64_t before = __atomic_load_n(&p->sequence, __ATOMIC_ACQUIRE);
        if ((before & 1u) == 0) {
            f->flags = SYNTONIC__LOAD(p->flags);
            f->status = SYNTONIC__LOAD(p->status);
            f->mapping_raw_ns = SYNTONIC__LOAD(p->mapping_raw_ns);
            f->mapping_ptp_ns = SYNTONIC__LOAD(p->mapping_ptp_ns);
            f->rate_bits = SYNTONIC__LOAD(p->rate_ratio_bits);
            f->last_sync_raw_ns = SYNTONIC__LOAD(p->last_sync_raw_ns);
            f->bound0_bits = SYNTONIC__LOAD(p->bound_at_sync_ns_bits);
            f->bound1_bits = SYNTONIC__LOAD(p->bound_ns_per_s_bits);
            f->bound2_bits = SYNTONIC__LOAD(p->bound_ns_per_s2_bits);
            f->written_raw_ns = SYNTONIC__LOAD(p->written_raw_ns);
            f->grandmaster_identity = SYNTONIC__LOAD(*(const uint64_t *)(const void *)p->grandmaster_identity);
            f->grandmaster_misc = SYNTONIC__LOAD(*(const uint64_t *)(const void *)&p->grandmaster_priority1);
            f->leap_at_ptp_ns = SYNTONIC__LOAD(p->leap_at_ptp_ns);
            f->utc_offset_s = SYNTONIC__LOAD(p->utc_offset_s);
            f->utc_offset_after_s = SYNTONIC__LOAD(p->utc_offset_after_s);
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            if (__atomic_load_n(&p->sequence, __ATOMIC_RELAXED) == before) {
                if ((f->flags & SYNTONIC_PAGE_LEAP_EVENT) == 0) {
                    f->leap_at_ptp_ns = INT64_MAX;
                    f->utc_offset_after_s = f->utc_offset_s;
                }
                f->rate_minus_one = syntonic__double_of(f->rate_bits) - 1.0;
                f->bound_per_ns = syntonic__double_of(f->bound1_bits) * 1e-9;
                f->bound_per_ns2 = syntonic__double_of(f->bound2_bits) * 1e-18;
                return 0;
            }
        }
        /* The writer holds the lock for tens of ns; if it was preempted there, let it run. */
        if (tries >= 64u) sched_yield();
    }
    return -EAGAIN;
}

#undef SYNTONIC__LOAD

/* What does not depend on the instant: filled before the clock is read (syntonic_time_now), so that
 * only the arithmetic on the instant is left after it. Returns 0, or rc with t filled for a failure. */
static inline int syntonic__prefill(const struct syntonic__fields *f, int rc, struct syntonic_time *t) {
    uint8_t misc[8];
    uint16_t steps;
    if (rc != 0) {
        memset(t, 0, sizeof *t);
        t->error_bound_ns = INT64_MAX;
        t->seconds_since_sync = 1e300;
        return rc; /* status LOST */
    }
    memcpy(misc, &f->grandmaster_misc, sizeof misc);
    t->utc_offset_s = f->utc_offset_s;
    t->leap59 = (f->flags & SYNTONIC_PAGE_LEAP59) != 0;
    t->leap61 = (f->flags & SYNTONIC_PAGE_LEAP61) != 0;
    t->ptp_timescale = (f->flags & SYNTONIC_PAGE_PTP_TIMESCALE) != 0;
    t->utc_valid = (f->flags & SYNTONIC_PAGE_UTC_KNOWN) != 0;
    t->leap_second = 0;
    t->leap_pending = 0;
    t->grandmaster_valid = (f->flags & SYNTONIC_PAGE_GRANDMASTER_VALID) != 0;
    memcpy(t->grandmaster_identity, &f->grandmaster_identity, 8);
    memcpy(&steps, misc + 6, sizeof steps); /* steps_removed, at offset 126 */
    t->steps_removed = steps;
    t->rate_ratio = syntonic__double_of(f->rate_bits);
    t->status = (f->flags & SYNTONIC_PAGE_STOPPED) != 0 ? SYNTONIC_STATUS_LOST : f->status;
    return 0;
}

/* The rest, at instant raw_ns (docs/time-page.md, "Arithmetic"). */
static inline int syntonic__finish(const struct syntonic__fields *f, int64_t raw_ns, struct syntonic_time *t) {
    const int stopped = (f->flags & SYNTONIC_PAGE_STOPPED) != 0;
    t->raw_ns = raw_ns;
    if (raw_ns - f->written_raw_ns > SYNTONIC_TIME_PAGE_STALE_NS) t->status = SYNTONIC_STATUS_LOST;
    if ((f->flags & SYNTONIC_PAGE_LAST_SYNC_VALID) != 0) {
        int64_t age_ns = raw_ns - f->last_sync_raw_ns;
        /* bound = b0 + b1 x age_s + b2 x age_s^2, with the coefficients per ns (computed before the
         * clock read in syntonic_time_now) and the terms side by side: a short chain after the read. */
        double a = (double)(age_ns < 0 ? 0 : age_ns);
        double linear = f->bound_per_ns * a, square = a * a, quadratic, bound;
        t->seconds_since_sync = (double)age_ns * 1e-9;
        SYNTONIC__ROUNDED(linear);
        SYNTONIC__ROUNDED(square);
        quadratic = f->bound_per_ns2 * square;
        SYNTONIC__ROUNDED(quadratic);
        bound = syntonic__double_of(f->bound0_bits) + linear;
        t->error_bound_ns = syntonic__above(bound + quadratic);
    } else {
        t->seconds_since_sync = 1e300;
        t->error_bound_ns = INT64_MAX;
    }
    if ((f->flags & SYNTONIC_PAGE_MAPPING_VALID) == 0) {
        t->ptp_time_ns = 0;
        t->utc_ns = 0;
        t->error_bound_ns = INT64_MAX;
        return stopped ? -ESTALE : -ENODATA;
    }
    {
        /* ptp = raw + (mapping_ptp - mapping_raw) + round(elapsed x (rate - 1)): the exact part in
         * 64-bit integers, only the small rate correction in floating point. */
        int64_t elapsed = raw_ns - f->mapping_raw_ns;
        double product = (double)elapsed * f->rate_minus_one;
        int64_t correction;
        SYNTONIC__ROUNDED(product);
        correction = syntonic__round_half_up(product);
        t->ptp_time_ns = raw_ns + (f->mapping_ptp_ns - f->mapping_raw_ns) + correction;
    }
    if (t->utc_valid) {
        /* src/protocol/timeProperties.ts: the offset changes at the leap instant, on the gPTP timescale */
        const int after = t->ptp_time_ns >= f->leap_at_ptp_ns;
        t->utc_offset_s = after ? f->utc_offset_after_s : f->utc_offset_s;
        t->utc_ns = t->ptp_time_ns - (int64_t)t->utc_offset_s * 1000000000LL;
        if ((f->flags & SYNTONIC_PAGE_LEAP_EVENT) != 0) {
            const int insert = (f->flags & SYNTONIC_PAGE_LEAP_INSERT) != 0;
            t->leap_pending = after ? 0 : (insert ? 1 : -1);
            t->leap_second = after && insert && t->ptp_time_ns - f->leap_at_ptp_ns < 1000000000LL;
        }
    } else {
        t->utc_ns = 0;
    }
    return stopped ? -ESTALE : 0;
}

/* The time at CLOCK_MONOTONIC_RAW instant raw_ns: the same arithmetic as TimeBaseClient, so that C,
 * Python and TypeScript agree to the nanosecond. */
static inline int syntonic_time_at(const struct syntonic_time_page *page, int64_t raw_ns, struct syntonic_time *t) {
    struct syntonic__fields f;
    int rc;
    if (page == NULL || t == NULL) return -EINVAL;
    rc = syntonic__prefill(&f, syntonic__read_fields(page->layout, &f), t);
    if (rc != 0) {
        t->raw_ns = raw_ns;
        return rc;
    }
    return syntonic__finish(&f, raw_ns, t);
}

/* The time now: the page's fields and everything that does not depend on the instant, then one
 * clock_gettime(CLOCK_MONOTONIC_RAW) (vDSO), then the arithmetic on the instant. (A page updated
 * after its fields were read gives the previous update's time, as if the clock had been read a
 * moment earlier.) */
static inline int syntonic_time_now(const struct syntonic_time_page *page, struct syntonic_time *t) {
    struct syntonic__fields f;
    struct timespec ts;
    int rc;
    if (page == NULL || t == NULL) return -EINVAL;
    rc = syntonic__prefill(&f, syntonic__read_fields(page->layout, &f), t);
    if (clock_gettime(CLOCK_MONOTONIC_RAW, &ts) != 0) {
        memset(t, 0, sizeof *t);
        return errno > 0 ? -errno : -EIO;
    }
    if (rc != 0) {
        t->raw_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
        return rc;
    }
    return syntonic__finish(&f, (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec, t);
}

#ifdef __cplusplus
}
#endif

#endif /* SYNTONIC_TIME_PAGE_H */
