// SPDX-License-Identifier: GPL-2.0
/*
 * `vsva stress`: boot the pri-stress firmware (docs/pri-stress.md) with the
 * vIOMMU and the SVA device on the emul backend, show progress, then the
 * results table (and JSON): page requests, groups, rate, round trips and
 * where the time goes, answers and drops by reason, job outcomes.  Exit
 * status 0 only if every job and every count is right.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vsva/emul-fq.h>
#include <vsva/fw-report.h>
#include <vsva/log.h>
#include <vsva/relay.h>
#include <vsva/report.h>
#include <vsva/run.h>
#include <vsva/sva-dev.h>
#include <vsva/virtio-iommu.h>
#include <vsva/vm.h>

struct stress {
	u32 pasids, jobs, pages, rounds, seconds, invalid, seed;
	u32 prq_timeout;	/* ms, the SVA device's own policy; 0: none */
	const char *json;
	bool relay_poll;
	char args[256];

	pthread_t progress;
	bool progress_on;
	volatile int done;
	struct timespec t_start, t_end;

	bool have_report;
	struct fw_stress_report fw;
	struct relay_stats relay;
	bool have_relay;
	struct emul_fq_stats fq;
	struct sva_dev_stats dev;
};

static const char *const auto_names[PRQ_AUTO__COUNT] = {
	[PRQ_AUTO_QUEUE_FULL] = "queue_full",
	[PRQ_AUTO_NO_QUEUE] = "no_queue",
	[PRQ_AUTO_DETACH] = "detach",
	[PRQ_AUTO_REPLACE] = "replace",
	[PRQ_AUTO_DEVICE_RESET] = "device_reset",
	[PRQ_AUTO_GUEST_RESET] = "guest_reset",
	[PRQ_AUTO_VM_EXIT] = "vm_exit",
	[PRQ_AUTO_TIMEOUT] = "timeout",
	[PRQ_AUTO_UNKNOWN_DEVICE] = "unknown_device",
};

static const char *const drop_names[PRQ_DROP__COUNT] = {
	[PRQ_DROP_UNKNOWN_TAG] = "unknown_tag",
	[PRQ_DROP_STALE] = "stale",
	[PRQ_DROP_DUPLICATE] = "duplicate",
	[PRQ_DROP_MISROUTED] = "misrouted",
	[PRQ_DROP_BAD_CODE] = "bad_code",
};

static void stress__usage(FILE *f)
{
	fprintf(f,
"usage: vsva stress [options]\n"
"\n"
"Boot the pri-stress firmware with the virtio-iommu and the emulated SVA\n"
"device (emul backend): every first touch of a job buffer is a PCIe page\n"
"request that the guest answers through the relay.  See docs/pri-stress.md.\n"
"\n"
"  --pasids N         address spaces (default 4, 1-64)\n"
"  --jobs M           jobs per PASID per round (default 8, 1-256)\n"
"  --pages P          pages per job buffer (default 4, 1-64)\n"
"  --rounds R         rounds (default 2)\n"
"  --seconds S        run for S seconds instead of a number of rounds\n"
"  --invalid K        percent of jobs aimed at refused addresses (default 10)\n"
"  --seed X           the job mix (default 1)\n"
"  --prq-timeout MS   give the SVA device a page-request timeout of MS ms\n"
"                     (as --sva-dev=prq-timeout=MS) and have the guest leave\n"
"                     a few groups unanswered in the last round: vsva must\n"
"                     answer them Invalid itself and refuse the late answers\n"
"                     (1-60000; MS must exceed the guest's slowest answer)\n"
"  --relay uring|poll relay design (default uring)\n"
"  --json FILE        also write the results as JSON\n"
"  --loglevel LEVEL   error, warn, info or debug\n"
"  -h, --help         this text\n"
"\n"
"Exit status 0 if every job ended as expected and every page request was\n"
"answered exactly once, by the right device and PASID; 3, 4 or 5 if the\n"
"guest crashed (as vsva run); 1 otherwise.\n");
}

static double stress__secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void *stress__progress(void *arg)
{
	struct vm *vm = arg;
	struct stress *s = vm->hooks->opaque;
	struct emul_fq *fq = virtio_iommu__vm_fault_queue(vm);
	int tick = 0;

	while (!s->done) {
		struct emul_fq_stats st;
		struct timespec now;

		usleep(100000);
		if (++tick % 10 || s->done || !fq)
			continue;
		emul_fq__stats(fq, &st);
		clock_gettime(CLOCK_MONOTONIC, &now);
		fprintf(stderr, "stress: %5.1f s  %llu page requests, %llu groups answered\n",
			stress__secs(&s->t_start, &now),
			(unsigned long long)st.requests,
			(unsigned long long)st.responses);
	}
	return NULL;
}

static void stress__started(struct vm *vm, void *opaque)
{
	struct stress *s = opaque;

	clock_gettime(CLOCK_MONOTONIC, &s->t_start);
	s->progress_on = !pthread_create(&s->progress, NULL, stress__progress,
					 vm);
}

static void stress__finished(struct vm *vm, void *opaque)
{
	struct stress *s = opaque;
	struct relay *r = virtio_iommu__relay(vm);
	struct emul_fq *fq = virtio_iommu__vm_fault_queue(vm);
	u64 gpa = __atomic_load_n(&vm->fw_report_gpa, __ATOMIC_ACQUIRE);

	clock_gettime(CLOCK_MONOTONIC, &s->t_end);
	s->done = 1;
	if (s->progress_on)
		pthread_join(s->progress, NULL);
	if (r) {
		relay__stats(r, &s->relay);
		s->have_relay = true;
	}
	if (fq)
		emul_fq__stats(fq, &s->fq);
	sva_dev__stats(vm, &s->dev);
	if (gpa && !guest_mem__read(&vm->mem, gpa, &s->fw, sizeof(s->fw)) &&
	    s->fw.magic == FW_REPORT_MAGIC && s->fw.version == FW_REPORT_VERSION)
		s->have_report = true;
}

static double stress__mean_us(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count / 1000.0 : 0;
}

static u64 stress__sum(const u64 *v, int n)
{
	u64 t = 0;

	for (int i = 0; i < n; i++)
		t += v[i];
	return t;
}

static void stress__json(struct stress *s, double rate, u64 misrouted)
{
	FILE *f = fopen(s->json, "w");
	const struct prq_stats *p = &s->relay.prq;
	struct json j;

	if (!f) {
		pr_err("cannot write %s: %s", s->json, strerror(errno));
		return;
	}
	json__begin(&j, f);
	json__u64(&j, "requests", s->dev.page_requests);
	json__u64(&j, "groups", s->dev.groups);
	json__dbl(&j, "requests_per_s", rate);
	json__dbl(&j, "seconds", stress__secs(&s->t_start, &s->t_end));
	json__lat(&j, "rtt_us", &s->fq.rtt);
	json__obj(&j, "time_us_mean");
	json__dbl(&j, "device_to_relay", stress__mean_us(&s->relay.dev_to_relay));
	json__dbl(&j, "relay_to_guest", stress__mean_us(&s->relay.relay_to_guest));
	json__dbl(&j, "guest", stress__mean_us(&s->relay.guest));
	json__dbl(&j, "guest_to_device", stress__mean_us(&s->fq.back));
	json__close(&j);
	{
		double d2r = stress__mean_us(&s->relay.dev_to_relay);
		double r2g = stress__mean_us(&s->relay.relay_to_guest);
		double g = stress__mean_us(&s->relay.guest);
		double back = stress__mean_us(&s->fq.back);
		double all = d2r + r2g + g + back;

		json__dbl(&j, "vsva_share", all > 0 ? (d2r + r2g + back) / all : 0);
	}
	json__u64(&j, "answered_by_guest", p->answered_by_guest);
	json__obj(&j, "answered_by_vsva");
	for (int i = 0; i < PRQ_AUTO__COUNT; i++)
		json__u64(&j, auto_names[i], p->answered_by_vsva[i]);
	json__close(&j);
	json__obj(&j, "dropped_guest_answers");
	for (int i = 0; i < PRQ_DROP__COUNT; i++)
		json__u64(&j, drop_names[i], p->dropped[i]);
	json__u64(&j, "late", p->late_answers);
	json__close(&j);
	json__u64(&j, "misrouted", misrouted);
	json__u64(&j, "jobs_ok", s->fw.jobs_ok);
	json__u64(&j, "jobs_failed_as_expected", s->fw.jobs_failed_as_expected);
	json__u64(&j, "jobs_wrong", s->fw.jobs_wrong);
	json__u64(&j, "host_refused", s->fq.refused);
	json__str(&j, "relay", s->relay_poll ? "poll" : "uring");
	json__u64(&j, "prq_timeout_ms", s->prq_timeout);
	json__end(&j);
	fclose(f);
}

/* The table; returns true if everything adds up. */
static bool stress__report(struct stress *s, int status)
{
	const struct prq_stats *p = &s->relay.prq;
	double secs = stress__secs(&s->t_start, &s->t_end);
	double rate = secs > 0 ? (double)s->dev.page_requests / secs : 0;
	u64 by_vsva = stress__sum(p->answered_by_vsva, PRQ_AUTO__COUNT);
	u64 dropped = stress__sum(p->dropped, PRQ_DROP__COUNT);
	u64 misrouted = s->dev.uprgi;	/* answers that reached no waiting group */
	double rtt = stress__mean_us(&s->fq.rtt_guest);
	double d2r = stress__mean_us(&s->relay.dev_to_relay);
	double r2g = stress__mean_us(&s->relay.relay_to_guest);
	double g = stress__mean_us(&s->relay.guest);
	double back = stress__mean_us(&s->fq.back);
	bool ok = true;
	char why[256] = "";

#define FAIL(...) do { ok = false; snprintf(why + strlen(why), \
	sizeof(why) - strlen(why), __VA_ARGS__); } while (0)

	if (status)
		FAIL(" firmware exit %d;", status);
	if (!s->have_report)
		FAIL(" no firmware report;");
	if (s->fw.jobs_wrong)
		FAIL(" %llu wrong jobs;", (unsigned long long)s->fw.jobs_wrong);
	if (misrouted)
		FAIL(" %llu misrouted answers;", (unsigned long long)misrouted);
	if (s->dev.answers != s->dev.groups)
		FAIL(" %llu groups raised, %llu answered;",
		     (unsigned long long)s->dev.groups,
		     (unsigned long long)s->dev.answers);
	if (s->fq.refused)
		FAIL(" host refused %llu responses;",
		     (unsigned long long)s->fq.refused);
	if (s->prq_timeout && !p->answered_by_vsva[PRQ_AUTO_TIMEOUT])
		FAIL(" no group answered on timeout;");
	if (p->answered_by_guest + by_vsva != s->relay.groups_in)
		FAIL(" relay: %llu groups, %llu + %llu answered;",
		     (unsigned long long)s->relay.groups_in,
		     (unsigned long long)p->answered_by_guest,
		     (unsigned long long)by_vsva);

	printf("vsva stress: %u PASIDs x %u jobs x %u pages, %s, %s relay\n",
	       s->pasids, s->jobs, s->pages, s->args,
	       s->relay_poll ? "poll+read" : "io_uring");
	printf("  %-30s %llu\n", "page requests",
	       (unsigned long long)s->dev.page_requests);
	printf("  %-30s %llu\n", "groups", (unsigned long long)s->dev.groups);
	printf("  %-30s %.0f (%.2f s)\n", "requests/s", rate, secs);
	report__lat(stdout, "round trip (device->device)", &s->fq.rtt);
	printf("  where the time goes (mean)     device->relay %.1f us, relay->guest %.1f us,\n"
	       "                                 guest %.1f us, guest->device %.1f us\n",
	       d2r, r2g, g, back);
	if (d2r + r2g + g + back > 0)
		printf("  %-30s %.1f%% of a guest-answered round trip (mean %.1f us)\n",
		       "vsva's share", 100.0 * (d2r + r2g + back) /
		       (d2r + r2g + g + back), rtt);
	printf("  %-30s %llu\n", "answered by the guest",
	       (unsigned long long)p->answered_by_guest);
	printf("  %-30s %llu:", "answered by vsva", (unsigned long long)by_vsva);
	for (int i = 0; i < PRQ_AUTO__COUNT; i++)
		if (p->answered_by_vsva[i])
			printf(" %s %llu", auto_names[i],
			       (unsigned long long)p->answered_by_vsva[i]);
	printf("\n  %-30s %llu:", "dropped guest answers",
	       (unsigned long long)dropped);
	for (int i = 0; i < PRQ_DROP__COUNT; i++)
		if (p->dropped[i])
			printf(" %s %llu", drop_names[i],
			       (unsigned long long)p->dropped[i]);
	printf(" (late %llu)\n", (unsigned long long)p->late_answers);
	printf("  %-30s %llu\n", "misrouted", (unsigned long long)misrouted);
	printf("  %-30s ok %llu, failed as expected %llu, wrong %llu (of %llu)\n",
	       "jobs", (unsigned long long)s->fw.jobs_ok,
	       (unsigned long long)s->fw.jobs_failed_as_expected,
	       (unsigned long long)s->fw.jobs_wrong,
	       (unsigned long long)s->fw.jobs_total);
	printf("  %-30s %s%s\n", "result", ok ? "PASS" : "FAIL:", why);
	if (s->json)
		stress__json(s, rate, misrouted);
	return ok;
#undef FAIL
}

static u32 stress__num(const char *opt, const char *v, u32 lo, u32 hi)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 0);
	if (errno || end == v || *end || n < lo || n > hi) {
		fprintf(stderr, "vsva stress: %s wants %u..%u, not '%s'\n", opt,
			lo, hi, v);
		exit(2);
	}
	return (u32)n;
}

int stress__main(int argc, char **argv)
{
	enum { O_PASIDS = 256, O_JOBS, O_PAGES, O_ROUNDS, O_SECONDS,
	       O_INVALID, O_SEED, O_PRQ_TIMEOUT, O_RELAY, O_JSON, O_LOG };
	static const struct option opts[] = {
		{ "pasids", required_argument, NULL, O_PASIDS },
		{ "jobs", required_argument, NULL, O_JOBS },
		{ "pages", required_argument, NULL, O_PAGES },
		{ "rounds", required_argument, NULL, O_ROUNDS },
		{ "seconds", required_argument, NULL, O_SECONDS },
		{ "invalid", required_argument, NULL, O_INVALID },
		{ "seed", required_argument, NULL, O_SEED },
		{ "prq-timeout", required_argument, NULL, O_PRQ_TIMEOUT },
		{ "relay", required_argument, NULL, O_RELAY },
		{ "json", required_argument, NULL, O_JSON },
		{ "loglevel", required_argument, NULL, O_LOG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct stress *s = calloc(1, sizeof(*s));
	struct run_hooks hooks = {
		.started = stress__started, .finished = stress__finished,
		.opaque = s,
	};
	struct vm_config cfg;
	int o, status;
	bool ok;

	if (!s)
		return 1;
	s->pasids = 4;
	s->jobs = 8;
	s->pages = 4;
	s->rounds = 2;
	s->invalid = 10;
	s->seed = 1;
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case O_PASIDS: s->pasids = stress__num("--pasids", optarg, 1, 64); break;
		case O_JOBS: s->jobs = stress__num("--jobs", optarg, 1, 256); break;
		case O_PAGES: s->pages = stress__num("--pages", optarg, 1, 64); break;
		case O_ROUNDS: s->rounds = stress__num("--rounds", optarg, 1, 1000000); break;
		case O_SECONDS: s->seconds = stress__num("--seconds", optarg, 1, 86400); break;
		case O_INVALID: s->invalid = stress__num("--invalid", optarg, 0, 100); break;
		case O_SEED: s->seed = stress__num("--seed", optarg, 0, 0xffffffffU); break;
		case O_PRQ_TIMEOUT:
			s->prq_timeout = stress__num("--prq-timeout", optarg,
						     1, 60000);
			break;
		case O_RELAY:
			if (strcmp(optarg, "uring") && strcmp(optarg, "poll")) {
				fprintf(stderr, "vsva stress: --relay uring|poll\n");
				return 2;
			}
			s->relay_poll = !strcmp(optarg, "poll");
			break;
		case O_JSON: s->json = optarg; break;
		case O_LOG:
			if (log__parse_level(optarg) < 0) {
				fprintf(stderr, "vsva stress: unknown log level\n");
				return 2;
			}
			log_level = log__parse_level(optarg);
			break;
		case 'h': stress__usage(stdout); return 0;
		default: stress__usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vsva stress: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (s->seconds)
		snprintf(s->args, sizeof(s->args),
			 "pasids=%u jobs=%u pages=%u seconds=%u invalid=%u seed=%u",
			 s->pasids, s->jobs, s->pages, s->seconds, s->invalid,
			 s->seed);
	else
		snprintf(s->args, sizeof(s->args),
			 "pasids=%u jobs=%u pages=%u rounds=%u invalid=%u seed=%u",
			 s->pasids, s->jobs, s->pages, s->rounds, s->invalid,
			 s->seed);
	/* The guest's timeout phase; it runs only with the key. */
	if (s->prq_timeout)
		snprintf(s->args + strlen(s->args),
			 sizeof(s->args) - strlen(s->args), " timeout=%u",
			 s->prq_timeout);

	memset(&cfg, 0, sizeof(cfg));
	cfg.ram_mib = 256;
	cfg.nr_cpus = 1;
	cfg.firmware = "pri-stress";
	cfg.fw_args = s->args;
	cfg.viommu = true;
	cfg.sva_dev = true;
	cfg.sva_dev_prq_timeout_ms = s->prq_timeout;
	cfg.relay_poll = s->relay_poll;
	cfg.console = "serial";
	status = run__vm(&cfg, &hooks);
	ok = stress__report(s, status);
	free(s);
	/* A guest that crashed (KVM internal error, triple fault, reset)
	 * keeps vsva run's status, so callers can tell it from bad counts. */
	if (status >= 3 && status <= 5)
		return status;
	return ok ? 0 : 1;
}
