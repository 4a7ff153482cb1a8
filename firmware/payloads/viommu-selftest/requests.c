// SPDX-License-Identifier: GPL-2.0
/*
 * viommu-selftest: ATTACH, MAP, UNMAP (the spec's seven examples, in
 * pages: map(a, b) maps pages a..b, the bytes [base + a * 4 KiB,
 * base + (b + 1) * 4 KiB - 1]), DETACH and malformed requests.
 */
#include <string.h>

#include "fmt.h"
#include "vst.h"

/* pages a..b of base, for the UNMAP examples */
static u64 pg(u64 base, u64 n)
{
	return base + n * PG;
}

static int map_pages(u32 dom, u64 base, u64 a, u64 b)
{
	return viommu__map(&vst.vi, dom, pg(base, a), pg(base, b + 1) - 1,
			   (uintptr_t)vst.target + a * PG, RW);
}

static int unmap_pages(u32 dom, u64 base, u64 a, u64 b)
{
	return viommu__unmap(&vst.vi, dom, pg(base, a), pg(base, b + 1) - 1);
}

static int attach_raw(u32 dom, u32 ep, u32 flags, u8 reserved0)
{
	struct virtio_iommu_req_attach r = {
		.head.type = VIRTIO_IOMMU_T_ATTACH,
		.domain = dom,
		.endpoint = ep,
		.flags = flags,
		.reserved = { reserved0 },
	};

	return viommu__request(&vst.vi, &r, sizeof(r), sizeof(r.tail));
}

void vst__attach_cases(void)
{
	const struct virtio_iommu_config *cfg = &vst.vi.cfg;
	struct st_case c;
	u32 out_of_range;

	st__begin(&c, "attach-ok");
	vst__want(&c, "ATTACH",
		  viommu__attach(&vst.vi, vst.dom1, vst.rng_ep, 0),
		  VIRTIO_IOMMU_S_OK);
	st__end(&c);

	st__begin(&c, "attach-reserved");
	vst__want(&c, "ATTACH reserved[0]=1",
		  attach_raw(vst.dom1, vst.rng_ep, 0, 1), VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "attach-unknown-flag");
	vst__want(&c, "ATTACH flags 1<<7",
		  viommu__attach(&vst.vi, vst.dom1, vst.rng_ep, 1u << 7),
		  VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "attach-unknown-endpoint");
	vst__want(&c, "ATTACH",
		  viommu__attach(&vst.vi, vst.dom1, UNKNOWN_EP, 0),
		  VIRTIO_IOMMU_S_NOENT);
	st__end(&c);

	if (cfg->domain_range.start || cfg->domain_range.end != ~0u) {
		st__begin(&c, "attach-domain-range");
		out_of_range = cfg->domain_range.end != ~0u ?
			       cfg->domain_range.end + 1 :
			       cfg->domain_range.start - 1;
		vst__want(&c, "ATTACH",
			  viommu__attach(&vst.vi, out_of_range, vst.rng_ep, 0),
			  VIRTIO_IOMMU_S_RANGE);
		st__end(&c);
	} else {
		st__skip("attach-domain-range", "every domain ID is valid");
	}

	st__begin(&c, "attach-bypass-mismatch");
	/* dom1 exists (the rng is in it) and is not a bypass domain */
	vst__want(&c, "ATTACH F_BYPASS to a mapping domain",
		  viommu__attach(&vst.vi, vst.dom1, vst.rng_ep,
				 VIRTIO_IOMMU_ATTACH_F_BYPASS),
		  VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "attach-reattach");
	vst__want(&c, "ATTACH to another domain",
		  viommu__attach(&vst.vi, vst.dom2, vst.rng_ep, 0),
		  VIRTIO_IOMMU_S_OK);
	/* Moved: dom1 lost its only endpoint and ceased to exist. */
	vst__want(&c, "DETACH from the old domain",
		  viommu__detach(&vst.vi, vst.dom1, vst.rng_ep),
		  VIRTIO_IOMMU_S_INVAL);
	vst__want(&c, "MAP on the old domain",
		  viommu__map(&vst.vi, vst.dom1, MAP_BASE, MAP_BASE + PG - 1,
			      (uintptr_t)vst.target, RW),
		  VIRTIO_IOMMU_S_NOENT);
	vst__want(&c, "ATTACH back",
		  viommu__attach(&vst.vi, vst.dom1, vst.rng_ep, 0),
		  VIRTIO_IOMMU_S_OK);
	st__end(&c);
}

void vst__map_cases(void)
{
	u64 t = (uintptr_t)vst.target;
	struct st_case c;

	/* The rng is in dom1 */
	st__begin(&c, "map-ok");
	vst__want(&c, "MAP",
		  viommu__map(&vst.vi, vst.dom1, MAP_BASE, MAP_BASE + PG - 1, t,
			      RW),
		  VIRTIO_IOMMU_S_OK);
	st__end(&c);

	st__begin(&c, "map-misaligned");
	vst__want(&c, "virt_start + 0x800",
		  viommu__map(&vst.vi, vst.dom1, MAP_BASE + 0x10800,
			      MAP_BASE + 0x11fff, t, RW),
		  VIRTIO_IOMMU_S_RANGE);
	vst__want(&c, "virt_end + 1 misaligned",
		  viommu__map(&vst.vi, vst.dom1, MAP_BASE + 0x10000,
			      MAP_BASE + 0x107ff, t, RW),
		  VIRTIO_IOMMU_S_RANGE);
	vst__want(&c, "phys_start + 0x800",
		  viommu__map(&vst.vi, vst.dom1, MAP_BASE + 0x10000,
			      MAP_BASE + 0x10fff, t + 0x800, RW),
		  VIRTIO_IOMMU_S_RANGE);
	st__end(&c);

	st__begin(&c, "map-end-before-start");
	vst__want(&c, "virt_end = virt_start - 1",
		  viommu__map(&vst.vi, vst.dom1, MAP_BASE + 0x10000,
			      MAP_BASE + 0xffff, t, RW),
		  VIRTIO_IOMMU_S_RANGE);
	st__end(&c);

	st__begin(&c, "map-overlap");
	vst__want(&c, "same page",
		  viommu__map(&vst.vi, vst.dom1, MAP_BASE, MAP_BASE + PG - 1, t,
			      RW),
		  VIRTIO_IOMMU_S_INVAL);
	vst__want(&c, "straddling",
		  viommu__map(&vst.vi, vst.dom1, MAP_BASE - PG,
			      MAP_BASE + PG - 1, t, RW),
		  VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "map-unknown-flag");
	vst__want(&c, "flags 1<<3",
		  viommu__map(&vst.vi, vst.dom1, MAP_BASE + 0x10000,
			      MAP_BASE + 0x10fff, t, RW | 8),
		  VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "map-unknown-domain");
	vst__want(&c, "MAP",
		  viommu__map(&vst.vi, vst.dom_unknown, MAP_BASE,
			      MAP_BASE + PG - 1, t, RW),
		  VIRTIO_IOMMU_S_NOENT);
	st__end(&c);

	st__begin(&c, "map-msi-window");
	vst__want(&c, "MAP [0xfee00000, +4K)",
		  viommu__map(&vst.vi, vst.dom1, MSI_START, MSI_START + PG - 1,
			      t, RW),
		  VIRTIO_IOMMU_S_INVAL);
	vst__want(&c, "MAP straddling 0xfeefffff",
		  viommu__map(&vst.vi, vst.dom1, MSI_END + 1 - PG, MSI_END + PG,
			      t, RW),
		  VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	if (vst.vi.cfg.input_range.end < ~0ULL - PG) {
		u64 s = ALIGN_UP(vst.vi.cfg.input_range.end + 1, PG);

		st__begin(&c, "map-outside-input-range");
		vst__want(&c, "MAP past input_range.end",
			  viommu__map(&vst.vi, vst.dom1, s, s + PG - 1, t, RW),
			  VIRTIO_IOMMU_S_RANGE);
		st__end(&c);
	} else {
		st__skip("map-outside-input-range", "input_range is unlimited");
	}

	st__begin(&c, "map-not-ram");
	vst__want(&c, "MAP of 0xe0000000 without F_MMIO",
		  viommu__map(&vst.vi, vst.dom1, MAP_BASE + 0x10000,
			      MAP_BASE + 0x10fff, NOT_RAM, RW),
		  VIRTIO_IOMMU_S_FAULT);
	st__end(&c);

	if (!viommu__has(&vst.vi, VIRTIO_IOMMU_F_BYPASS_CONFIG)) {
		st__skip("map-bypass-domain", "F_BYPASS_CONFIG not offered");
		st__skip("unmap-bypass-domain", "F_BYPASS_CONFIG not offered");
	} else {
		/* Moving the rng to a bypass domain frees dom1. */
		st__begin(&c, "map-bypass-domain");
		vst__want(&c, "ATTACH bypass",
			  viommu__attach(&vst.vi, vst.dom_bypass, vst.rng_ep,
					 VIRTIO_IOMMU_ATTACH_F_BYPASS),
			  VIRTIO_IOMMU_S_OK);
		vst__want(&c, "MAP",
			  viommu__map(&vst.vi, vst.dom_bypass, MAP_BASE,
				      MAP_BASE + PG - 1, t, RW),
			  VIRTIO_IOMMU_S_INVAL);
		/* and the other way round from attach-bypass-mismatch */
		vst__want(&c, "ATTACH without F_BYPASS to it",
			  viommu__attach(&vst.vi, vst.dom_bypass, vst.rng_ep,
					 0),
			  VIRTIO_IOMMU_S_INVAL);
		st__end(&c);

		st__begin(&c, "unmap-bypass-domain");
		vst__want(&c, "UNMAP",
			  viommu__unmap(&vst.vi, vst.dom_bypass, MAP_BASE,
					MAP_BASE + PG - 1),
			  VIRTIO_IOMMU_S_INVAL);
		st__end(&c);
	}

	/* Back to a fresh dom1 for what follows */
	st__begin(&c, "map-cleanup");
	vst__want(&c, "ATTACH dom1",
		  viommu__attach(&vst.vi, vst.dom1, vst.rng_ep, 0),
		  VIRTIO_IOMMU_S_OK);
	vst__want(&c, "UNMAP everything",
		  viommu__unmap(&vst.vi, vst.dom1, 0,
				vst.vi.cfg.input_range.end),
		  VIRTIO_IOMMU_S_OK);
	vst__want(&c, "MAP after UNMAP",
		  viommu__map(&vst.vi, vst.dom1, MAP_BASE, MAP_BASE + PG - 1, t,
			      RW),
		  VIRTIO_IOMMU_S_OK);
	vst__want(&c, "UNMAP",
		  viommu__unmap(&vst.vi, vst.dom1, MAP_BASE, MAP_BASE + PG - 1),
		  VIRTIO_IOMMU_S_OK);
	st__end(&c);
}

/* Pages a..b are (still) mapped: a one-page MAP on each end overlaps. */
static void expect_mapped(struct st_case *c, u64 a, u64 b)
{
	if (map_pages(vst.dom1, UNMAP_BASE, a, a) != VIRTIO_IOMMU_S_INVAL ||
	    map_pages(vst.dom1, UNMAP_BASE, b, b) != VIRTIO_IOMMU_S_INVAL)
		st__fail(c, "pages %llu..%llu no longer mapped",
			 (unsigned long long)a, (unsigned long long)b);
}

/* Pages a..b are free: mapping them as a whole succeeds. */
static void expect_free(struct st_case *c, u64 a, u64 b)
{
	if (map_pages(vst.dom1, UNMAP_BASE, a, b) != VIRTIO_IOMMU_S_OK)
		st__fail(c, "pages %llu..%llu still mapped",
			 (unsigned long long)a, (unsigned long long)b);
}

struct unmap_example {
	const char *name;
	int nr_maps;
	u8 map[2][2];		/* map(a, b) before the UNMAP */
	u8 unmap[2];
	int status;
	u8 gone[2];		/* a range free afterwards */
	bool has_gone;
	u8 kept[2];		/* a range still mapped afterwards */
	bool has_kept;
};

#define M(a, b)		{ a, b }

/* The spec's seven UNMAP examples, in pages. */
static const struct unmap_example unmap_examples[] = {
	{ .name = "unmap-spec-1", .unmap = M(0, 4),
	  .status = VIRTIO_IOMMU_S_OK, .gone = M(0, 4), .has_gone = true },
	{ .name = "unmap-spec-2", .nr_maps = 1, .map = { M(0, 9) },
	  .unmap = M(0, 9), .status = VIRTIO_IOMMU_S_OK,
	  .gone = M(0, 9), .has_gone = true },
	{ .name = "unmap-spec-3", .nr_maps = 2, .map = { M(0, 4), M(5, 9) },
	  .unmap = M(0, 9), .status = VIRTIO_IOMMU_S_OK,
	  .gone = M(0, 9), .has_gone = true },
	{ .name = "unmap-spec-4", .nr_maps = 1, .map = { M(0, 9) },
	  .unmap = M(0, 4), .status = VIRTIO_IOMMU_S_RANGE,
	  .kept = M(0, 9), .has_kept = true },
	{ .name = "unmap-spec-5", .nr_maps = 2, .map = { M(0, 4), M(5, 9) },
	  .unmap = M(0, 4), .status = VIRTIO_IOMMU_S_OK,
	  .gone = M(0, 4), .has_gone = true,
	  .kept = M(5, 9), .has_kept = true },
	{ .name = "unmap-spec-6", .nr_maps = 1, .map = { M(0, 4) },
	  .unmap = M(0, 9), .status = VIRTIO_IOMMU_S_OK,
	  .gone = M(0, 9), .has_gone = true },
	{ .name = "unmap-spec-7", .nr_maps = 2, .map = { M(0, 4), M(10, 14) },
	  .unmap = M(0, 14), .status = VIRTIO_IOMMU_S_OK,
	  .gone = M(0, 14), .has_gone = true },
};

static void run_unmap_example(const struct unmap_example *e)
{
	struct st_case c;
	bool setup_ok = true;
	int s;

	st__begin(&c, e->name);
	for (int i = 0; i < e->nr_maps; i++)
		setup_ok &= vst__want(&c, "setup MAP",
				      map_pages(vst.dom1, UNMAP_BASE,
						e->map[i][0], e->map[i][1]),
				      VIRTIO_IOMMU_S_OK);
	s = unmap_pages(vst.dom1, UNMAP_BASE, e->unmap[0], e->unmap[1]);
	if (setup_ok && vst__want(&c, "UNMAP", s, e->status)) {
		if (e->has_kept)
			expect_mapped(&c, e->kept[0], e->kept[1]);
		if (e->has_gone)
			expect_free(&c, e->gone[0], e->gone[1]);
	}
	/* Blank address space for the next example */
	if (unmap_pages(vst.dom1, UNMAP_BASE, 0, TARGET_PAGES - 1) !=
	    VIRTIO_IOMMU_S_OK)
		st__fail(&c, "cleanup UNMAP failed");
	st__end(&c);
}

void vst__unmap_cases(void)
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
	vst__want(&c, "setup MAP", map_pages(vst.dom1, UNMAP_BASE, 0, 0),
		  VIRTIO_IOMMU_S_OK);
	r.domain = vst.dom1;
	vst__want(&c, "UNMAP reserved[0]=1",
		  viommu__request(&vst.vi, &r, sizeof(r), sizeof(r.tail)),
		  VIRTIO_IOMMU_S_INVAL);
	if (!c.failed)
		expect_mapped(&c, 0, 0);	/* nothing unmapped */
	vst__want(&c, "cleanup UNMAP", unmap_pages(vst.dom1, UNMAP_BASE, 0, 0),
		  VIRTIO_IOMMU_S_OK);
	st__end(&c);

	st__begin(&c, "unmap-unknown-domain");
	vst__want(&c, "UNMAP", unmap_pages(vst.dom_unknown, UNMAP_BASE, 0, 0),
		  VIRTIO_IOMMU_S_NOENT);
	st__end(&c);
}

void vst__detach_cases(void)
{
	struct st_case c;

	/* The rng is in dom1 */
	st__begin(&c, "detach-unknown-endpoint");
	vst__want(&c, "DETACH", viommu__detach(&vst.vi, vst.dom1, UNKNOWN_EP),
		  VIRTIO_IOMMU_S_NOENT);
	st__end(&c);

	st__begin(&c, "detach-not-attached");
	vst__want(&c, "DETACH from a domain it is not in",
		  viommu__detach(&vst.vi, vst.dom2, vst.rng_ep),
		  VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "detach-ok");
	vst__want(&c, "DETACH", viommu__detach(&vst.vi, vst.dom1, vst.rng_ep),
		  VIRTIO_IOMMU_S_OK);
	vst__want(&c, "DETACH again",
		  viommu__detach(&vst.vi, vst.dom1, vst.rng_ep),
		  VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "detach-frees-domain");
	vst__want(&c, "MAP on the emptied domain",
		  viommu__map(&vst.vi, vst.dom1, MAP_BASE, MAP_BASE + PG - 1,
			      (uintptr_t)vst.target, RW),
		  VIRTIO_IOMMU_S_NOENT);
	st__end(&c);
}

/* A raw request must come back unwritten with used length 0. */
static void expect_unwritten(struct st_case *c, const char *what,
			     const void *out, u32 out_len, u32 in_len)
{
	u8 in[8];
	int ret;

	memset(in, VIOMMU_POISON, sizeof(in));
	ret = viommu__submit(&vst.vi, out, out_len, in, in_len);
	if (ret)
		st__fail(c, "%s: submission failed: %s", what,
			 viommu__status_str(ret));
	else if (vst.vi.used)
		st__fail(c, "%s: used length %u, want 0", what, vst.vi.used);
	else if (vst__count_ne(in, sizeof(in), VIOMMU_POISON))
		st__fail(c, "%s: the device wrote the buffer", what);
}

void vst__malformed_cases(void)
{
	struct virtio_iommu_req_attach a = {
		.head.type = VIRTIO_IOMMU_T_ATTACH,
		.domain = vst.dom2,
		.endpoint = vst.rng_ep,
	};
	struct virtio_iommu_req_attach r = a;
	struct viommu_probe p;
	struct st_case c;
	u8 types[9] = { 0, 0x06, 0x7f, 0x84, 0xff };
	unsigned int nt = 5;

	/* The extension's types are unknown without their feature */
	if (!viommu__has(&vst.vi, VIRTIO_IOMMU_F_VSVA_TABLE)) {
		types[nt++] = VIRTIO_IOMMU_T_ATTACH_TABLE;
		types[nt++] = VIRTIO_IOMMU_T_DETACH_TABLE;
	}
	if (!viommu__has(&vst.vi, VIRTIO_IOMMU_F_VSVA_INVAL))
		types[nt++] = VIRTIO_IOMMU_T_INVALIDATE;
	if (!viommu__has(&vst.vi, VIRTIO_IOMMU_F_VSVA_PAGE_REQ))
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
	vst__want(&c, "PROBE after malformed requests",
		  viommu__probe(&vst.vi, vst.rng_ep, &p), VIRTIO_IOMMU_S_OK);
	vst__want(&c, "rng still in no domain",
		  viommu__detach(&vst.vi, vst.dom2, vst.rng_ep),
		  VIRTIO_IOMMU_S_INVAL);
	st__end(&c);
}
