// SPDX-License-Identifier: GPL-2.0
/* pri-stress: set-up, rounds, report (see ps.h and docs/pri-stress.md). */
#include <errno.h>
#include <string.h>

#include "console.h"
#include "cpu.h"
#include "ecam.h"
#include "fw.h"
#include "pages.h"
#include "pci.h"
#include "ps.h"
#include "tsc.h"

struct ps ps;

static u64 cycles_to_ns(u64 c)
{
	/* kHz: cycles per microsecond * 1000 */
	return c / tsc__khz() * 1000000 + c % tsc__khz() * 1000000 /
	       tsc__khz();
}

static u64 ms_since_start(void)
{
	return tsc__ms_since(ps.t0);
}

/* Pages a space may have mapped at once: every job's pages, the detach
 * jobs', the two record pages. */
static u32 max_mapped(void)
{
	return (ps.p.jobs + PS_DETACH_JOBS) * ps.p.pages + 8;
}

static int find_devices(const void *fdt, struct dt_pci_dev *iommu,
			struct dt_pci_dev *dev)
{
	int ret;

	if (viommu__find(fdt, iommu)) {
		puts(PS_PROG ": no virtio-iommu (run vsva with --viommu on)");
		return -ENOENT;
	}
	ret = sva__find(fdt, dev);
	if (ret) {
		puts(ret == -ENOENT ?
		     PS_PROG ": no sva-dev (run vsva with --sva-dev)" :
		     PS_PROG ": sva-dev has no vsva,iommu-endpoint");
		return ret;
	}
	ret = ecam__init(fdt);
	if (ret) {
		printf(PS_PROG ": no usable vsva,ecam on /pci (%d)\n", ret);
		return ret;
	}
	return 0;
}

static int setup_viommu(u16 bdf)
{
	static const unsigned int need[] = {
		VIRTIO_IOMMU_F_VSVA_TABLE, VIRTIO_IOMMU_F_VSVA_INVAL,
		VIRTIO_IOMMU_F_VSVA_PAGE_REQ,
	};
	int ret = viommu__init(&ps.vi, bdf);

	if (ret) {
		printf(PS_PROG ": virtio-iommu init: %d\n", ret);
		return ret;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(need); i++)
		if (!viommu__has(&ps.vi, need[i])) {
			printf(PS_PROG ": feature %u not offered\n", need[i]);
			return -EOPNOTSUPP;
		}
	if (!ps.vi.has_prq)
		return -EOPNOTSUPP;
	return 0;
}

static int check_probe(u32 ep)
{
	struct viommu_probe p;
	int st = viommu__probe(&ps.vi, ep, &p);

	if (st != VIRTIO_IOMMU_S_OK || !p.has_vsva) {
		printf(PS_PROG ": PROBE of endpoint %#x: %s%s\n", ep,
		       viommu__status_str(st), st ? "" : ", no VSVA property");
		return -ENODEV;
	}
	if (!(p.vsva.formats & VSVA_S1_FMT_X86_64_4LVL) ||
	    !p.vsva.page_req || p.vsva.pasid_bits < 7) {
		printf(PS_PROG ": endpoint %#x: formats %#x page_req %u "
		       "pasid_bits %u\n", ep, p.vsva.formats, p.vsva.page_req,
		       p.vsva.pasid_bits);
		return -ENODEV;
	}
	return 0;
}

static int setup_memory(void)
{
	u32 per = max_mapped(), n = ps.p.pasids * ps.p.jobs;
	u64 job_pages = ALIGN_UP((u64)n * sizeof(struct ps_job), PAGE_SIZE) /
			PAGE_SIZE;
	/* pool, job arrays, tables and mapped lists (generously) */
	u64 need = (u64)ps.p.pasids * per + 2 * job_pages +
		   ps.p.pasids * (16 + per / 256) + 64;

	if (pages__available() < need) {
		printf(PS_PROG ": needs about %llu MiB of RAM, has %llu\n",
		       (unsigned long long)(need / 256 + 1),
		       (unsigned long long)(pages__available() / 256));
		return -ENOMEM;
	}
	ps.fills = pages__alloc(job_pages);
	ps.rest = pages__alloc(job_pages);
	return ps.fills && ps.rest ? 0 : -ENOMEM;
}

static int bind_spaces(void)
{
	int ret;

	for (u32 i = 0; i < ps.p.pasids; i++) {
		struct prq_space *s = &ps.spaces[i];

		ret = prq_space__init(s, i + 1, max_mapped());
		if (ret)
			return ret;
		ret = viommu__attach_table(&ps.vi, ps.sva.ep, s->pasid, 0, 4,
					   s->pt.root);
		if (ret != VIRTIO_IOMMU_S_OK) {
			printf(PS_PROG ": ATTACH_TABLE pasid %u: %s\n",
			       s->pasid, viommu__status_str(ret));
			return -EIO;
		}
		s->bound = true;
	}
	return 0;
}

static int setup(const void *fdt)
{
	struct dt_pci_dev iommu, dev;
	int ret;

	ret = find_devices(fdt, &iommu, &dev);
	if (!ret)
		ret = setup_viommu(iommu.bdf);
	if (!ret)
		ret = check_probe(dev.iommu_ep);
	if (!ret)
		ret = sva__init(&ps.sva, &dev, false);
	if (!ret)
		ret = setup_memory();
	if (ret)
		return ret;
	ps.domain = ps.vi.cfg.domain_range.start;
	ret = viommu__attach(&ps.vi, ps.domain, ps.sva.ep, 0);
	if (ret != VIRTIO_IOMMU_S_OK) {
		printf(PS_PROG ": ATTACH endpoint %#x to domain %u: %s\n",
		       ps.sva.ep, ps.domain, viommu__status_str(ret));
		return -EIO;
	}
	ret = bind_spaces();
	if (ret)
		return ret;
	return prq_handler__init(&ps.h, &ps.vi, ps.sva.ep, ps.spaces,
				 ps.p.pasids,
				 (struct prq_range){ PS_ALLOW_BASE,
						     PS_ALLOW_BASE +
						     PS_ALLOW_SIZE },
				 (struct prq_range){ PS_REFUSE_BASE,
						     PS_REFUSE_BASE +
						     PS_REFUSE_SIZE },
				 ps.p.pasids * max_mapped());
}

static void teardown(void)
{
	for (u32 i = 0; i < ps.p.pasids; i++)
		if (ps.spaces[i].bound &&
		    viommu__detach_table(&ps.vi, ps.sva.ep,
					 ps.spaces[i].pasid) ==
		    VIRTIO_IOMMU_S_OK)
			ps.spaces[i].bound = false;
	viommu__detach(&ps.vi, ps.domain, ps.sva.ep);
	sva__disable(&ps.sva);
	viommu__reset(&ps.vi);
}

static bool last_round(u32 r)
{
	if (ps.p.seconds)
		return ms_since_start() >= ps.p.seconds * 1000ULL;
	return r + 1 >= ps.p.rounds;
}

static void print_round(u32 r, u64 ms, u64 failed)
{
	printf(PS_PROG ": round %u: %llu ms; so far %llu jobs: %llu ok, %llu "
	       "failed as expected (+%llu), %llu wrong; %llu page requests\n",
	       r, (unsigned long long)ms, (unsigned long long)ps.jobs_total,
	       (unsigned long long)ps.jobs_ok,
	       (unsigned long long)ps.jobs_failed,
	       (unsigned long long)failed,
	       (unsigned long long)ps.jobs_wrong,
	       (unsigned long long)ps.h.st.records);
}

static void run_rounds(void)
{
	for (u32 r = 0; !ps.aborted; r++) {
		u64 t = rdtsc(), failed = ps.jobs_failed;
		bool last;
		u32 n;

		ps__round_begin();
		n = ps__build_fills();
		if (ps__run(ps.fills, n))
			break;
		n = ps__build_rest();
		if (n && ps__run(ps.rest, n))
			break;
		last = last_round(r);
		if (last) {
			ps__timeout_phase();
			ps__failure_phase();
			ps__detach_phase();
		}
		if (prq_handler__unmap_all(&ps.h))
			ps.aborted = true;
		ps.rounds++;
		/* The first rounds, every tenth, the last. */
		if (r < 3 || last || !(ps.rounds % 10))
			print_round(r, tsc__ms_since(t),
				    ps.jobs_failed - failed);
		if (last)
			break;
	}
}

static void report(void)
{
	struct fw_stress_report *r = &ps.report;
	const struct prq_stats *st = &ps.h.st;

	*r = (struct fw_stress_report){
		.magic = FW_REPORT_MAGIC,
		.version = FW_REPORT_VERSION,
		.jobs_total = ps.jobs_total,
		.jobs_ok = ps.jobs_ok,
		.jobs_failed_as_expected = ps.jobs_failed,
		.jobs_wrong = ps.jobs_wrong,
		.page_requests = st->records,
		.groups = st->groups,
		.answered_success = st->answered[VSVA_PAGE_RESP_SUCCESS],
		.answered_invalid = st->answered[VSVA_PAGE_RESP_INVALID],
		.answered_failure = st->answered[VSVA_PAGE_RESP_FAILURE],
		.resp_errors = st->resp_errors,
		.rounds = ps.rounds,
		.detaches_with_outstanding = ps.detaches,
		.guest_ns = cycles_to_ns(st->cycles),
		.elapsed_ns = cycles_to_ns(rdtsc() - ps.t0),
	};
	barrier();
	outl(FW_REPORT_PORT, (u32)(uintptr_t)r);
}

static void summary(bool pass)
{
	const struct fw_stress_report *r = &ps.report;

	printf(PS_PROG ": %llu jobs in %llu rounds: %llu ok, %llu failed as "
	       "expected, %llu wrong\n", (unsigned long long)r->jobs_total,
	       (unsigned long long)r->rounds, (unsigned long long)r->jobs_ok,
	       (unsigned long long)r->jobs_failed_as_expected,
	       (unsigned long long)r->jobs_wrong);
	prq_handler__print(&ps.h);
	printf("  submissions that found the device busy %llu; unexpected "
	       "fault reports %llu; PRI status %#x\n",
	       (unsigned long long)ps.sva.busy,
	       (unsigned long long)ps.events_unexpected, ps.pri_status);
	printf(PS_PROG ": %llu ms, of which %llu ms handling page requests\n",
	       (unsigned long long)(r->elapsed_ns / 1000000),
	       (unsigned long long)(r->guest_ns / 1000000));
	puts(pass ? PS_PROG ": PASS" : PS_PROG ": FAIL");
}

int payload__main(const void *fdt)
{
	bool pass;
	int ret;

	ps.t0 = rdtsc();
	if (ps__parse_params(fdt, &ps.p))
		return PS_EXIT_SETUP;
	ps__seed(ps.p.seed);
	printf(PS_PROG ": %u PASIDs x %u jobs x up to %u pages, ", ps.p.pasids,
	       ps.p.jobs, ps.p.pages);
	if (ps.p.seconds)
		printf("%u seconds", ps.p.seconds);
	else
		printf("%u rounds", ps.p.rounds);
	printf(", %u%% refused, seed %llu", ps.p.invalid,
	       (unsigned long long)ps.p.seed);
	if (ps.p.timeout)
		printf(", page-request timeout %u ms", ps.p.timeout);
	putchar('\n');

	ret = setup(fdt);
	if (ret) {
		printf(PS_PROG ": set-up failed (%d)\n", ret);
		return PS_EXIT_SETUP;
	}
	run_rounds();
	ps.pri_status = sva__pri_status(&ps.sva);
	teardown();
	report();
	/* Not-present faults of a PRI endpoint are page requests, never
	 * fault reports (docs/virtio-iommu-ext.md section 9). */
	pass = !ps.jobs_wrong && !ps.aborted && ps.detach_ok &&
	       ps.timeout_ok && ps.detaches && !ps.events_unexpected &&
	       !(ps.pri_status & (PCI_PRI_STATUS_RF | PCI_PRI_STATUS_UPRGI));
	summary(pass);
	return pass ? PS_EXIT_OK : PS_EXIT_WRONG;
}
