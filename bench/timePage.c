/*
 * npm run bench (bench/timePage.bench.ts compiles this at bench time): ns per call of
 * syntonic_time_now() on a live page and of the clock_gettime(CLOCK_MONOTONIC_RAW) it is built on,
 * best of ROUNDS interleaved rounds (the least disturbed by other load on a shared machine: keep
 * rounds short, ~1 ms, so that some escape preemption).
 *
 *   timePage PATH CALLS ROUNDS  ->  "now NS" and "raw NS" lines
 */
#include "syntonic/time_page.h"

#include <stdio.h>
#include <stdlib.h>

static double elapsed_ns(const struct timespec *a, const struct timespec *b) {
    return (double)(b->tv_sec - a->tv_sec) * 1e9 + (double)(b->tv_nsec - a->tv_nsec);
}

int main(int argc, char **argv) {
    struct syntonic_time_page *page;
    long calls, rounds, r, i;
    double best_now = 1e300, best_raw = 1e300;
    int64_t sink = 0;
    if (argc != 4 || syntonic_time_open(argv[1], &page) != 0) {
        fprintf(stderr, "usage: %s PATH CALLS ROUNDS (PATH: a live time page)\n", argv[0]);
        return 2;
    }
    calls = strtol(argv[2], NULL, 10);
    rounds = strtol(argv[3], NULL, 10);
    for (r = 0; r < rounds; r++) {
        struct timespec t0, t1, ts;
        struct syntonic_time t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (i = 0; i < calls; i++) {
            if (syntonic_time_now(page, &t) != 0) return 1;
            sink += t.ptp_time_ns + t.error_bound_ns;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (elapsed_ns(&t0, &t1) / (double)calls < best_now) best_now = elapsed_ns(&t0, &t1) / (double)calls;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (i = 0; i < calls; i++) {
            clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
            sink += ts.tv_nsec;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (elapsed_ns(&t0, &t1) / (double)calls < best_raw) best_raw = elapsed_ns(&t0, &t1) / (double)calls;
    }
    printf("now %.2f\nraw %.2f\nsink %lld\n", best_now, best_raw, (long long)(sink & 1));
    syntonic_time_close(page);
    return 0;
}
