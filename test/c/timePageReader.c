/*
 * The C reader the tests run against the daemon's time page, through include/syntonic/time_page.h only.
 *
 *   timePageReader at PATH               CLOCK_MONOTONIC_RAW instants (ns) on stdin, one line out per instant:
 *                                        code raw ptp utc utc_valid error_bound status seconds_since_sync
 *                                        utc_offset leap_second leap_pending
 *   timePageReader torture PATH RAW N U S
 *                                        reads at instant RAW while a writer rewrites the page with fields
 *                                        derived from one counter k (test/timePage.concurrency.test.ts),
 *                                        at least N reads and until U distinct updates were seen (at most
 *                                        S seconds): every field of every read must come from the same k
 *   timePageReader truth PATH COUNT MS   COUNT readings MS apart, each bracketed by CLOCK_REALTIME reads
 *                                        (the shortest of four brackets):
 *                                        code status ptp−realtime(midpoint) bracket error_bound
 */
#include "syntonic/time_page.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *status_name(int s) {
    return s == SYNTONIC_STATUS_SYNCHRONIZED ? "synchronized" : s == SYNTONIC_STATUS_UNSTABLE ? "unstable" : "lost";
}

static int64_t realtime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int run_at(const struct syntonic_time_page *page) {
    char line[64];
    while (fgets(line, sizeof line, stdin) != NULL) {
        struct syntonic_time t;
        int64_t raw = strtoll(line, NULL, 10);
        int rc = syntonic_time_at(page, raw, &t);
        if (rc == -EAGAIN || rc == -EINVAL) {
            printf("%d\n", rc);
            continue;
        }
        printf("%d %" PRId64 " ", rc, raw);
        if (rc == -ENODATA) printf("- - ");
        else if (t.utc_valid) printf("%" PRId64 " %" PRId64 " ", t.ptp_time_ns, t.utc_ns);
        else printf("%" PRId64 " - ", t.ptp_time_ns);
        printf("%d ", t.utc_valid);
        if (t.error_bound_ns == INT64_MAX) printf("- ");
        else printf("%" PRId64 " ", t.error_bound_ns);
        printf("%s ", status_name(t.status));
        if (t.seconds_since_sync >= 1e300) printf("- ");
        else printf("%.17g ", t.seconds_since_sync);
        printf("%d %d %d\n", t.utc_offset_s, t.leap_second, t.leap_pending);
    }
    return 0;
}

/* The writer's fields for counter k (keep in step with test/timePage.concurrency.test.ts). */
#define BASE_RAW 1000000000000LL
#define BASE_PTP 1000000000000000000LL

static int check(const struct syntonic_time *t, int64_t raw) {
    uint64_t k = 0;
    int64_t elapsed, expect_ptp, rate_steps, offset;
    double age_s;
    int i;
    for (i = 0; i < 8; i++) k = (k << 8) | t->grandmaster_identity[i];
    rate_steps = (int64_t)(k % 16);
    elapsed = raw - (BASE_RAW + (int64_t)k);
    /* round half up of elapsed × rate_steps / 2^30, in integers: independent of the header's doubles */
    expect_ptp = raw + (BASE_PTP + 7 * (int64_t)k - BASE_RAW - (int64_t)k) + ((elapsed * rate_steps + (1LL << 29)) >> 30);
    if (t->ptp_time_ns != expect_ptp) return 1;
    if (t->status != (int)(k % 3)) return 2;
    offset = 37 + (int64_t)(k % 5);
    if (t->utc_offset_s != offset || t->utc_valid != (int)(k % 2)) return 3;
    if (t->utc_valid && t->utc_ns != expect_ptp - offset * 1000000000LL) return 4;
    if (t->steps_removed != (int)(k % 65536)) return 5;
    age_s = (double)(raw - (BASE_RAW + (int64_t)k - (int64_t)(k % 1000))) * 1e-9;
    if (t->seconds_since_sync != age_s) return 6;
    {
        /* floor + 1 of the exact bound (k % 4096 + age x k % 5); the reader's last bits may differ */
        double exact = (double)(k % 4096) + age_s * (double)(k % 5);
        if (!((double)t->error_bound_ns > exact - 1e-6 && (double)t->error_bound_ns <= exact + 1 + 1e-6)) return 7;
    }
    return 0;
}

static int run_torture(const struct syntonic_time_page *page, int64_t raw, long n, long min_updates, long max_seconds) {
    long reads = 0, torn = 0, overlapped = 0, failures = 0, naive_torn = 0;
    uint64_t first_k = UINT64_MAX, last_k = 0, changes = 0, prev_k = UINT64_MAX;
    const struct syntonic_time_page_layout *p = page->layout;
    int first_bad = 0;
    long i;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (i = 0; i < n || (long)changes < min_updates; i++) {
        struct syntonic_time t;
        uint64_t before = __atomic_load_n(&p->sequence, __ATOMIC_ACQUIRE);
        int rc = syntonic_time_at(page, raw, &t);
        uint64_t after = __atomic_load_n(&p->sequence, __ATOMIC_ACQUIRE);
        uint64_t k = 0;
        int bad, j;
        reads++;
        if (before != after || (before & 1)) overlapped++;
        if (rc != 0) {
            failures++;
            continue;
        }
        bad = check(&t, raw);
        if (bad != 0) {
            torn++;
            if (first_bad == 0) first_bad = bad;
        }
        for (j = 0; j < 8; j++) k = (k << 8) | t.grandmaster_identity[j];
        if (k < first_k) first_k = k;
        if (k > last_k) last_k = k;
        if (k != prev_k) changes++;
        prev_k = k;
        if ((i & 0xffff) == 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec - start.tv_sec >= max_seconds) break;
        }
        /* The same fields without the sequence lock, to show that the writer does race with us. */
        if ((i & 15) == 0) {
            int64_t mapping_raw = __atomic_load_n(&p->mapping_raw_ns, __ATOMIC_RELAXED);
            int64_t mapping_ptp = __atomic_load_n(&p->mapping_ptp_ns, __ATOMIC_RELAXED);
            int64_t last_sync = __atomic_load_n(&p->last_sync_raw_ns, __ATOMIC_RELAXED);
            int32_t utc = __atomic_load_n(&p->current_utc_offset_s, __ATOMIC_RELAXED);
            int64_t kk = mapping_raw - BASE_RAW;
            if (mapping_ptp != BASE_PTP + 7 * kk || last_sync != mapping_raw - kk % 1000 || utc != 37 + kk % 5) naive_torn++;
        }
    }
    printf("reads %ld torn %ld failures %ld overlapped %ld distinct_updates %" PRIu64 " first_k %" PRIu64 " last_k %" PRIu64
           " naive_reads %ld naive_torn %ld first_bad %d\n",
           reads, torn, failures, overlapped, changes, first_k, last_k, (reads + 15) / 16, naive_torn, first_bad);
    return torn == 0 && failures == 0 ? 0 : 1;
}

static int run_truth(const struct syntonic_time_page *page, long count, long interval_ms) {
    long i;
    for (i = 0; i < count; i++) {
        struct syntonic_time t, try_t;
        int64_t before = 0, after = INT64_MAX;
        int rc = 0, try_rc, j;
        memset(&t, 0, sizeof t);
        /* Of four brackets the shortest wins: the first after a sleep runs cold (caches, TLB). */
        for (j = 0; j < 4; j++) {
            int64_t b = realtime_ns();
            try_rc = syntonic_time_now(page, &try_t);
            int64_t a = realtime_ns();
            if (a - b < after - before) {
                before = b;
                after = a;
                rc = try_rc;
                t = try_t;
            }
        }
        if (rc == 0 || rc == -ESTALE)
            printf("%d %s %" PRId64 " %" PRId64 " %" PRId64 "\n", rc, status_name(t.status), t.ptp_time_ns - (before + (after - before) / 2), after - before,
                   t.error_bound_ns);
        else
            printf("%d %s - - -\n", rc, status_name(rc == -ENODATA ? t.status : 0));
        fflush(stdout);
        if (i + 1 < count) {
            struct timespec pause;
            pause.tv_sec = interval_ms / 1000;
            pause.tv_nsec = (interval_ms % 1000) * 1000000L;
            nanosleep(&pause, NULL);
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    struct syntonic_time_page *page;
    int rc;
    if (argc < 3) {
        fprintf(stderr, "usage: %s at|torture|truth PATH ...\n", argv[0]);
        return 2;
    }
    rc = syntonic_time_open(argv[2], &page);
    if (rc != 0) {
        fprintf(stderr, "syntonic_time_open(%s): %s\n", argv[2], strerror(-rc));
        return 1;
    }
    if (strcmp(argv[1], "at") == 0) rc = run_at(page);
    else if (strcmp(argv[1], "torture") == 0 && argc == 7)
        rc = run_torture(page, strtoll(argv[3], NULL, 10), strtol(argv[4], NULL, 10), strtol(argv[5], NULL, 10), strtol(argv[6], NULL, 10));
    else if (strcmp(argv[1], "truth") == 0 && argc == 5) rc = run_truth(page, strtol(argv[3], NULL, 10), strtol(argv[4], NULL, 10));
    else rc = 2;
    syntonic_time_close(page);
    return rc;
}
