// SPDX-License-Identifier: GPL-2.0
/*
 * `vsva run`: parse options, bring the machine up in a declared order, boot,
 * run until the guest exits, tear down in reverse.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/boot.h>
#include <vsva/evloop.h>
#include <vsva/log.h>
#include <vsva/mock-sva.h>
#include <vsva/pci.h>
#include <vsva/power.h>
#include <vsva/rtc.h>
#include <vsva/run.h>
#include <vsva/serial8250.h>
#include <vsva/sva-dev.h>
#include <vsva/term.h>
#include <vsva/vcpu.h>
#include <vsva/vfio.h>
#include <vsva/virtio-blk.h>
#include <vsva/virtio-console.h>
#include <vsva/virtio-iommu.h>
#include <vsva/virtio-net.h>
#include <vsva/virtio.h>
#include <vsva/vm.h>

#define RUN_MAX_CPUS	8
#define RUN_DEFAULT_MIB	256

static void run__usage(FILE *f)
{
	fprintf(f,
"usage: vsva run -k KERNEL [-i INITRD] [-p CMDLINE] [options]\n"
"       vsva run -f FIRMWARE [options]\n"
"\n"
"Boot a Linux bzImage (64-bit boot protocol) or a firmware ELF image.\n"
"\n"
"  -k, --kernel FILE      Linux bzImage\n"
"  -i, --initrd FILE      initial ramdisk\n"
"  -p, --params CMDLINE   kernel command line (default: console=ttyS0, or\n"
"                         console=hvc0 with --console virtio)\n"
"  -f, --firmware FW      firmware image: a path, or a payload name built by\n"
"                         the tree (hello, virtio-rng, ...)\n"
"  -m, --mem MiB          guest RAM in MiB (default %d)\n"
"  -c, --cpus N           number of vCPUs, 1-%d (default 1)\n"
"      --rng              add a virtio-rng device\n"
"      --disk PATH[,ro][,iommu=off]\n"
"                         a virtio-blk disk on the raw image PATH (its size a\n"
"                         multiple of 512 bytes); ,ro: read-only; up to %d;\n"
"                         ,iommu=off: not behind the --viommu\n"
"      --console serial|virtio\n"
"                         the device the terminal's input goes to: the 8250\n"
"                         (default) or a virtio-console (Linux: hvc0); the\n"
"                         8250 stays for output either way\n"
"      --viommu on|off    a virtio-iommu in front of every DMA-capable device\n"
"                         (default off); see docs/virtio-iommu-ext.md\n"
"      --sva-dev[=prq-timeout=MS]\n"
"                         the emulated SVA DMA device (PASID, PRI, ATS);\n"
"                         see docs/sva-device.md; needs --viommu on\n"
"      --mock-sva-dev[=prq-timeout=MS]\n"
"                         a device whose page requests the host kernel raises\n"
"                         (IOMMUFD selftest mock device, TRIGGER_IOPF from a\n"
"                         doorbell); see docs/mock-sva-device.md; needs\n"
"                         --viommu on and a kernel with CONFIG_IOMMUFD_TEST\n"
"      --iommu-backend emul|iommufd\n"
"                         what does the host IOMMU's work for --viommu: vsva's\n"
"                         model (emul), or the kernel through /dev/iommu\n"
"                         (iommufd); default emul, iommufd with --mock-sva-dev\n"
"                         or --vfio\n"
"      --relay uring|poll page-request relay: io_uring (default) or the\n"
"                         poll()+read() baseline\n"
"      --prq-timeout MS   answer Invalid Request for page requests the guest\n"
"                         leaves unanswered MS ms (default 0: never); a\n"
"                         device's own prq-timeout=MS (on --sva-dev,\n"
"                         --mock-sva-dev, --vfio) replaces it for that device\n"
"      --network user[,mac=MAC][,hostfwd=RULE]...[,iommu=off]\n"
"                         virtio-net on user-mode networking (slirp): guest\n"
"                         10.0.2.15 by DHCP, gateway 10.0.2.2 (the host's\n"
"                         127.0.0.1), DNS 10.0.2.3;\n"
"                         RULE = [tcp|udp]:[HADDR]:HPORT-[GADDR]:GPORT, HADDR\n"
"                         127.0.0.1 unless given; ,iommu=off: not behind the\n"
"                         --viommu\n"
"      --vfio PATH|BDF[,prq-timeout=MS]\n"
"                         pass a PCI device through: its VFIO cdev\n"
"                         (/dev/vfio/devices/vfioN) or its address\n"
"                         (0000:00:03.0, bound to vfio-pci); behind the\n"
"                         --viommu when on (iommufd backend); up to %d\n"
"      --loglevel LEVEL   error, warn, info or debug (default warn)\n"
"  -h, --help             this text\n"
"\n"
"Exit status: the firmware's exit code; 0 when a Linux guest powers off;\n"
"3 on a KVM internal error, 4 on a guest triple fault, 5 on a guest reset,\n"
"128+N when stopped by signal N.  On a terminal, Ctrl-A x quits.\n",
		RUN_DEFAULT_MIB, RUN_MAX_CPUS, VM_MAX_DISKS, VM_MAX_VFIO);
}

enum { OPT_RNG = 256, OPT_LOGLEVEL, OPT_VIOMMU, OPT_NETWORK };

enum { OPT_DISK = 512, OPT_CONSOLE };

enum { OPT_SVA_DEV = 768, OPT_RELAY, OPT_PRQ_TIMEOUT };

enum { OPT_MOCK_SVA_DEV = 1280, OPT_IOMMU_BACKEND };

enum { OPT_VFIO = 1024 };

static const struct option run_options[] = {
	{ "kernel", required_argument, NULL, 'k' },
	{ "initrd", required_argument, NULL, 'i' },
	{ "params", required_argument, NULL, 'p' },
	{ "firmware", required_argument, NULL, 'f' },
	{ "mem", required_argument, NULL, 'm' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "rng", no_argument, NULL, OPT_RNG },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "viommu", required_argument, NULL, OPT_VIOMMU },
	{ "sva-dev", optional_argument, NULL, OPT_SVA_DEV },
	{ "mock-sva-dev", optional_argument, NULL, OPT_MOCK_SVA_DEV },
	{ "iommu-backend", required_argument, NULL, OPT_IOMMU_BACKEND },
	{ "relay", required_argument, NULL, OPT_RELAY },
	{ "prq-timeout", required_argument, NULL, OPT_PRQ_TIMEOUT },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "vfio", required_argument, NULL, OPT_VFIO },
	{ "loglevel", required_argument, NULL, OPT_LOGLEVEL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static long run__number(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "vsva run: %s wants a number from %ld to %ld, not '%s'\n",
			opt, lo, hi, s);
		exit(2);
	}
	return v;
}

/* A device option: prq-timeout=MS, its own timeout policy. */
static int run__prq_timeout(const char *opt, const char *s, u32 *ms)
{
	static const char key[] = "prq-timeout=";

	if (strncmp(s, key, sizeof(key) - 1)) {
		fprintf(stderr, "vsva run: %s: unknown option '%s' (prq-timeout=MS)\n",
			opt, s);
		return -1;
	}
	*ms = (u32)run__number(opt, s + sizeof(key) - 1, 1, 3600000);
	return 0;
}

/* --vfio PATH|BDF[,prq-timeout=MS]: checked here, opened by vfio/. */
static int run__vfio(struct vm_config *cfg, const char *arg)
{
	const char *comma = strrchr(arg, ',');
	char *path;

	if (!*arg || comma == arg) {
		fprintf(stderr, "vsva run: --vfio needs a path or a PCI address\n");
		return -1;
	}
	if (!comma) {
		cfg->vfio[cfg->nr_vfio++] = arg;
		return 0;
	}
	if (run__prq_timeout("--vfio", comma + 1,
			     &cfg->vfio_prq_timeout_ms[cfg->nr_vfio]))
		return -1;
	path = strndup(arg, (size_t)(comma - arg));
	if (!path)
		die("out of memory");
	cfg->vfio[cfg->nr_vfio++] = path;
	return 0;
}

/* --network: checked here, set up by the virtio-net step. */
static int run__network(struct vm_config *cfg, const char *spec)
{
	struct net_config net;
	char err[160];

	if (cfg->network) {
		fprintf(stderr, "vsva run: only one --network\n");
		return -1;
	}
	if (net_config__parse(&net, spec, err, sizeof(err))) {
		fprintf(stderr, "vsva run: --network %s: %s\n", spec, err);
		return -1;
	}
	cfg->network = spec;
	return 0;
}

/*
 * One --disk option item (the text after a comma): ro, rw, iommu=on or
 * iommu=off.  1 if it is one (applied to @d), 0 if not, -1 if it repeats
 * an option already given.
 */
static int run__disk_item(struct vm_disk *d, const char *s, size_t n,
			  unsigned int *seen)
{
	static const struct {
		const char *text;
		unsigned int kind;	/* 1: ro/rw, 2: iommu */
		bool value;
	} items[] = {
		{ "ro", 1, true }, { "rw", 1, false },
		{ "iommu=off", 2, true }, { "iommu=on", 2, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(items); i++) {
		if (strlen(items[i].text) != n || strncmp(s, items[i].text, n))
			continue;
		if (*seen & items[i].kind)
			return -1;
		*seen |= items[i].kind;
		if (items[i].kind == 1)
			d->ro = items[i].value;
		else
			d->no_iommu = items[i].value;
		return 1;
	}
	return 0;
}

/*
 * --disk PATH[,ro|,rw][,iommu=on|off]: checked here, opened by the
 * virtio-blk step.  Options are taken from the end; text after the last
 * comma must be an option, so a PATH with a comma in it needs an explicit
 * option (,rw for instance).
 */
static int run__disk(struct vm_config *cfg, const char *arg)
{
	unsigned int seen = 0;
	struct vm_disk *d;
	const char *comma;
	size_t len;
	int ret;

	if (cfg->nr_disks == VM_MAX_DISKS) {
		fprintf(stderr, "vsva run: at most %d --disk\n", VM_MAX_DISKS);
		return -1;
	}
	d = &cfg->disks[cfg->nr_disks];
	memset(d, 0, sizeof(*d));
	d->arg = arg;
	len = strlen(arg);
	while ((comma = memrchr(arg, ',', len))) {
		const char *item = comma + 1;
		size_t n = len - (size_t)(item - arg);

		ret = run__disk_item(d, item, n, &seen);
		if (ret < 0) {
			fprintf(stderr, "vsva run: --disk %s: '%.*s' repeats an option\n",
				arg, (int)n, item);
			return -1;
		}
		if (!ret) {
			if (!seen) {
				fprintf(stderr, "vsva run: --disk %s: unknown option '%.*s' (ro, rw, iommu=on or iommu=off)\n",
					arg, (int)n, item);
				return -1;
			}
			break;	/* part of the path */
		}
		len = (size_t)(comma - arg);
	}
	d->path_len = len;
	if (!d->path_len) {
		fprintf(stderr, "vsva run: --disk needs a path\n");
		return -1;
	}
	cfg->nr_disks++;
	return 0;
}

/* --iommu-backend, --mock-sva-dev and the devices that need a backend. */
static int run__check_backend(struct vm_config *cfg)
{
	if (cfg->mock_sva_dev && !cfg->viommu) {
		fprintf(stderr, "vsva run: --mock-sva-dev needs --viommu on\n");
		return -1;
	}
	if (cfg->iommu_backend != VM_IOMMU_AUTO && !cfg->viommu) {
		fprintf(stderr, "vsva run: --iommu-backend needs --viommu on\n");
		return -1;
	}
	if (cfg->iommu_backend == VM_IOMMU_EMUL && cfg->mock_sva_dev) {
		fprintf(stderr, "vsva run: --mock-sva-dev needs --iommu-backend iommufd (its page requests come from the host kernel)\n");
		return -1;
	}
	if (cfg->iommu_backend == VM_IOMMU_EMUL && cfg->viommu &&
	    cfg->nr_vfio) {
		fprintf(stderr, "vsva run: --vfio behind --viommu on needs --iommu-backend iommufd\n");
		return -1;
	}
	if (cfg->sva_dev && (cfg->iommu_backend == VM_IOMMU_IOMMUFD ||
			     cfg->mock_sva_dev || cfg->nr_vfio)) {
		fprintf(stderr, "vsva run: --sva-dev needs the emul backend: it cannot share the vIOMMU with --iommu-backend iommufd, --mock-sva-dev or --vfio\n");
		return -1;
	}
	return 0;
}

int run__parse(int argc, char **argv, struct vm_config *cfg)
{
	int c, lvl;

	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_mib = RUN_DEFAULT_MIB;
	cfg->nr_cpus = 1;
	cfg->console = "serial";
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:i:p:f:m:c:h", run_options,
				NULL)) != -1) {
		switch (c) {
		case 'k': cfg->kernel = optarg; break;
		case 'i': cfg->initrd = optarg; break;
		case 'p': cfg->cmdline = optarg; break;
		case 'f': cfg->firmware = optarg; break;
		case 'm':
			cfg->ram_mib = (u64)run__number("-m", optarg, 2, 1 << 20);
			break;
		case 'c':
			cfg->nr_cpus = (int)run__number("-c", optarg, 1,
							RUN_MAX_CPUS);
			break;
		case OPT_RNG: cfg->rng = true; break;
		case OPT_SVA_DEV:
			cfg->sva_dev = true;
			if (optarg && run__prq_timeout("--sva-dev", optarg,
					&cfg->sva_dev_prq_timeout_ms))
				return 2;
			break;
		case OPT_MOCK_SVA_DEV:
			cfg->mock_sva_dev = true;
			if (optarg && run__prq_timeout("--mock-sva-dev", optarg,
					&cfg->mock_sva_dev_prq_timeout_ms))
				return 2;
			break;
		case OPT_IOMMU_BACKEND:
			if (!strcmp(optarg, "emul")) {
				cfg->iommu_backend = VM_IOMMU_EMUL;
			} else if (!strcmp(optarg, "iommufd")) {
				cfg->iommu_backend = VM_IOMMU_IOMMUFD;
			} else {
				fprintf(stderr, "vsva run: --iommu-backend takes emul or iommufd\n");
				return 2;
			}
			break;
		case OPT_RELAY:
			if (strcmp(optarg, "uring") && strcmp(optarg, "poll")) {
				fprintf(stderr, "vsva run: --relay takes uring or poll\n");
				return 2;
			}
			cfg->relay_poll = !strcmp(optarg, "poll");
			break;
		case OPT_PRQ_TIMEOUT:
			cfg->prq_timeout_ms = (u32)run__number("--prq-timeout",
							       optarg, 0, 3600000);
			break;
		case OPT_DISK:
			if (run__disk(cfg, optarg))
				return 2;
			break;
		case OPT_CONSOLE:
			if (strcmp(optarg, "serial") && strcmp(optarg, "virtio")) {
				fprintf(stderr, "vsva run: --console takes serial or virtio\n");
				return 2;
			}
			cfg->console = strcmp(optarg, "virtio") ? "serial" : "virtio";
			break;
		case OPT_VIOMMU:
			if (!strcmp(optarg, "on")) {
				cfg->viommu = true;
			} else if (!strcmp(optarg, "off")) {
				cfg->viommu = false;
			} else {
				fprintf(stderr, "vsva run: --viommu takes on or off\n");
				return 2;
			}
			break;
		case OPT_NETWORK:
			if (run__network(cfg, optarg))
				return 2;
			break;
		case OPT_VFIO:
			if (cfg->nr_vfio == VM_MAX_VFIO) {
				fprintf(stderr, "vsva run: at most %d --vfio\n",
					VM_MAX_VFIO);
				return 2;
			}
			if (run__vfio(cfg, optarg))
				return 2;
			break;
		case OPT_LOGLEVEL:
			lvl = log__parse_level(optarg);
			if (lvl < 0) {
				fprintf(stderr, "vsva run: unknown log level '%s'\n",
					optarg);
				return 2;
			}
			log_level = lvl;
			break;
		case 'h':
			run__usage(stdout);
			exit(0);
		default:
			run__usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vsva run: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (!!cfg->kernel == !!cfg->firmware) {
		fprintf(stderr, "vsva run: give either -k KERNEL or -f FIRMWARE\n");
		run__usage(stderr);
		return 2;
	}
	if (cfg->firmware && (cfg->initrd || cfg->cmdline)) {
		fprintf(stderr, "vsva run: -i and -p go with -k, not -f\n");
		return 2;
	}
	if (cfg->sva_dev && !cfg->viommu) {
		fprintf(stderr, "vsva run: --sva-dev needs --viommu on\n");
		return 2;
	}
	if (run__check_backend(cfg))
		return 2;
	if (!cfg->cmdline)
		cfg->cmdline = strcmp(cfg->console, "virtio") ?
			       "console=ttyS0" : "console=hvc0";
	if (cfg->ram_mib < 16 && cfg->kernel) {
		fprintf(stderr, "vsva run: a Linux guest needs at least 16 MiB\n");
		return 2;
	}
	return 0;
}

static int run__rng(struct vm *vm)
{
	return vm->cfg->rng ? virtio_rng__init(vm) : 0;
}

static int run__net(struct vm *vm)
{
	return vm->cfg->network ? virtio_net__init(vm, vm->cfg->network) : 0;
}

static int run__console(struct vm *vm)
{
	const char *con = vm->cfg->console;

	return con && !strcmp(con, "virtio") ? virtio_console__init(vm) : 0;
}

/* Last of the devices: it puts every DMA-capable one behind it. */
static int run__viommu(struct vm *vm)
{
	return vm->cfg->viommu ? virtio_iommu__init(vm) : 0;
}

static int run__sva_dev(struct vm *vm)
{
	return vm->cfg->sva_dev ? sva_dev__init(vm) : 0;
}

static int run__mock_sva_dev(struct vm *vm)
{
	return vm->cfg->mock_sva_dev ? mock_sva__init(vm) : 0;
}

/* Nothing to set up: its exit is the point between the devices' exits
 * (the vIOMMU answered what was outstanding) and the bus freeing them. */
static int run__results_init(struct vm *vm)
{
	return 0;
}

static void run__results_exit(struct vm *vm)
{
	if (vm->hooks && vm->hooks->finished)
		vm->hooks->finished(vm, vm->hooks->opaque);
}

/* Set-up order, declared once; exits run in reverse. */
static const struct run_step {
	const char *name;
	int (*init)(struct vm *vm);
	void (*exit)(struct vm *vm);
} run_steps[] = {
	{ "power and reset ports", power__init, NULL },
	{ "VFIO devices (open)", vfio__open_all, vfio__close_all },
	{ "CMOS RTC", rtc__init, NULL },
	{ "8250 UART", serial8250__init, NULL },
	{ "PCI host bridge", pci__init, pci__exit },
	{ "results", run__results_init, run__results_exit },
	{ "virtio-rng", run__rng, NULL },
	{ "virtio-net", run__net, virtio_net__exit },
	{ "virtio-blk", virtio_blk__init, NULL },
	{ "virtio-console", run__console, NULL },
	{ "SVA DMA device", run__sva_dev, NULL },
	{ "mock SVA device", run__mock_sva_dev, NULL },
	{ "VFIO devices", vfio__init_all, NULL },
	{ "virtio-iommu", run__viommu, virtio_iommu__exit },
};

static void run__teardown(struct vm *vm, int upto)
{
	while (upto-- > 0)
		if (run_steps[upto].exit)
			run_steps[upto].exit(vm);
}

int vm__run(struct vm *vm)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	vm->main_thread = pthread_self();
	vm->main_thread_set = true;
	if (evloop__start(vm))
		die("cannot start the event loop");
	if (vcpu__start_all(vm))
		die("cannot start vCPU threads");
	if (vm->hooks && vm->hooks->started)
		vm->hooks->started(vm, vm->hooks->opaque);
	while (!__atomic_load_n(&vm->exiting, __ATOMIC_ACQUIRE)) {
		sig = sigwaitinfo(&set, NULL);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
			pr_warn("stopped by signal %d", sig);
			vm__request_exit(vm, VM_EXIT_SIGNAL, 128 + sig);
		}
	}
	vcpu__kick_all(vm);
	vcpu__join_all(vm);
	/* No device callback may run once tear-down starts. */
	evloop__stop(vm);
	return vm->exit_status;
}

int run__vm(struct vm_config *cfg, const struct run_hooks *hooks)
{
	struct vcpu_boot_state st = { 0 };
	struct vm *vm;
	sigset_t set;
	int ret, status;
	unsigned int i;

	/* Signals are taken by the main thread only; block them first so
	 * every thread created from here on inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	vm = vm__create(cfg);
	vm->hooks = hooks;
	vcpu__create_all(vm, cfg->nr_cpus);
	for (i = 0; i < ARRAY_SIZE(run_steps); i++) {
		ret = run_steps[i].init(vm);
		if (ret)
			die("cannot set up the %s: %s", run_steps[i].name,
			    strerror(-ret));
	}
	if (cfg->firmware)
		boot__firmware(vm, cfg->firmware, &st);
	else
		boot__linux(vm, &st);
	ret = vcpu__set_long_mode(vm->cpus[0], &st);
	if (ret)
		die("cannot set the boot CPU's registers: %s", strerror(-ret));

	status = vm__run(vm);
	run__teardown(vm, (int)ARRAY_SIZE(run_steps));
	vm__destroy(vm);
	term__restore();
	return status;
}

int run__main(int argc, char **argv)
{
	struct vm_config cfg;
	int ret;

	ret = run__parse(argc, argv, &cfg);
	if (ret)
		return ret;
	return run__vm(&cfg, NULL);
}
