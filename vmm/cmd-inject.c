// SPDX-License-Identifier: GPL-2.0
/*
 * `vsva inject`: a synthetic page-request storm through the real relay
 * (include/vsva/synth.h), no guest needed.  Prints a results table and,
 * with --json, the same numbers as JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/log.h>
#include <vsva/report.h>
#include <vsva/synth.h>

static void inject__usage(FILE *f)
{
	fprintf(f,
"usage: vsva inject [options]\n"
"\n"
"Drive the page-request relay with a synthetic storm: devices raise page\n"
"request groups into the emul fault queue; a guest stand-in answers each\n"
"group as it arrives (through the same PAGE_RESP checks as a guest).\n"
"\n"
"  -n, --requests N       page requests in all (default 100000)\n"
"  -r, --rate R           requests/s to raise (default 0: as fast as possible)\n"
"  -g, --group MIN[-MAX]  records per group (default 1-8, max 64)\n"
"  -p, --pasids N         PASIDs per device (default 4)\n"
"  -d, --devices N        devices (default 2, max 8)\n"
"  -w, --window N         outstanding groups per device (default 32, max 64)\n"
"      --relay uring|poll the relay design (default uring)\n"
"      --compare          run the same storm through both designs (3 times\n"
"                         each, interleaved) and print both and the ratio\n"
"      --pin              the relay thread alone on CPU 1, the devices and\n"
"                         the fault queue on CPU 0 (steadier numbers)\n"
"      --json FILE        write the results as JSON\n"
"      --loglevel LEVEL   error, warn, info or debug\n"
"  -h, --help             this text\n"
"\n"
"Exit status 0 if every group was answered exactly once by the right\n"
"device and PASID, 1 otherwise.\n");
}

static u32 inject__num(const char *opt, const char *s, u64 lo, u64 hi)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "vsva inject: %s wants %llu..%llu, not '%s'\n",
			opt, (unsigned long long)lo, (unsigned long long)hi, s);
		exit(2);
	}
	return (u32)v;
}

static void inject__json(const char *path, const struct synth_config *c,
			 const struct synth_result *r)
{
	FILE *f = fopen(path, "w");
	struct json j;

	if (!f) {
		pr_err("cannot write %s: %s", path, strerror(errno));
		return;
	}
	json__begin(&j, f);
	json__str(&j, "relay", c->mode == RELAY_URING ? "uring" : "poll");
	json__u64(&j, "requests", r->requests);
	json__u64(&j, "groups", r->groups);
	json__dbl(&j, "seconds", r->seconds);
	json__dbl(&j, "requests_per_s", r->requests_per_s);
	json__lat(&j, "rtt_us", &r->rtt);
	json__lat(&j, "device_to_relay_us", &r->relay.dev_to_relay);
	json__lat(&j, "relay_to_guest_us", &r->relay.relay_to_guest);
	json__u64(&j, "answered_by_guest", r->relay.prq.answered_by_guest);
	json__u64(&j, "misrouted", r->misrouted);
	json__u64(&j, "unanswered", r->unanswered);
	json__u64(&j, "duplicate", r->duplicate);
	json__u64(&j, "reads", r->relay.reads);
	json__dbl(&j, "relay_cpu_ns_per_request",
		  r->requests ? (double)r->relay.cpu_ns / (double)r->requests : 0);
	json__u64(&j, "writes", r->relay.writes);
	json__end(&j);
	fclose(f);
}

static bool inject__good(const struct synth_result *r)
{
	return !r->misrouted && !r->unanswered && !r->duplicate &&
	       r->relay.prq.answered_by_guest == r->groups;
}

/* The same storm through both relays, interleaved; the best of three of
 * each (a 2-core machine is noisy). */
static int inject__compare(struct synth_config *c)
{
	static const enum relay_mode modes[2] = { RELAY_URING, RELAY_POLL };
	struct synth_result best[2], r;
	double cpu[2];
	bool ok = true;

	memset(best, 0, sizeof(best));
	for (int round = 0; round < 3; round++) {
		for (int m = 0; m < 2; m++) {
			c->mode = modes[m];
			int ret = synth__run(c, &r);

			if (ret) {
				fprintf(stderr, "vsva inject: storm failed: %s%s\n",
					strerror(-ret), ret == -EINVAL && c->pin ?
					" (--pin wants CPUs 0 and 1)" : "");
				return 1;
			}
			ok &= inject__good(&r);
			if (r.requests_per_s > best[m].requests_per_s)
				best[m] = r;
		}
	}
	for (int m = 0; m < 2; m++)
		cpu[m] = best[m].requests ?
			 (double)best[m].relay.cpu_ns / (double)best[m].requests : 0;
	printf("relay comparison: %llu requests, groups of %u-%u, %u device(s), best of 3%s\n",
	       (unsigned long long)c->requests, c->group_min, c->group_max,
	       c->devices, c->pin ? ", relay pinned to CPU 1" : "");
	printf("  %-12s %14s %14s %10s %10s %10s %14s\n", "relay",
	       "requests/s", "relay ns/req", "p50 us", "p99 us", "max us",
	       "syscalls/grp");
	for (int m = 0; m < 2; m++) {
		const struct synth_result *b = &best[m];
		double sys = (double)b->relay.syscalls;

		printf("  %-12s %14.0f %14.0f %10.1f %10.1f %10.1f %14.2f\n",
		       m == 0 ? "io_uring" : "poll+read", b->requests_per_s,
		       cpu[m], (double)hist__pct(&b->rtt, 50) / 1000.0,
		       (double)hist__pct(&b->rtt, 99) / 1000.0,
		       (double)b->rtt.max / 1000.0,
		       b->groups ? sys / (double)b->groups : 0);
	}
	printf("  %-12s %14.2fx %14.2fx\n", "ratio",
	       best[1].requests_per_s > 0 ?
	       best[0].requests_per_s / best[1].requests_per_s : 0,
	       cpu[0] > 0 ? cpu[1] / cpu[0] : 0);
	printf("  accounting: %s\n", ok ? "every group answered exactly once, none misrouted" :
	       "WRONG (misrouted, unanswered or duplicate answers)");
	return ok ? 0 : 1;
}

int inject__main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "requests", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },
		{ "group", required_argument, NULL, 'g' },
		{ "pasids", required_argument, NULL, 'p' },
		{ "devices", required_argument, NULL, 'd' },
		{ "window", required_argument, NULL, 'w' },
		{ "relay", required_argument, NULL, 'R' },
		{ "json", required_argument, NULL, 'j' },
		{ "compare", no_argument, NULL, 'C' },
		{ "pin", no_argument, NULL, 'P' },
		{ "loglevel", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct synth_config c = {
		.requests = 100000, .group_min = 1, .group_max = 8,
		.pasids = 4, .devices = 2, .window = 32, .mode = RELAY_URING,
		.seed = 12345,
	};
	struct synth_result r;
	const char *json = NULL;
	bool compare = false;
	int o, ret;
	bool ok;

	optind = 1;
	while ((o = getopt_long(argc, argv, "n:r:g:p:d:w:h", opts, NULL)) != -1) {
		switch (o) {
		case 'n': c.requests = inject__num("-n", optarg, 1, 1ULL << 32); break;
		case 'r': c.rate = inject__num("-r", optarg, 0, 100000000); break;
		case 'g': {
			char *dash = strchr(optarg, '-');

			if (dash) {
				*dash = '\0';
				c.group_max = inject__num("-g", dash + 1, 1,
							  PRQ_MAX_GROUP);
			}
			c.group_min = inject__num("-g", optarg, 1, PRQ_MAX_GROUP);
			if (!dash)
				c.group_max = c.group_min;
			if (c.group_min > c.group_max) {
				fprintf(stderr, "vsva inject: -g MIN-MAX with MIN <= MAX\n");
				return 2;
			}
			break;
		}
		case 'p': c.pasids = inject__num("-p", optarg, 1, 1 << 19); break;
		case 'd': c.devices = inject__num("-d", optarg, 1, 8); break;
		case 'w': c.window = inject__num("-w", optarg, 1, 64); break;
		case 'R':
			if (!strcmp(optarg, "uring"))
				c.mode = RELAY_URING;
			else if (!strcmp(optarg, "poll"))
				c.mode = RELAY_POLL;
			else {
				fprintf(stderr, "vsva inject: --relay uring|poll\n");
				return 2;
			}
			break;
		case 'j': json = optarg; break;
		case 'C': compare = true; break;
		case 'P': c.pin = true; break;
		case 'L':
			if (log__parse_level(optarg) < 0) {
				fprintf(stderr, "vsva inject: unknown log level\n");
				return 2;
			}
			log_level = log__parse_level(optarg);
			break;
		case 'h': inject__usage(stdout); return 0;
		default: inject__usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vsva inject: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (compare)
		return inject__compare(&c);
	ret = synth__run(&c, &r);
	if (ret) {
		fprintf(stderr, "vsva inject: %s%s\n", strerror(-ret),
			ret == -EINVAL && c.pin ? " (--pin wants CPUs 0 and 1)" : "");
		return 1;
	}
	ok = !r.misrouted && !r.unanswered && !r.duplicate &&
	     r.relay.prq.answered_by_guest == r.groups;
	printf("vsva inject: %s relay, %u device(s) x %u PASID(s), groups of %u-%u\n",
	       c.mode == RELAY_URING ? "io_uring" : "poll+read", c.devices,
	       c.pasids, c.group_min, c.group_max);
	printf("  %-28s %llu in %llu groups\n", "page requests",
	       (unsigned long long)r.requests, (unsigned long long)r.groups);
	printf("  %-28s %.0f\n", "requests/s", r.requests_per_s);
	printf("  %-28s %llu (%llu reads, %llu empty; %llu writes)\n",
	       "answered by the guest",
	       (unsigned long long)r.relay.prq.answered_by_guest,
	       (unsigned long long)r.relay.reads,
	       (unsigned long long)r.relay.empty_reads,
	       (unsigned long long)r.relay.writes);
	printf("  %-28s %.0f ns per request (%llu syscalls-worth: %llu reads, %llu writes)\n",
	       "relay CPU", r.requests ? (double)r.relay.cpu_ns / (double)r.requests : 0,
	       (unsigned long long)(r.relay.reads + r.relay.writes),
	       (unsigned long long)r.relay.reads,
	       (unsigned long long)r.relay.writes);
	report__lat(stdout, "round trip", &r.rtt);
	report__lat(stdout, "device -> relay", &r.relay.dev_to_relay);
	report__lat(stdout, "relay -> guest queue", &r.relay.relay_to_guest);
	printf("  %-28s misrouted %llu, unanswered %llu, duplicate %llu, refused by host %llu\n",
	       "accounting", (unsigned long long)r.misrouted,
	       (unsigned long long)r.unanswered,
	       (unsigned long long)r.duplicate,
	       (unsigned long long)r.host_refused);
	if (json)
		inject__json(json, &c, &r);
	return ok ? 0 : 1;
}
