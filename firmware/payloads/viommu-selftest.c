// SPDX-License-Identifier: GPL-2.0
/*
 * viommu-selftest: drives vsva's virtio-iommu (run with --viommu on --rng)
 * through the statuses of docs/virtio-iommu-ext.md, then DMA of the
 * virtio-rng behind it: translated, faulting, detached and in bypass.
 * One PASS/FAIL/SKIP line per case; exit 0 only if every case passed.
 * Exit 2 when there is no vIOMMU or no virtio-rng to test.
 *
 * Page-granular UNMAP examples: map(a, b) maps pages a..b, i.e. the bytes
 * [base + a * 4 KiB, base + (b + 1) * 4 KiB - 1].
 */
#include <errno.h>
#include <string.h>

#include "console.h"
#include "cpu.h"
#include "dt.h"
#include "fmt.h"
#include "fw.h"
#include "pages.h"
#include "pci.h"
#include "pgtable.h"
#include "selftest.h"
#include "tsc.h"
#include "viommu.h"
#include "virtio-pci.h"

#define PROG		"viommu-selftest"
#define EXIT_ABSENT	2

#define PG		4096ULL
#define MSI_START	0xfee00000ULL
#define MSI_END		0xfeefffffULL
#define NOT_RAM		0xe0000000ULL	/* reserved for a future ECAM */
#define UNKNOWN_EP	0xff00u		/* bus 0xff: nothing lives there */

/* IOVA bases of the test ranges (all inside input_range, away from MSI) */
#define MAP_BASE	0x20000000ULL
#define UNMAP_BASE	0x30000000ULL
#define IOVA_BASE	0x10000000ULL	/* the rng's DMA window */
#define IOVA_STRAY	0x700000000000ULL /* never mapped */

#define TARGET_PAGES	16		/* RAM that test mappings point at */

/* The rng's DMA window: one page each */
enum { W_RING, W_A, W_B, W_C, W_D, W_PAGES };

#define RNG_LEN		64
#define RNG_QUEUE_SIZE	8
#define WAIT_MS		1000		/* for what must come */
#define QUIET_MS	300		/* for what must not */
#define PATTERN		0x5a

#define RW	(VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE)

static struct viommu vi;
static struct virtio_dev rng;
static struct virtq rq;

static u32 rng_ep;
static u16 rng_bdf;
static bool have_pasid_ep;
static u32 pasid_ep;
static struct virtio_iommu_probe_vsva pasid_caps;

/* Domains, from domain_range.start on */
static u32 dom1, dom2, dom_bypass, dom_pasid, dom_unknown;

static u8 *target;		/* TARGET_PAGES of RAM */
static u8 *win;			/* W_PAGES, the rng's window */

/* --- helpers --- */

static bool want(struct st_case *c, const char *what, int got, int want)
{
	if (got == want)
		return true;
	return st__fail(c, "%s: got %s (%d), want %s", what,
			viommu__status_str(got), got,
			viommu__status_str(want));
}

static const char *sname(int s)
{
	return viommu__status_str(s);
}

/* Bytes in [p, p + n) that differ from v; n a multiple of 8. */
static u32 count_ne(const void *p, u32 n, u8 v)
{
	const u64 *w = p;
	u64 pat = 0x0101010101010101ULL * v;
	u32 bad = 0;

	for (u32 i = 0; i < n / 8; i++) {
		u64 x = w[i] ^ pat;

		for (; x; x >>= 8)
			bad += (x & 0xff) != 0;
	}
	return bad;
}

static void print_fault(const char *what, const struct virtio_iommu_fault *f)
{
	printf("  %s: reason %s (%u) flags %#x endpoint %#x pasid %u "
	       "address %#llx\n", what, viommu__fault_reason_str(f->reason),
	       f->reason, f->flags, f->endpoint, f->pasid,
	       (unsigned long long)f->address);
}

/* Discards pending fault reports; returns how many there were. */
static int drain_events(const char *why)
{
	struct virtio_iommu_fault f;
	int n = 0;

	while (viommu__event_poll(&vi, &f) > 0) {
		print_fault(why, &f);
		n++;
	}
	return n;
}

/* pages a..b of base, for the UNMAP examples */
static u64 pg(u64 base, u64 n)
{
	return base + n * PG;
}

static int map_pages(u32 dom, u64 base, u64 a, u64 b)
{
	return viommu__map(&vi, dom, pg(base, a), pg(base, b + 1) - 1,
			   (uintptr_t)target + a * PG, RW);
}

static int unmap_pages(u32 dom, u64 base, u64 a, u64 b)
{
	return viommu__unmap(&vi, dom, pg(base, a), pg(base, b + 1) - 1);
}

/* --- the rng behind the vIOMMU --- */

static u64 win_dma(void *ctx, u64 pa)
{
	u64 start = (uintptr_t)win;

	if (pa >= start && pa - start < W_PAGES * PG)
		return IOVA_BASE + (pa - start);
	return IOVA_STRAY + (pa & (PG - 1));	/* a bug: let it fault */
}

static void *wpage(int i)
{
	return win + i * PG;
}

static u64 wiova(int i)
{
	return IOVA_BASE + i * PG;
}

/* Starts the rng; ring == NULL: ring pages from the allocator. */
static int rng_start(u64 (*dma)(void *, u64), void *ring)
{
	int ret;

	ret = virtio_pci__init(&rng, rng_bdf);
	if (!ret)
		ret = virtio_pci__negotiate(&rng, 0);
	if (ret)
		return ret;
	virtio_pci__set_dma(&rng, dma, NULL);
	if (ring)
		ret = virtio_pci__setup_queue_ring(&rng, &rq, 0,
						   RNG_QUEUE_SIZE, ring, PG);
	else
		ret = virtio_pci__setup_queue(&rng, &rq, 0, RNG_QUEUE_SIZE);
	if (!ret)
		ret = virtio_pci__driver_ok(&rng);
	return ret;
}

/*
 * One device-writable buffer of RNG_LEN bytes at buf; waits up to ms.
 * 0 with *used set, -ETIMEDOUT (the chain stays queued), or an error.
 */
static int rng_request(void *buf, u32 ms, u32 *used)
{
	struct virtq_buf b = { .addr = buf, .len = RNG_LEN,
			       .device_writes = true };
	void *token;
	int ret;

	ret = virtq__add(&rq, &b, 1, buf);
	if (!ret)
		ret = virtq__wait(&rq, &token, used, ms);
	if (!ret && token != buf)
		ret = -EPROTO;
	return ret;
}

/* The rng fills buf with random bytes; nothing else in its page moves. */
static void check_fill(struct st_case *c, void *buf)
{
	u8 *page = (u8 *)ALIGN_DOWN((uintptr_t)buf, PG);
	u32 used = 0;
	int ret;

	memset(page, 0, PG);
	ret = rng_request(buf, WAIT_MS, &used);
	if (ret) {
		st__fail(c, "rng request: %d (%s)", ret,
			 rq.error ? rq.error : "?");
		return;
	}
	if (!used || used > RNG_LEN)
		st__fail(c, "rng used length %u (want 1..%u)", used, RNG_LEN);
	else if (count_ne(buf, ALIGN_DOWN(used, 8), 0) < used / 2)
		st__fail(c, "only %u of %u bytes non-zero",
			 count_ne(buf, ALIGN_DOWN(used, 8), 0), used);
	else if (count_ne(page, PG, 0) > used)
		st__fail(c, "bytes outside the %u filled ones changed", used);
}

/*
 * A fault report must come: reason, endpoint, and with addr != ~0 the
 * address and F_ADDRESS; access flags must include `access`.
 */
static void check_fault(struct st_case *c, u8 reason, u32 access, u64 addr)
{
	struct virtio_iommu_fault f;
	int ret = viommu__event_wait(&vi, &f, WAIT_MS);

	if (ret <= 0) {
		st__fail(c, ret ? "bad event (wrong length)" :
			 "no fault report on the event queue");
		return;
	}
	print_fault("fault", &f);
	if (f.reason != reason)
		st__fail(c, "fault reason %s, want %s",
			 viommu__fault_reason_str(f.reason),
			 viommu__fault_reason_str(reason));
	else if (f.endpoint != rng_ep)
		st__fail(c, "fault endpoint %#x, want %#x", f.endpoint, rng_ep);
	else if ((f.flags & access) != access)
		st__fail(c, "fault flags %#x lack %#x", f.flags, access);
	else if (f.reserved[0] || f.reserved[1] || f.reserved[2])
		st__fail(c, "fault reserved bytes not zero");
	else if (addr != ~0ULL && !(f.flags & VIRTIO_IOMMU_FAULT_F_ADDRESS))
		st__fail(c, "fault without F_ADDRESS");
	else if (addr != ~0ULL && f.address != addr)
		st__fail(c, "fault address %#llx, want %#llx",
			 (unsigned long long)f.address,
			 (unsigned long long)addr);
	drain_events("further report");
}

/* --- cases --- */

static void case_config(void)
{
	const struct virtio_iommu_config *cfg = &vi.cfg;
	static const unsigned int need[] = {
		VIRTIO_IOMMU_F_INPUT_RANGE, VIRTIO_IOMMU_F_DOMAIN_RANGE,
		VIRTIO_IOMMU_F_MAP_UNMAP, VIRTIO_IOMMU_F_PROBE,
		VIRTIO_IOMMU_F_MMIO, VIRTIO_IOMMU_F_BYPASS_CONFIG,
	};
	struct st_case c;

	printf("  features %#llx; page_size_mask %#llx input [%#llx, %#llx] "
	       "domains [%u, %u] probe_size %u bypass %u\n",
	       (unsigned long long)vi.vd.features,
	       (unsigned long long)cfg->page_size_mask,
	       (unsigned long long)cfg->input_range.start,
	       (unsigned long long)cfg->input_range.end,
	       cfg->domain_range.start, cfg->domain_range.end,
	       cfg->probe_size, cfg->bypass);

	st__begin(&c, "config-features");
	for (unsigned int i = 0; i < ARRAY_SIZE(need); i++)
		if (!viommu__has(&vi, need[i]))
			st__fail(&c, "feature %u not negotiated", need[i]);
	if (viommu__has(&vi, VIRTIO_IOMMU_F_BYPASS))
		st__fail(&c, "F_BYPASS negotiated (the driver never asks)");
	st__end(&c);

	st__begin(&c, "config-values");
	if (!(cfg->page_size_mask & PG))
		st__fail(&c, "page_size_mask %#llx lacks 4 KiB",
			 (unsigned long long)cfg->page_size_mask);
	else if (cfg->page_size_mask & (PG - 1))
		st__fail(&c, "granule below 4 KiB (mask %#llx)",
			 (unsigned long long)cfg->page_size_mask);
	if (cfg->input_range.start > MAP_BASE ||
	    cfg->input_range.end < IOVA_STRAY + PG - 1)
		st__fail(&c, "input_range too small for the test IOVAs");
	if (cfg->domain_range.start > cfg->domain_range.end ||
	    cfg->domain_range.end - cfg->domain_range.start < 100)
		st__fail(&c, "domain_range too small");
	if (!cfg->probe_size)
		st__fail(&c, "probe_size 0");
	if (cfg->bypass)
		st__fail(&c, "bypass is %u, want 0", cfg->bypass);
	st__end(&c);
}

static void check_probe_rng(struct st_case *c, const struct viommu_probe *p)
{
	bool ext = viommu__has(&vi, VIRTIO_IOMMU_F_VSVA_TABLE);

	if (p->nr_resv != 1)
		st__fail(c, "%d RESV_MEM properties, want 1", p->nr_resv);
	else if (p->resv[0].subtype != VIRTIO_IOMMU_RESV_MEM_T_MSI)
		st__fail(c, "RESV_MEM subtype %u, want MSI",
			 p->resv[0].subtype);
	else if (p->resv[0].start != MSI_START || p->resv[0].end != MSI_END)
		st__fail(c, "MSI window [%#llx, %#llx]",
			 (unsigned long long)p->resv[0].start,
			 (unsigned long long)p->resv[0].end);
	if (ext && !p->has_vsva)
		st__fail(c, "no VSVA property with F_VSVA_TABLE");
	if (!ext && p->has_vsva)
		st__fail(c, "VSVA property without F_VSVA_TABLE");
	if (p->has_vsva && (p->vsva.head.length != 20 ||
			    p->vsva.pasid_bits || p->vsva.formats ||
			    p->vsva.page_req))
		st__fail(c, "VSVA length %u formats %#x pasid_bits %u "
			 "page_req %u, want 20/0/0/0", p->vsva.head.length,
			 p->vsva.formats, p->vsva.pasid_bits,
			 p->vsva.page_req);
	if (p->nr_ignored)
		st__fail(c, "%d unknown properties", p->nr_ignored);
	if (!p->rest_zero)
		st__fail(c, "bytes after the last property not zero");
}

/* PROBEs every other endpoint in the tree, looking for PASID support. */
static void find_pasid_endpoint(const void *fdt)
{
	struct viommu_probe p;
	struct dt_pci_dev dev;
	int node = -1;

	while ((node = dt__pci_next(fdt, node, &dev)) >= 0) {
		if (!dev.has_iommu_ep || dev.iommu_ep == rng_ep)
			continue;
		if (viommu__probe(&vi, dev.iommu_ep, &p) != VIRTIO_IOMMU_S_OK)
			continue;
		printf("  endpoint %#x (%s): pasid_bits %u formats %#x\n",
		       dev.iommu_ep, dev.name, p.has_vsva ? p.vsva.pasid_bits :
		       0, p.has_vsva ? p.vsva.formats : 0);
		if (p.has_vsva && p.vsva.pasid_bits && !have_pasid_ep) {
			have_pasid_ep = true;
			pasid_ep = dev.iommu_ep;
			pasid_caps = p.vsva;
		}
	}
}

static void case_probe(const void *fdt, bool rng_has_ep)
{
	struct viommu_probe p;
	struct st_case c;
	int s;

	st__begin(&c, "probe-rng");
	if (!rng_has_ep)
		st__fail(&c, "the rng node has no vsva,iommu-endpoint");
	else if (rng_ep != rng_bdf)
		st__fail(&c, "endpoint %#x is not the requester ID %#x",
			 rng_ep, rng_bdf);
	s = viommu__probe(&vi, rng_ep, &p);
	if (want(&c, "PROBE", s, VIRTIO_IOMMU_S_OK))
		check_probe_rng(&c, &p);
	st__end(&c);

	st__begin(&c, "probe-unknown-endpoint");
	want(&c, "PROBE", viommu__probe(&vi, UNKNOWN_EP, &p),
	     VIRTIO_IOMMU_S_NOENT);
	st__end(&c);

	if (viommu__has(&vi, VIRTIO_IOMMU_F_VSVA_TABLE))
		find_pasid_endpoint(fdt);
}

static int attach_raw(u32 dom, u32 ep, u32 flags, u8 reserved0)
{
	struct virtio_iommu_req_attach r = {
		.head.type = VIRTIO_IOMMU_T_ATTACH,
		.domain = dom, .endpoint = ep, .flags = flags,
		.reserved = { reserved0 },
	};

	return viommu__request(&vi, &r, sizeof(r), sizeof(r.tail));
}

static void case_attach(void)
{
	const struct virtio_iommu_config *cfg = &vi.cfg;
	struct st_case c;
	u32 out_of_range;

	st__begin(&c, "attach-ok");
	want(&c, "ATTACH", viommu__attach(&vi, dom1, rng_ep, 0),
	     VIRTIO_IOMMU_S_OK);
	st__end(&c);

	st__begin(&c, "attach-reserved");
	want(&c, "ATTACH reserved[0]=1", attach_raw(dom1, rng_ep, 0, 1),
	     VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "attach-unknown-flag");
	want(&c, "ATTACH flags 1<<7", viommu__attach(&vi, dom1, rng_ep,
						     1u << 7),
	     VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "attach-unknown-endpoint");
	want(&c, "ATTACH", viommu__attach(&vi, dom1, UNKNOWN_EP, 0),
	     VIRTIO_IOMMU_S_NOENT);
	st__end(&c);

	st__begin(&c, "attach-domain-range");
	out_of_range = cfg->domain_range.end != ~0u ?
		       cfg->domain_range.end + 1 : cfg->domain_range.start - 1;
	want(&c, "ATTACH", viommu__attach(&vi, out_of_range, rng_ep, 0),
	     VIRTIO_IOMMU_S_RANGE);
	st__end(&c);

	st__begin(&c, "attach-bypass-mismatch");
	/* dom1 exists (the rng is in it) and is not a bypass domain */
	want(&c, "ATTACH F_BYPASS to a mapping domain",
	     viommu__attach(&vi, dom1, rng_ep, VIRTIO_IOMMU_ATTACH_F_BYPASS),
	     VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "attach-reattach");
	want(&c, "ATTACH to another domain",
	     viommu__attach(&vi, dom2, rng_ep, 0), VIRTIO_IOMMU_S_OK);
	/* Moved: dom1 lost its only endpoint and ceased to exist. */
	want(&c, "DETACH from the old domain",
	     viommu__detach(&vi, dom1, rng_ep), VIRTIO_IOMMU_S_INVAL);
	want(&c, "MAP on the old domain",
	     viommu__map(&vi, dom1, MAP_BASE, MAP_BASE + PG - 1,
			 (uintptr_t)target, RW), VIRTIO_IOMMU_S_NOENT);
	want(&c, "ATTACH back", viommu__attach(&vi, dom1, rng_ep, 0),
	     VIRTIO_IOMMU_S_OK);
	st__end(&c);
}

static void case_map(void)
{
	u64 t = (uintptr_t)target;
	struct st_case c;

	/* The rng is in dom1 */
	st__begin(&c, "map-ok");
	want(&c, "MAP", viommu__map(&vi, dom1, MAP_BASE, MAP_BASE + PG - 1,
				    t, RW), VIRTIO_IOMMU_S_OK);
	st__end(&c);

	st__begin(&c, "map-misaligned");
	want(&c, "virt_start + 0x800",
	     viommu__map(&vi, dom1, MAP_BASE + 0x10800, MAP_BASE + 0x11fff,
			 t, RW), VIRTIO_IOMMU_S_RANGE);
	want(&c, "virt_end + 1 misaligned",
	     viommu__map(&vi, dom1, MAP_BASE + 0x10000, MAP_BASE + 0x107ff,
			 t, RW), VIRTIO_IOMMU_S_RANGE);
	want(&c, "phys_start + 0x800",
	     viommu__map(&vi, dom1, MAP_BASE + 0x10000, MAP_BASE + 0x10fff,
			 t + 0x800, RW), VIRTIO_IOMMU_S_RANGE);
	st__end(&c);

	st__begin(&c, "map-end-before-start");
	want(&c, "virt_end = virt_start - 1",
	     viommu__map(&vi, dom1, MAP_BASE + 0x10000, MAP_BASE + 0xffff,
			 t, RW), VIRTIO_IOMMU_S_RANGE);
	st__end(&c);

	st__begin(&c, "map-overlap");
	want(&c, "same page", viommu__map(&vi, dom1, MAP_BASE,
					  MAP_BASE + PG - 1, t, RW),
	     VIRTIO_IOMMU_S_INVAL);
	want(&c, "straddling", viommu__map(&vi, dom1, MAP_BASE - PG,
					   MAP_BASE + PG - 1, t, RW),
	     VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "map-unknown-flag");
	want(&c, "flags 1<<3", viommu__map(&vi, dom1, MAP_BASE + 0x10000,
					   MAP_BASE + 0x10fff, t, RW | 8),
	     VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "map-unknown-domain");
	want(&c, "MAP", viommu__map(&vi, dom_unknown, MAP_BASE,
				    MAP_BASE + PG - 1, t, RW),
	     VIRTIO_IOMMU_S_NOENT);
	st__end(&c);

	st__begin(&c, "map-msi-window");
	want(&c, "MAP [0xfee00000, +4K)",
	     viommu__map(&vi, dom1, MSI_START, MSI_START + PG - 1, t, RW),
	     VIRTIO_IOMMU_S_INVAL);
	want(&c, "MAP straddling 0xfeefffff",
	     viommu__map(&vi, dom1, MSI_END + 1 - PG, MSI_END + PG, t, RW),
	     VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "map-outside-input-range");
	if (vi.cfg.input_range.end < ~0ULL - PG) {
		u64 s = ALIGN_UP(vi.cfg.input_range.end + 1, PG);

		want(&c, "MAP past input_range.end",
		     viommu__map(&vi, dom1, s, s + PG - 1, t, RW),
		     VIRTIO_IOMMU_S_RANGE);
	}
	st__end(&c);

	st__begin(&c, "map-not-ram");
	want(&c, "MAP of 0xe0000000 without F_MMIO",
	     viommu__map(&vi, dom1, MAP_BASE + 0x10000, MAP_BASE + 0x10fff,
			 NOT_RAM, RW), VIRTIO_IOMMU_S_FAULT);
	st__end(&c);

	if (!viommu__has(&vi, VIRTIO_IOMMU_F_BYPASS_CONFIG)) {
		st__skip("map-bypass-domain", "F_BYPASS_CONFIG not offered");
		st__skip("unmap-bypass-domain", "F_BYPASS_CONFIG not offered");
	} else {
		/* Moving the rng to a bypass domain frees dom1. */
		st__begin(&c, "map-bypass-domain");
		want(&c, "ATTACH bypass",
		     viommu__attach(&vi, dom_bypass, rng_ep,
				    VIRTIO_IOMMU_ATTACH_F_BYPASS),
		     VIRTIO_IOMMU_S_OK);
		want(&c, "MAP", viommu__map(&vi, dom_bypass, MAP_BASE,
					    MAP_BASE + PG - 1, t, RW),
		     VIRTIO_IOMMU_S_INVAL);
		st__end(&c);

		st__begin(&c, "unmap-bypass-domain");
		want(&c, "UNMAP", viommu__unmap(&vi, dom_bypass, MAP_BASE,
						MAP_BASE + PG - 1),
		     VIRTIO_IOMMU_S_INVAL);
		st__end(&c);
	}

	/* Back to a fresh dom1 for what follows */
	st__begin(&c, "map-cleanup");
	want(&c, "ATTACH dom1", viommu__attach(&vi, dom1, rng_ep, 0),
	     VIRTIO_IOMMU_S_OK);
	want(&c, "UNMAP everything",
	     viommu__unmap(&vi, dom1, 0, vi.cfg.input_range.end),
	     VIRTIO_IOMMU_S_OK);
	want(&c, "MAP after UNMAP", viommu__map(&vi, dom1, MAP_BASE,
						MAP_BASE + PG - 1, t, RW),
	     VIRTIO_IOMMU_S_OK);
	want(&c, "UNMAP", viommu__unmap(&vi, dom1, MAP_BASE,
					MAP_BASE + PG - 1),
	     VIRTIO_IOMMU_S_OK);
	st__end(&c);
}

/* Pages a..b are (still) mapped: a one-page MAP on each end overlaps. */
static void expect_mapped(struct st_case *c, u64 a, u64 b)
{
	if (map_pages(dom1, UNMAP_BASE, a, a) != VIRTIO_IOMMU_S_INVAL ||
	    map_pages(dom1, UNMAP_BASE, b, b) != VIRTIO_IOMMU_S_INVAL)
		st__fail(c, "pages %llu..%llu no longer mapped",
			 (unsigned long long)a, (unsigned long long)b);
}

/* Pages a..b are free: mapping them as a whole succeeds. */
static void expect_free(struct st_case *c, u64 a, u64 b)
{
	if (map_pages(dom1, UNMAP_BASE, a, b) != VIRTIO_IOMMU_S_OK)
		st__fail(c, "pages %llu..%llu still mapped",
			 (unsigned long long)a, (unsigned long long)b);
}

struct unmap_example {
	const char *name;
	int nr_maps;
	u8 map[2][2];
	u8 unmap[2];
	int status;
	u8 gone[2][2];		/* ranges the UNMAP removed */
	int nr_gone;
	u8 kept[2];		/* a range it left (kept[1] >= kept[0]) */
	bool has_kept;
};

/* The spec's seven UNMAP examples, in pages. */
static const struct unmap_example unmap_examples[] = {
	{ "unmap-spec-1", 0, { { 0 } }, { 0, 4 }, VIRTIO_IOMMU_S_OK,
	  { { 0, 4 } }, 1, { 0 }, false },
	{ "unmap-spec-2", 1, { { 0, 9 } }, { 0, 9 }, VIRTIO_IOMMU_S_OK,
	  { { 0, 9 } }, 1, { 0 }, false },
	{ "unmap-spec-3", 2, { { 0, 4 }, { 5, 9 } }, { 0, 9 },
	  VIRTIO_IOMMU_S_OK, { { 0, 9 } }, 1, { 0 }, false },
	{ "unmap-spec-4", 1, { { 0, 9 } }, { 0, 4 }, VIRTIO_IOMMU_S_RANGE,
	  { { 0 } }, 0, { 0, 9 }, true },
	{ "unmap-spec-5", 2, { { 0, 4 }, { 5, 9 } }, { 0, 4 },
	  VIRTIO_IOMMU_S_OK, { { 0, 4 } }, 1, { 5, 9 }, true },
	{ "unmap-spec-6", 1, { { 0, 4 } }, { 0, 9 }, VIRTIO_IOMMU_S_OK,
	  { { 0, 9 } }, 1, { 0 }, false },
	{ "unmap-spec-7", 2, { { 0, 4 }, { 10, 14 } }, { 0, 14 },
	  VIRTIO_IOMMU_S_OK, { { 0, 14 } }, 1, { 0 }, false },
};

static void run_unmap_example(const struct unmap_example *e)
{
	struct st_case c;
	bool setup_ok = true;
	int s;

	st__begin(&c, e->name);
	for (int i = 0; i < e->nr_maps; i++)
		setup_ok &= want(&c, "setup MAP",
				 map_pages(dom1, UNMAP_BASE, e->map[i][0],
					   e->map[i][1]), VIRTIO_IOMMU_S_OK);
	s = unmap_pages(dom1, UNMAP_BASE, e->unmap[0], e->unmap[1]);
	if (setup_ok && want(&c, "UNMAP", s, e->status)) {
		if (e->has_kept)
			expect_mapped(&c, e->kept[0], e->kept[1]);
		for (int i = 0; i < e->nr_gone; i++)
			expect_free(&c, e->gone[i][0], e->gone[i][1]);
	}
	/* Blank address space for the next example */
	if (unmap_pages(dom1, UNMAP_BASE, 0, TARGET_PAGES - 1) !=
	    VIRTIO_IOMMU_S_OK)
		st__fail(&c, "cleanup UNMAP failed");
	st__end(&c);
}

static void case_unmap(void)
{
	struct virtio_iommu_req_unmap r = {
		.head.type = VIRTIO_IOMMU_T_UNMAP,
		.virt_start = UNMAP_BASE,
		.virt_end = pg(UNMAP_BASE, 1) - 1,
		.reserved = { 1 },
	};
	struct st_case c;

	for (unsigned int i = 0; i < ARRAY_SIZE(unmap_examples); i++)
		run_unmap_example(&unmap_examples[i]);

	st__begin(&c, "unmap-reserved");
	want(&c, "setup MAP", map_pages(dom1, UNMAP_BASE, 0, 0),
	     VIRTIO_IOMMU_S_OK);
	r.domain = dom1;
	want(&c, "UNMAP reserved[0]=1",
	     viommu__request(&vi, &r, sizeof(r), sizeof(r.tail)),
	     VIRTIO_IOMMU_S_INVAL);
	if (!c.failed)
		expect_mapped(&c, 0, 0);	/* nothing unmapped */
	want(&c, "cleanup UNMAP", unmap_pages(dom1, UNMAP_BASE, 0, 0),
	     VIRTIO_IOMMU_S_OK);
	st__end(&c);

	st__begin(&c, "unmap-unknown-domain");
	want(&c, "UNMAP", unmap_pages(dom_unknown, UNMAP_BASE, 0, 0),
	     VIRTIO_IOMMU_S_NOENT);
	st__end(&c);
}

static void case_detach(void)
{
	struct st_case c;

	/* The rng is in dom1 */
	st__begin(&c, "detach-unknown-endpoint");
	want(&c, "DETACH", viommu__detach(&vi, dom1, UNKNOWN_EP),
	     VIRTIO_IOMMU_S_NOENT);
	st__end(&c);

	st__begin(&c, "detach-not-attached");
	want(&c, "DETACH from a domain it is not in",
	     viommu__detach(&vi, dom2, rng_ep), VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "detach-ok");
	want(&c, "DETACH", viommu__detach(&vi, dom1, rng_ep),
	     VIRTIO_IOMMU_S_OK);
	want(&c, "DETACH again", viommu__detach(&vi, dom1, rng_ep),
	     VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "detach-frees-domain");
	want(&c, "MAP on the emptied domain",
	     viommu__map(&vi, dom1, MAP_BASE, MAP_BASE + PG - 1,
			 (uintptr_t)target, RW), VIRTIO_IOMMU_S_NOENT);
	st__end(&c);
}

/* A raw request must come back unwritten with used length 0. */
static void expect_unwritten(struct st_case *c, const char *what,
			     const void *out, u32 out_len, u32 in_len)
{
	u8 in[8];
	int ret;

	memset(in, VIOMMU_POISON, sizeof(in));
	ret = viommu__submit(&vi, out, out_len, in, in_len);
	if (ret)
		st__fail(c, "%s: submission failed: %s", what, sname(ret));
	else if (vi.used)
		st__fail(c, "%s: used length %u, want 0", what, vi.used);
	else if (count_ne(in, sizeof(in), VIOMMU_POISON))
		st__fail(c, "%s: the device wrote the buffer", what);
}

static void case_malformed(void)
{
	struct virtio_iommu_req_attach a = {
		.head.type = VIRTIO_IOMMU_T_ATTACH,
		.domain = dom2, .endpoint = rng_ep,
	};
	struct virtio_iommu_req_attach r = a;
	struct viommu_probe p;
	struct st_case c;
	u8 types[9] = { 0, 0x06, 0x7f, 0x84, 0xff };
	unsigned int nt = 5;

	/* The extension's types are unknown without their feature */
	if (!viommu__has(&vi, VIRTIO_IOMMU_F_VSVA_TABLE)) {
		types[nt++] = VIRTIO_IOMMU_T_ATTACH_TABLE;
		types[nt++] = VIRTIO_IOMMU_T_DETACH_TABLE;
	}
	if (!viommu__has(&vi, VIRTIO_IOMMU_F_VSVA_INVAL))
		types[nt++] = VIRTIO_IOMMU_T_INVALIDATE;
	if (!viommu__has(&vi, VIRTIO_IOMMU_F_VSVA_PAGE_REQ))
		types[nt++] = VIRTIO_IOMMU_T_PAGE_RESP;
	st__begin(&c, "unknown-type");
	for (unsigned int i = 0; i < nt; i++) {
		char what[16];

		fmt__snprintf(what, sizeof(what), "type %#x", types[i]);
		r.head.type = types[i];
		expect_unwritten(&c, what, &r, 20, 4);
	}
	st__end(&c);

	st__begin(&c, "too-short-tail");	/* 2 writable bytes */
	expect_unwritten(&c, "ATTACH, 2-byte tail", &a, 20, 2);
	st__end(&c);

	st__begin(&c, "too-short-body");	/* 12 of ATTACH's 24 bytes */
	expect_unwritten(&c, "ATTACH head+domain, then a tail", &a, 8, 4);
	st__end(&c);

	st__begin(&c, "no-writable-part");
	expect_unwritten(&c, "ATTACH all device-readable", &a, sizeof(a), 0);
	st__end(&c);

	st__begin(&c, "still-answers");
	want(&c, "PROBE after malformed requests",
	     viommu__probe(&vi, rng_ep, &p), VIRTIO_IOMMU_S_OK);
	want(&c, "rng still in no domain", viommu__detach(&vi, dom2, rng_ep),
	     VIRTIO_IOMMU_S_INVAL);
	st__end(&c);
}

static int attach_table_raw(u32 ep, u32 pasid, u64 root, u8 r0, u32 r1,
			    u8 r2, u32 flags)
{
	struct virtio_iommu_req_attach_table r = {
		.head.type = VIRTIO_IOMMU_T_ATTACH_TABLE,
		.endpoint = ep, .pasid = pasid, .flags = flags,
		.format = VSVA_S1_FORMAT_X86_64, .levels = 4,
		.reserved0 = r0, .reserved1 = r1, .root = root,
		.reserved = { r2 },
	};

	return viommu__request(&vi, &r, sizeof(r), sizeof(r.tail));
}

static int new_table(struct pgtable *pt)
{
	int ret = pgtable__init(pt, 4, &pages__pgtable_mem);

	if (!ret)
		ret = pgtable__map(pt, 0x400000, (uintptr_t)target, PG,
				   PTE_W | PTE_U);
	return ret;
}

/* ATTACH_TABLE / replace / DETACH_TABLE on a PASID-capable endpoint. */
static void case_pasid_endpoint(u64 root1, u64 root2)
{
	u32 max = 1u << MIN(pasid_caps.pasid_bits, 31);
	struct st_case c;

	st__begin(&c, "ext-pasid-attach-table");
	want(&c, "ATTACH", viommu__attach(&vi, dom_pasid, pasid_ep, 0),
	     VIRTIO_IOMMU_S_OK);
	want(&c, "ATTACH_TABLE pasid 1",
	     viommu__attach_table(&vi, pasid_ep, 1, 0, 4, root1),
	     VIRTIO_IOMMU_S_OK);
	want(&c, "ATTACH_TABLE pasid 0",
	     viommu__attach_table(&vi, pasid_ep, 0, 0, 4, root1),
	     VIRTIO_IOMMU_S_RANGE);
	if (pasid_caps.pasid_bits < 32)
		want(&c, "ATTACH_TABLE pasid 2^bits",
		     viommu__attach_table(&vi, pasid_ep, max, 0, 4, root1),
		     VIRTIO_IOMMU_S_RANGE);
	want(&c, "ATTACH_TABLE misaligned root",
	     viommu__attach_table(&vi, pasid_ep, 1, 0, 4, root1 + 8),
	     VIRTIO_IOMMU_S_FAULT);
	st__end(&c);

	st__begin(&c, "ext-pasid-replace-table");
	want(&c, "ATTACH_TABLE over a bound PASID",
	     viommu__attach_table(&vi, pasid_ep, 1, 0, 4, root2),
	     VIRTIO_IOMMU_S_OK);
	want(&c, "ATTACH with tables bound",
	     viommu__attach(&vi, dom2, pasid_ep, 0), VIRTIO_IOMMU_S_UNSUPP);
	want(&c, "DETACH with tables bound",
	     viommu__detach(&vi, dom_pasid, pasid_ep), VIRTIO_IOMMU_S_UNSUPP);
	st__end(&c);

	st__begin(&c, "ext-pasid-detach-table");
	want(&c, "DETACH_TABLE", viommu__detach_table(&vi, pasid_ep, 1),
	     VIRTIO_IOMMU_S_OK);
	want(&c, "DETACH", viommu__detach(&vi, dom_pasid, pasid_ep),
	     VIRTIO_IOMMU_S_OK);
	st__end(&c);

	st__begin(&c, "ext-detach-table-unbound");
	want(&c, "ATTACH", viommu__attach(&vi, dom_pasid, pasid_ep, 0),
	     VIRTIO_IOMMU_S_OK);
	want(&c, "DETACH_TABLE of an unbound PASID",
	     viommu__detach_table(&vi, pasid_ep, 1), VIRTIO_IOMMU_S_INVAL);
	want(&c, "DETACH", viommu__detach(&vi, dom_pasid, pasid_ep),
	     VIRTIO_IOMMU_S_OK);
	st__end(&c);
}

static void case_table(void)
{
	static const char *const pasid_cases[] = {
		"ext-pasid-attach-table", "ext-pasid-replace-table",
		"ext-pasid-detach-table", "ext-detach-table-unbound",
	};
	struct pgtable pt1, pt2;
	struct st_case c;
	u64 root;

	if (new_table(&pt1) || new_table(&pt2)) {
		st__begin(&c, "ext-tables");
		st__fail(&c, "cannot build the stage-1 tables");
		st__end(&c);
		return;
	}
	root = pt1.root;

	/* The rng is in no domain (detach-ok) */
	st__begin(&c, "ext-attach-table-no-domain");
	want(&c, "ATTACH_TABLE", viommu__attach_table(&vi, rng_ep, 1, 0, 4,
						      root),
	     VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "ext-attach-table-unsupp");
	want(&c, "ATTACH", viommu__attach(&vi, dom1, rng_ep, 0),
	     VIRTIO_IOMMU_S_OK);
	want(&c, "ATTACH_TABLE on an endpoint without PASIDs",
	     viommu__attach_table(&vi, rng_ep, 1, 0, 4, root),
	     VIRTIO_IOMMU_S_UNSUPP);
	st__end(&c);

	st__begin(&c, "ext-attach-table-reserved");
	want(&c, "reserved0 (u8 @19)",
	     attach_table_raw(rng_ep, 1, root, 1, 0, 0, 0),
	     VIRTIO_IOMMU_S_INVAL);
	want(&c, "reserved1 (le32 @20)",
	     attach_table_raw(rng_ep, 1, root, 0, 1, 0, 0),
	     VIRTIO_IOMMU_S_INVAL);
	want(&c, "reserved[0] (@32)",
	     attach_table_raw(rng_ep, 1, root, 0, 0, 1, 0),
	     VIRTIO_IOMMU_S_INVAL);
	want(&c, "unknown flag 1<<4",
	     attach_table_raw(rng_ep, 1, root, 0, 0, 0, 1u << 4),
	     VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "ext-attach-table-unknown-endpoint");
	want(&c, "ATTACH_TABLE", viommu__attach_table(&vi, UNKNOWN_EP, 1, 0,
						      4, root),
	     VIRTIO_IOMMU_S_NOENT);
	st__end(&c);

	st__begin(&c, "ext-detach-table-range");
	/* pasid_bits 0: no PASID is in range on the rng */
	want(&c, "DETACH_TABLE pasid 1 on the rng",
	     viommu__detach_table(&vi, rng_ep, 1), VIRTIO_IOMMU_S_RANGE);
	st__end(&c);

	st__begin(&c, "ext-detach-table-unknown-endpoint");
	want(&c, "DETACH_TABLE", viommu__detach_table(&vi, UNKNOWN_EP, 1),
	     VIRTIO_IOMMU_S_NOENT);
	st__end(&c);

	if (have_pasid_ep) {
		case_pasid_endpoint(pt1.root, pt2.root);
	} else {
		for (unsigned int i = 0; i < ARRAY_SIZE(pasid_cases); i++)
			st__skip(pasid_cases[i], "no endpoint in the device "
				 "tree has pasid_bits > 0");
	}
	pgtable__destroy(&pt1);
	pgtable__destroy(&pt2);
}

static void case_invalidate(void)
{
	/* The rng is in dom1 */
	const struct virtio_iommu_inv_entry e[] = {
		{ .scope = VSVA_INV_S_DOMAIN, .id = dom1 },
		{ .scope = VSVA_INV_S_DOMAIN, .id = dom_unknown },
		{ .scope = 9, .id = dom1 },
		{ .scope = VSVA_INV_S_DOMAIN, .flags = VSVA_INV_F_ENDPOINT,
		  .id = rng_ep },
		{ .scope = VSVA_INV_S_DOMAIN, .flags = 0x80, .id = dom1 },
	};
	static const u8 expect[] = {
		VIRTIO_IOMMU_S_OK, VIRTIO_IOMMU_S_NOENT, VIRTIO_IOMMU_S_INVAL,
		VIRTIO_IOMMU_S_OK, VIRTIO_IOMMU_S_INVAL,
	};
	u8 st[ALIGN_UP(ARRAY_SIZE(e), 4)];
	struct st_case c;
	int s;

	st__begin(&c, "ext-invalidate-batch");
	s = viommu__invalidate(&vi, e, ARRAY_SIZE(e), st);
	if (want(&c, "tail (the first failure)", s, VIRTIO_IOMMU_S_NOENT)) {
		for (unsigned int i = 0; i < ARRAY_SIZE(e); i++)
			if (st[i] != expect[i])
				st__fail(&c, "entry %u: got %s, want %s", i,
					 sname(st[i]), sname(expect[i]));
		/* then padding to a multiple of 4, zeroed */
		for (unsigned int i = ARRAY_SIZE(e); i < sizeof(st); i++)
			if (st[i])
				st__fail(&c, "padding byte %u not zero", i);
	}
	st__end(&c);

	st__begin(&c, "ext-invalidate-ok");
	s = viommu__invalidate(&vi, e, 1, st);
	want(&c, "one good entry", s, VIRTIO_IOMMU_S_OK);
	if (s == VIRTIO_IOMMU_S_OK && st[0] != VIRTIO_IOMMU_S_OK)
		st__fail(&c, "entry status %s", sname(st[0]));
	st__end(&c);
}

static void case_ext(void)
{
	if (viommu__has(&vi, VIRTIO_IOMMU_F_VSVA_TABLE))
		case_table();
	else
		st__skip("ext-tables", "F_VSVA_TABLE not offered");
	/* INVALIDATE and the DMA cases want the rng in dom1 */
	if (viommu__attach(&vi, dom1, rng_ep, 0) != VIRTIO_IOMMU_S_OK)
		printf("  note: could not attach the rng to dom1\n");
	if (viommu__has(&vi, VIRTIO_IOMMU_F_VSVA_INVAL))
		case_invalidate();
	else
		st__skip("ext-invalidate", "F_VSVA_INVAL not offered");
}

/* The request at buf must fail with a fault and leave its page alone. */
static void dma_fault_case(const char *name, int page, u8 reason)
{
	struct st_case c;
	u32 used = ~0u;
	int ret;

	st__begin(&c, name);
	memset(wpage(page), PATTERN, PG);
	drain_events("stale report");
	ret = rng_request(wpage(page), WAIT_MS, &used);
	if (ret == -ETIMEDOUT)
		st__fail(&c, "the rng never completed the request");
	else if (ret)
		st__fail(&c, "rng request: %d", ret);
	else if (used)
		st__fail(&c, "used length %u, want 0", used);
	check_fault(&c, reason, VIRTIO_IOMMU_FAULT_F_WRITE, wiova(page));
	if (count_ne(wpage(page), PG, PATTERN))
		st__fail(&c, "%u bytes of the buffer's page changed",
			 count_ne(wpage(page), PG, PATTERN));
	st__end(&c);
}

static void dma_ok_case(const char *name, int page)
{
	struct st_case c;

	st__begin(&c, name);
	drain_events("stale report");
	check_fill(&c, wpage(page));
	if (drain_events("unexpected report"))
		st__fail(&c, "fault reports for a mapped buffer");
	st__end(&c);
}

static void case_dma(void)
{
	struct virtio_iommu_fault f;
	struct st_case c;
	u16 used_idx;
	u32 used;
	int ret;

	/* The rng is in dom1, whose address space is empty */
	st__begin(&c, "dma-setup");
	want(&c, "MAP ring", viommu__map(&vi, dom1, wiova(W_RING),
					 wiova(W_RING) + PG - 1,
					 (uintptr_t)wpage(W_RING), RW),
	     VIRTIO_IOMMU_S_OK);
	want(&c, "MAP A (rw)", viommu__map(&vi, dom1, wiova(W_A),
					   wiova(W_A) + PG - 1,
					   (uintptr_t)wpage(W_A), RW),
	     VIRTIO_IOMMU_S_OK);
	want(&c, "MAP C (read-only)",
	     viommu__map(&vi, dom1, wiova(W_C), wiova(W_C) + PG - 1,
			 (uintptr_t)wpage(W_C), VIRTIO_IOMMU_MAP_F_READ),
	     VIRTIO_IOMMU_S_OK);
	want(&c, "MAP D (rw)", viommu__map(&vi, dom1, wiova(W_D),
					   wiova(W_D) + PG - 1,
					   (uintptr_t)wpage(W_D), RW),
	     VIRTIO_IOMMU_S_OK);
	ret = rng_start(win_dma, wpage(W_RING));
	if (ret)
		st__fail(&c, "rng start with rings at IOVA %#llx: %d",
			 (unsigned long long)wiova(W_RING), ret);
	if (!st__end(&c)) {
		virtio_pci__reset(&rng);
		st__skip("dma-*", "the rng did not start behind the vIOMMU");
		return;
	}

	dma_ok_case("dma-rng-fill", W_A);
	dma_fault_case("dma-fault-unmapped", W_B,
		       VIRTIO_IOMMU_FAULT_R_MAPPING);
	dma_fault_case("dma-fault-readonly", W_C,
		       VIRTIO_IOMMU_FAULT_R_MAPPING);
	dma_ok_case("dma-rng-after-faults", W_A);

	/* UNMAP must take effect for DMA at once */
	st__begin(&c, "dma-unmap");
	want(&c, "UNMAP A", viommu__unmap(&vi, dom1, wiova(W_A),
					  wiova(W_A) + PG - 1),
	     VIRTIO_IOMMU_S_OK);
	st__end(&c);
	dma_fault_case("dma-fault-after-unmap", W_A,
		       VIRTIO_IOMMU_FAULT_R_MAPPING);

	/* Detached with bypass 0: no DMA at all, not even the rings. */
	st__begin(&c, "dma-detached");
	memset(wpage(W_D), PATTERN, PG);
	drain_events("stale report");
	want(&c, "DETACH", viommu__detach(&vi, dom1, rng_ep),
	     VIRTIO_IOMMU_S_OK);
	if (viommu__read_config(&vi) || vi.cfg.bypass)
		st__fail(&c, "config bypass is not 0");
	used_idx = *(volatile u16 *)&rq.used->idx;
	ret = rng_request(wpage(W_D), QUIET_MS, &used);
	if (ret != -ETIMEDOUT)
		st__fail(&c, "the request completed (%d, used length %u): "
			 "the device wrote the used ring", ret, used);
	if (*(volatile u16 *)&rq.used->idx != used_idx)
		st__fail(&c, "used index moved");
	ret = viommu__event_wait(&vi, &f, WAIT_MS);
	if (ret <= 0) {
		st__fail(&c, "no fault report");
	} else {
		print_fault("fault", &f);
		if (f.reason != VIRTIO_IOMMU_FAULT_R_DOMAIN ||
		    f.endpoint != rng_ep)
			st__fail(&c, "fault reason %s endpoint %#x, want "
				 "DOMAIN %#x",
				 viommu__fault_reason_str(f.reason),
				 f.endpoint, rng_ep);
		else if ((f.flags & VIRTIO_IOMMU_FAULT_F_ADDRESS) &&
			 (f.address < IOVA_BASE ||
			  f.address >= wiova(W_PAGES)))
			st__fail(&c, "fault address %#llx outside the window",
				 (unsigned long long)f.address);
	}
	drain_events("further report");
	if (count_ne(wpage(W_D), PG, PATTERN))
		st__fail(&c, "the buffer's page changed");
	st__end(&c);
	virtio_pci__reset(&rng);
}

static void bypass_dma_case(struct st_case *c)
{
	u8 *buf = pages__alloc(1);
	int ret;

	drain_events("stale report");
	ret = rng_start(NULL, NULL);
	if (ret) {
		st__fail(c, "rng start with physical addresses: %d", ret);
	} else if (buf) {
		check_fill(c, buf);
		if (drain_events("unexpected report"))
			st__fail(c, "fault reports in bypass");
	}
	virtio_pci__reset(&rng);
	if (buf)
		pages__free(buf, 1);
}

static void case_bypass(void)
{
	struct st_case c;

	if (!viommu__has(&vi, VIRTIO_IOMMU_F_BYPASS_CONFIG)) {
		st__skip("bypass-domain-dma", "F_BYPASS_CONFIG not offered");
		st__skip("bypass-config-dma", "F_BYPASS_CONFIG not offered");
		return;
	}
	/* The rng is reset and in no domain */
	st__begin(&c, "bypass-domain-dma");
	want(&c, "ATTACH F_BYPASS",
	     viommu__attach(&vi, dom_bypass, rng_ep,
			    VIRTIO_IOMMU_ATTACH_F_BYPASS), VIRTIO_IOMMU_S_OK);
	if (!c.failed)
		bypass_dma_case(&c);
	want(&c, "DETACH", viommu__detach(&vi, dom_bypass, rng_ep),
	     VIRTIO_IOMMU_S_OK);
	st__end(&c);

	st__begin(&c, "bypass-config-dma");
	if (viommu__set_bypass(&vi, true) || vi.cfg.bypass != 1)
		st__fail(&c, "config bypass did not become 1");
	else
		bypass_dma_case(&c);
	if (viommu__set_bypass(&vi, false) || vi.cfg.bypass)
		st__fail(&c, "config bypass did not go back to 0");
	st__end(&c);
}

/* --- set-up --- */

static int find_devices(const void *fdt, struct dt_pci_dev *iommu,
			bool *rng_has_ep)
{
	struct dt_pci_dev dev;

	if (viommu__find(fdt, iommu)) {
		puts(PROG ": no virtio-iommu (run vsva with --viommu on)");
		return -ENOENT;
	}
	if (dt__pci_find(fdt, "virtio-rng", &dev)) {
		puts(PROG ": no virtio-rng (run vsva with --rng)");
		return -ENOENT;
	}
	rng_bdf = dev.bdf;
	*rng_has_ep = dev.has_iommu_ep;
	rng_ep = dev.has_iommu_ep ? dev.iommu_ep : dev.bdf;
	return 0;
}

int payload__main(const void *fdt)
{
	struct dt_pci_dev iommu;
	bool rng_has_ep;
	struct st_case c;
	u64 start = rdtsc();
	int ret;

	if (find_devices(fdt, &iommu, &rng_has_ep))
		return EXIT_ABSENT;
	printf(PROG ": vIOMMU at %02x:%02x.%x, rng at %02x:%02x.%x "
	       "(endpoint %#x)\n", PCI_BUS(iommu.bdf), PCI_DEV(iommu.bdf),
	       PCI_FN(iommu.bdf), PCI_BUS(rng_bdf), PCI_DEV(rng_bdf),
	       PCI_FN(rng_bdf), rng_ep);

	target = pages__alloc(TARGET_PAGES);
	win = pages__alloc(W_PAGES);
	st__begin(&c, "init");
	if (!target || !win)
		st__fail(&c, "out of memory");
	else if ((ret = viommu__init(&vi, iommu.bdf)))
		st__fail(&c, "driver init: %d", ret);
	if (!st__end(&c))
		return st__summary(PROG);

	dom1 = vi.cfg.domain_range.start;
	dom2 = dom1 + 1;
	dom_bypass = dom1 + 2;
	dom_pasid = dom1 + 3;
	dom_unknown = dom1 + 99;

	case_config();
	case_probe(fdt, rng_has_ep);
	case_attach();
	case_map();
	case_unmap();
	case_detach();
	case_malformed();
	case_ext();
	case_dma();
	case_bypass();

	viommu__reset(&vi);
	printf(PROG ": %llu ms\n", (unsigned long long)tsc__ms_since(start));
	return st__summary(PROG);
}
