/*
 * relay: a userland link impairment between two interfaces (the kernel here has no netem).
 *
 * Forwards every frame between --left (the grandmaster side) and --right after a delay, and can drop
 * frames. "forward" is left -> right (master -> slave), "reverse" is right -> left:
 *
 *   delay(forward) = delay + asymmetry + U[0, jitter]    802.1AS-2020 8.3: asymmetry is the
 *   delay(reverse) = delay - asymmetry + U[0, jitter]    master->slave excess over the mean
 *
 * --reverse-shift-ns N --reverse-shift-from-ms A --reverse-shift-to-ms B adds N to the reverse
 * direction for the frames received from A to B ms after the relay started: one direction of a path
 * that queues for a while, which the Pdelay exchanges see and the grandmaster's Syncs do not.
 *
 * Frames keep their order in each direction; loss is Bernoulli per frame and direction. Each
 * direction draws from its own generator (xorshift64*) seeded from --seed, so a seed replays the
 * same loss and jitter pattern for the same frames in that direction, however the two directions
 * interleave.
 *
 * Timing: a frame's delay counts from its kernel receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME),
 * not from when the relay woke up, so the wake-up latency (~70 us median on these VMs, spikes of
 * ms) is absorbed while it stays below the delay: use delays of a few hundred us or more. The
 * relay sleeps until --spin-ns before a frame is due and busy-waits the rest.
 *
 * Sockets: AF_PACKET, ETH_P_ALL, PACKET_IGNORE_OUTGOING (its own transmissions are not read back).
 * On SIGTERM/SIGINT it prints one JSON line of statistics and exits 0.
 *
 * Build: gcc -O2 -o relay relay.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define MAX_FRAME 2048
#define QUEUE_LEN 4096
#define MAX_SAMPLES (1 << 20)

struct frame {
	int64_t due_ns;
	uint16_t len;
	unsigned char data[MAX_FRAME];
};

struct direction {
	const char *name;
	int in, out;
	int64_t base_delay_ns;
	/* Added to frames received in [shift_from_ns, shift_to_ns) (CLOCK_REALTIME), ns. */
	int64_t shift_ns, shift_from_ns, shift_to_ns;
	struct frame queue[QUEUE_LEN];
	unsigned head, count;
	int64_t last_due_ns;
	uint64_t rng;
	uint64_t frames, dropped, oversize, overflow, sent;
	int64_t *lateness;
	size_t samples;
};

static volatile sig_atomic_t running = 1;
static int64_t jitter_ns;
static double loss;

static void on_signal(int sig) {
	(void)sig;
	running = 0;
}

static int64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* xorshift64*: small, seedable, good enough for loss and jitter draws. */
static uint64_t next_random(uint64_t *state) {
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ULL;
}

static double uniform01(uint64_t *state) { return (double)(next_random(state) >> 11) / 9007199254740992.0; }

static int open_port(const char *ifname) {
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	if (fd < 0) { perror("relay: socket(AF_PACKET)"); exit(1); }
	int one = 1;
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0) { perror("relay: PACKET_IGNORE_OUTGOING"); exit(1); }
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0) { perror("relay: SO_TIMESTAMPNS"); exit(1); }
	struct sockaddr_ll addr = {0};
	addr.sll_family = AF_PACKET;
	addr.sll_protocol = htons(ETH_P_ALL);
	addr.sll_ifindex = (int)if_nametoindex(ifname);
	if (addr.sll_ifindex == 0) { fprintf(stderr, "relay: no interface %s\n", ifname); exit(1); }
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("relay: bind"); exit(1); }
	return fd;
}

/* Reads every queued frame of d->in and schedules it. */
static void receive_all(struct direction *d) {
	for (;;) {
		unsigned char buf[MAX_FRAME + 1];
		char control[CMSG_SPACE(sizeof(struct timespec))];
		struct iovec iov = {buf, sizeof buf};
		struct msghdr msg = {0};
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control;
		msg.msg_controllen = sizeof control;
		ssize_t n = recvmsg(d->in, &msg, MSG_TRUNC);
		if (n < 0) return; /* EAGAIN: drained */
		int64_t received = -1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS) {
				struct timespec ts;
				memcpy(&ts, CMSG_DATA(c), sizeof ts);
				received = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
			}
		}
		if (received < 0) received = now_ns();
		d->frames++;
		if (n > MAX_FRAME) { d->oversize++; continue; }
		if (loss > 0 && uniform01(&d->rng) < loss) { d->dropped++; continue; }
		if (d->count == QUEUE_LEN) { d->overflow++; continue; }
		int64_t jitter = jitter_ns > 0 ? (int64_t)(next_random(&d->rng) % (uint64_t)(jitter_ns + 1)) : 0;
		int64_t shift = received >= d->shift_from_ns && received < d->shift_to_ns ? d->shift_ns : 0;
		int64_t due = received + d->base_delay_ns + jitter + shift;
		if (due < d->last_due_ns) due = d->last_due_ns; /* no reordering */
		d->last_due_ns = due;
		struct frame *f = &d->queue[(d->head + d->count) % QUEUE_LEN];
		f->due_ns = due;
		f->len = (uint16_t)n;
		memcpy(f->data, buf, (size_t)n);
		d->count++;
	}
}

static void send_due(struct direction *d, int64_t now) {
	while (d->count > 0 && d->queue[d->head].due_ns <= now) {
		struct frame *f = &d->queue[d->head];
		if (d->samples < MAX_SAMPLES) d->lateness[d->samples++] = now_ns() - f->due_ns;
		if (send(d->out, f->data, f->len, 0) == (ssize_t)f->len) d->sent++;
		else d->dropped++;
		d->head = (d->head + 1) % QUEUE_LEN;
		d->count--;
	}
}

static int compare_i64(const void *a, const void *b) {
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void print_quantile(const int64_t *v, size_t n, double q) {
	if (n == 0) { printf("null"); return; }
	size_t rank = (size_t)(q * (double)n + 0.999999999);
	if (rank < 1) rank = 1;
	if (rank > n) rank = n;
	printf("%lld", (long long)v[rank - 1]);
}

static void print_stats(struct direction *d) {
	qsort(d->lateness, d->samples, sizeof(int64_t), compare_i64);
	printf("{\"frames\":%llu,\"dropped\":%llu,\"oversize\":%llu,\"overflow\":%llu,\"sent\":%llu,\"delayNs\":%lld,\"jitterNs\":%lld,\"latenessMedianNs\":",
	       (unsigned long long)d->frames, (unsigned long long)d->dropped, (unsigned long long)d->oversize, (unsigned long long)d->overflow,
	       (unsigned long long)d->sent, (long long)d->base_delay_ns, (long long)jitter_ns);
	print_quantile(d->lateness, d->samples, 0.5);
	printf(",\"latenessP99Ns\":");
	print_quantile(d->lateness, d->samples, 0.99);
	printf(",\"latenessMaxNs\":");
	print_quantile(d->lateness, d->samples, 1.0);
	printf("}");
}

static void usage(void) {
	fprintf(stderr, "usage: relay --left IF --right IF [--delay-ns N] [--asymmetry-ns N] [--jitter-ns N] [--loss P] [--seed N] [--spin-ns N]\n"
	                "             [--reverse-shift-ns N --reverse-shift-from-ms A --reverse-shift-to-ms B]\n");
	exit(2);
}

int main(int argc, char **argv) {
	const char *left = NULL, *right = NULL;
	long long delay = 0, asymmetry = 0, spin = 300000, shift = 0, shift_from_ms = 0, shift_to_ms = 0;
	unsigned long long seed = 1;
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--left")) left = v;
		else if (!strcmp(k, "--right")) right = v;
		else if (!strcmp(k, "--delay-ns")) delay = atoll(v);
		else if (!strcmp(k, "--asymmetry-ns")) asymmetry = atoll(v);
		else if (!strcmp(k, "--jitter-ns")) jitter_ns = atoll(v);
		else if (!strcmp(k, "--loss")) loss = atof(v);
		else if (!strcmp(k, "--seed")) seed = strtoull(v, NULL, 10);
		else if (!strcmp(k, "--spin-ns")) spin = atoll(v);
		else if (!strcmp(k, "--reverse-shift-ns")) shift = atoll(v);
		else if (!strcmp(k, "--reverse-shift-from-ms")) shift_from_ms = atoll(v);
		else if (!strcmp(k, "--reverse-shift-to-ms")) shift_to_ms = atoll(v);
		else usage();
	}
	if (argc % 2 == 0 || left == NULL || right == NULL) usage();
	if (delay < 0 || jitter_ns < 0 || spin < 0 || !(loss >= 0 && loss < 1)) {
		fprintf(stderr, "relay: delay, jitter and spin must be >= 0 ns and loss in [0, 1)\n");
		return 2;
	}
	if (shift < 0 || shift_from_ms < 0 || shift_to_ms < shift_from_ms) {
		fprintf(stderr, "relay: the reverse shift must be >= 0 ns over 0 <= from <= to ms\n");
		return 2;
	}
	if (delay - asymmetry < 0 || delay + asymmetry < 0) {
		fprintf(stderr, "relay: delay - |asymmetry| must be >= 0 ns\n");
		return 2;
	}

	static struct direction fwd, rev;
	int l = open_port(left), r = open_port(right);
	/* Field by field: a compound literal of this 8 MiB struct would land on the stack. */
	fwd.name = "forward", fwd.in = l, fwd.out = r, fwd.base_delay_ns = delay + asymmetry;
	rev.name = "reverse", rev.in = r, rev.out = l, rev.base_delay_ns = delay - asymmetry;
	int64_t started = now_ns();
	rev.shift_ns = shift, rev.shift_from_ns = started + shift_from_ms * 1000000, rev.shift_to_ns = started + shift_to_ms * 1000000;
	fwd.rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	rev.rng = seed * 0x9E3779B97F4A7C15ULL + 0xD1B54A32D192ED03ULL;
	fwd.lateness = malloc(MAX_SAMPLES * sizeof(int64_t));
	rev.lateness = malloc(MAX_SAMPLES * sizeof(int64_t));
	if (fwd.lateness == NULL || rev.lateness == NULL) return 1;

	/*
	 * Behind every busy process of a loaded machine the relay delivered late (median lateness 3.5 ms
	 * with both cores saturated): run at the lowest real-time priority when allowed (CAP_SYS_NICE), as
	 * chronyd -P does; the kernel's real-time throttling still leaves the others their share.
	 */
	struct sched_param sp = {.sched_priority = 1};
	if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
		fprintf(stderr, "relay: no SCHED_FIFO (%s): deliveries may be late on a loaded machine\n", strerror(errno));

	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("relay: ready\n");
	fflush(stdout);

	struct pollfd fds[2] = {{.fd = l, .events = POLLIN}, {.fd = r, .events = POLLIN}};
	while (running) {
		int64_t now = now_ns();
		send_due(&fwd, now);
		send_due(&rev, now);
		int64_t next = INT64_MAX;
		if (fwd.count > 0) next = fwd.queue[fwd.head].due_ns;
		if (rev.count > 0 && rev.queue[rev.head].due_ns < next) next = rev.queue[rev.head].due_ns;
		int64_t wait = next == INT64_MAX ? 500000000 : next - now_ns() - spin;
		if (wait <= 0) {
			/* The last stretch: take what arrived meanwhile, then busy-wait to the due time. */
			receive_all(&fwd);
			receive_all(&rev);
			while (now_ns() < next && running) {
			}
			continue;
		}
		struct timespec timeout = {wait / 1000000000, wait % 1000000000};
		int n = ppoll(fds, 2, &timeout, NULL);
		if (n < 0 && errno != EINTR) { perror("relay: ppoll"); return 1; }
		if (n > 0) {
			receive_all(&fwd);
			receive_all(&rev);
		}
	}
	printf("{\"forward\":");
	print_stats(&fwd);
	printf(",\"reverse\":");
	print_stats(&rev);
	printf("}\n");
	fflush(stdout);
	return 0;
}
