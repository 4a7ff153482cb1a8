// SPDX-License-Identifier: GPL-2.0
/*
 * mock-pri: set-up, the phases, the report (see mp.h).
 *
 * Parameters from /chosen/bootargs (all optional): rounds=N (8), batch=M
 * rings per round (48, at most 60), invalid=K percent of rings meant to be
 * answered Invalid (20), seed=X (1).
 */
#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "cpu.h"
#include "ecam.h"
#include "mp.h"
#include "pages.h"
#include "tsc.h"

struct mp mp;

static u64 rng_state;

u64 mp__rand(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

bool mp__check(bool ok, const char *fmt, ...)
{
	va_list ap;

	mp.checks++;
	if (ok)
		return true;
	mp.wrong++;
	printf(MP_PROG ": WRONG: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return false;
}

/* --- parameters --- */

static int set_param(const char *tok, size_t len)
{
	static const struct {
		const char *name;
		u64 min, max;
	} keys[] = {
		{ "rounds", 1, 1000 }, { "batch", 1, MP_MAX_BATCH },
		{ "invalid", 0, 100 }, { "seed", 0, ~0ULL },
	};
	const char *eq = memchr(tok, '=', len);
	char num[24];
	char *end;
	size_t nl;
	u64 v;

	if (!eq || eq == tok || eq + 1 == tok + len ||
	    (size_t)(tok + len - eq - 1) >= sizeof(num))
		return -EINVAL;
	nl = (size_t)(tok + len - eq - 1);
	memcpy(num, eq + 1, nl);
	num[nl] = 0;
	v = strtoul(num, &end, 0);
	if (*end)
		return -EINVAL;
	for (u32 i = 0; i < ARRAY_SIZE(keys); i++) {
		if (strlen(keys[i].name) != (size_t)(eq - tok) ||
		    memcmp(keys[i].name, tok, (size_t)(eq - tok)))
			continue;
		if (v < keys[i].min || v > keys[i].max) {
			printf(MP_PROG ": %s=%llu is outside %llu..%llu\n",
			       keys[i].name, (unsigned long long)v,
			       (unsigned long long)keys[i].min,
			       (unsigned long long)keys[i].max);
			return -ERANGE;
		}
		switch (i) {
		case 0: mp.p.rounds = (u32)v; break;
		case 1: mp.p.batch = (u32)v; break;
		case 2: mp.p.invalid = (u32)v; break;
		default: mp.p.seed = v; break;
		}
		return 0;
	}
	return -ENOENT;
}

static int parse_params(const void *fdt)
{
	const char *args, *p, *end;
	int chosen, len;

	mp.p = (struct mp_params){ .rounds = 8, .batch = 48, .invalid = 20,
				   .seed = 1 };
	chosen = fdt_path_offset(fdt, "/chosen");
	args = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "bootargs", &len);
	if (!args || len <= 0)
		return 0;
	end = args + strnlen(args, (size_t)len);
	for (p = args; p < end;) {
		const char *tok;

		while (p < end && *p == ' ')
			p++;
		tok = p;
		while (p < end && *p != ' ')
			p++;
		if (p > tok && set_param(tok, (size_t)(p - tok))) {
			printf(MP_PROG ": bad parameter '%.*s' (rounds=, batch=, invalid=, seed=)\n",
			       (int)(p - tok), tok);
			return -EINVAL;
		}
	}
	return 0;
}

/* --- set-up --- */

static int setup_viommu(const void *fdt, struct dt_pci_dev *dev)
{
	static const unsigned int need[] = {
		VIRTIO_IOMMU_F_VSVA_TABLE, VIRTIO_IOMMU_F_VSVA_INVAL,
		VIRTIO_IOMMU_F_VSVA_PAGE_REQ,
	};
	struct dt_pci_dev iommu;
	struct viommu_probe pr;
	int ret, st;

	if (viommu__find(fdt, &iommu)) {
		puts(MP_PROG ": no virtio-iommu (run vsva with --viommu on)");
		return -ENOENT;
	}
	ret = mp_dev__find(fdt, dev);
	if (ret) {
		puts(ret == -ENOENT ?
		     MP_PROG ": no mock-sva (run vsva with --mock-sva-dev)" :
		     MP_PROG ": mock-sva has no vsva,iommu-endpoint");
		return ret;
	}
	ret = ecam__init(fdt);
	if (ret) {
		printf(MP_PROG ": no usable vsva,ecam on /pci (%d)\n", ret);
		return ret;
	}
	ret = viommu__init(&mp.vi, iommu.bdf);
	if (ret) {
		printf(MP_PROG ": virtio-iommu init: %d\n", ret);
		return ret;
	}
	for (u32 i = 0; i < ARRAY_SIZE(need); i++)
		if (!viommu__has(&mp.vi, need[i])) {
			printf(MP_PROG ": feature %u not offered\n", need[i]);
			return -EOPNOTSUPP;
		}
	st = viommu__probe(&mp.vi, dev->iommu_ep, &pr);
	if (st != VIRTIO_IOMMU_S_OK || !pr.has_vsva || !pr.vsva.page_req ||
	    !(pr.vsva.formats & VSVA_S1_FMT_X86_64_4LVL) ||
	    pr.vsva.pasid_bits < 2) {
		printf(MP_PROG ": PROBE of endpoint %#x: %s, VSVA %d, page_req %u, formats %#x, pasid_bits %u\n",
		       dev->iommu_ep, viommu__status_str(st), pr.has_vsva,
		       pr.vsva.page_req, pr.vsva.formats, pr.vsva.pasid_bits);
		return -ENODEV;
	}
	return 0;
}

static int bind(void)
{
	int st;

	mp.domain = mp.vi.cfg.domain_range.start;
	st = viommu__attach(&mp.vi, mp.domain, mp.dev.ep, 0);
	if (st != VIRTIO_IOMMU_S_OK) {
		printf(MP_PROG ": ATTACH to domain %u: %s\n", mp.domain,
		       viommu__status_str(st));
		return -EIO;
	}
	if (prq_space__init(&mp.spaces[0], MP_PASID, MP_MAX_BATCH + 8) ||
	    prq_space__init(&mp.spaces[1], MP_PASID_UNBOUND, 1))
		return -ENOMEM;
	st = viommu__attach_table(&mp.vi, mp.dev.ep, MP_PASID, 0, 4,
				  mp.spaces[0].pt.root);
	if (st != VIRTIO_IOMMU_S_OK) {
		printf(MP_PROG ": ATTACH_TABLE PASID %u: %s\n", MP_PASID,
		       viommu__status_str(st));
		return -EIO;
	}
	mp.spaces[0].bound = true;
	/* The host may take one table only (6.12's selftest driver attaches
	 * to the RID); informative, the run does not depend on it. */
	{
		struct prq_space other;

		if (!prq_space__init(&other, MP_PASID_OTHER, 1)) {
			st = viommu__attach_table(&mp.vi, mp.dev.ep,
						  MP_PASID_OTHER, 0, 4,
						  other.pt.root);
			printf(MP_PROG ": a second table (PASID %u): %s%s\n",
			       MP_PASID_OTHER, viommu__status_str(st),
			       st == VIRTIO_IOMMU_S_UNSUPP ?
			       " (the host attaches tables to the RID only)" :
			       "");
			if (st == VIRTIO_IOMMU_S_OK)
				viommu__detach_table(&mp.vi, mp.dev.ep,
						     MP_PASID_OTHER);
		}
	}
	return prq_handler__init(&mp.h, &mp.vi, mp.dev.ep, mp.spaces, 2,
				 (struct prq_range){ MP_ALLOW_BASE,
						     MP_ALLOW_BASE +
						     MP_ALLOW_SIZE },
				 (struct prq_range){ MP_REFUSE_BASE,
						     MP_REFUSE_BASE +
						     MP_REFUSE_SIZE },
				 MP_MAX_BATCH + 8);
}

static void teardown(void)
{
	if (mp.spaces[0].bound &&
	    viommu__detach_table(&mp.vi, mp.dev.ep, MP_PASID) ==
	    VIRTIO_IOMMU_S_OK)
		mp.spaces[0].bound = false;
	viommu__detach(&mp.vi, mp.domain, mp.dev.ep);
	mp_dev__disable(&mp.dev);
	viommu__reset(&mp.vi);
}

/* --- the report --- */

static u64 cycles_to_ns(u64 c)
{
	u64 khz = tsc__khz();

	return c / khz * 1000000 + c % khz * 1000000 / khz;
}

static void report(void)
{
	const struct prq_stats *st = &mp.h.st;
	struct fw_stress_report *r = &mp.report;

	*r = (struct fw_stress_report){
		.magic = FW_REPORT_MAGIC,
		.version = FW_REPORT_VERSION,
		.jobs_total = mp.ex.raised,
		.jobs_ok = mp.rings_ok,
		.jobs_failed_as_expected = mp.rings_invalid,
		.jobs_wrong = mp.wrong,
		.page_requests = st->records + mp.manual_records,
		.groups = st->groups + mp.manual_records,
		.answered_success = mp.ex.success,
		.answered_invalid = mp.ex.invalid,
		.answered_failure = mp.ex.failure,
		.resp_errors = mp.ex.dropped,
		.rounds = mp.rounds,
		.detaches_with_outstanding = mp.detaches,
		.guest_ns = cycles_to_ns(st->cycles),
		.elapsed_ns = cycles_to_ns(rdtsc() - mp.t0),
	};
	barrier();
	outl(FW_REPORT_PORT, (u32)(uintptr_t)r);
}

static void summary(bool pass)
{
	const struct mp_expect *e = &mp.ex;

	prq_handler__print(&mp.h);
	printf(MP_PROG ": %llu page requests raised in the host kernel, %llu rings refused by the device; answers forwarded by vsva: %llu success, %llu invalid, %llu failure; %llu answers refused by vsva; %llu answered by the kernel on detach\n",
	       (unsigned long long)e->raised,
	       (unsigned long long)e->rejected,
	       (unsigned long long)e->success,
	       (unsigned long long)e->invalid,
	       (unsigned long long)e->failure,
	       (unsigned long long)e->dropped,
	       (unsigned long long)e->auto_answered);
	/* One line for scripts (tests/lab/cases/pri-mock-iommufd.sh). */
	printf(MP_PROG ": accounting raised=%llu answered=%llu dropped=%llu by-kernel=%llu checks=%llu wrong=%llu\n",
	       (unsigned long long)e->raised,
	       (unsigned long long)(e->success + e->invalid + e->failure),
	       (unsigned long long)e->dropped,
	       (unsigned long long)e->auto_answered,
	       (unsigned long long)mp.checks,
	       (unsigned long long)mp.wrong);
	printf(MP_PROG ": %llu ms, of which %llu ms in lib/prq.c\n",
	       (unsigned long long)(mp.report.elapsed_ns / 1000000),
	       (unsigned long long)(mp.report.guest_ns / 1000000));
	puts(pass ? MP_PROG ": PASS" : MP_PROG ": FAIL");
}

int payload__main(const void *fdt)
{
	struct dt_pci_dev dev;
	bool ran = false;
	int ret;

	mp.t0 = rdtsc();
	if (parse_params(fdt))
		return MP_EXIT_SETUP;
	rng_state = mp.p.seed * 2 + 1;
	printf(MP_PROG ": %u rounds of %u rings, %u%% meant to be Invalid, seed %llu\n",
	       mp.p.rounds, mp.p.batch, mp.p.invalid,
	       (unsigned long long)mp.p.seed);
	ret = setup_viommu(fdt, &dev);
	if (!ret)
		ret = mp_dev__init(&mp.dev, &dev);
	if (ret) {
		printf(MP_PROG ": set-up failed (%d)\n", ret);
		return MP_EXIT_SETUP;
	}
	/* Before any table: rings the device itself refuses. */
	mp__doorbell_checks();
	ret = bind();
	if (ret) {
		printf(MP_PROG ": binding a table failed (%d)\n", ret);
		return MP_EXIT_SETUP;
	}
	for (u32 r = 0; r < mp.p.rounds; r++) {
		u64 t = rdtsc();

		if (mp__round(r))
			break;
		if (r < 2 || r + 1 == mp.p.rounds)
			printf(MP_PROG ": round %u: %u rings, %llu ms; %llu page requests so far\n",
			       r, mp.p.batch,
			       (unsigned long long)tsc__ms_since(t),
			       (unsigned long long)mp.ex.raised);
		ran = r + 1 == mp.p.rounds;
	}
	if (ran)
		ran = !mp__manual_phase() && !mp__detach_phase();
	teardown();
	mp__check(ran, "a phase did not finish");
	report();
	summary(ran && !mp.wrong);
	return ran && !mp.wrong ? MP_EXIT_OK : MP_EXIT_WRONG;
}
