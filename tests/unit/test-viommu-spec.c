// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-iommu requests as the spec defines them, driven through the
 * request decoder with raw bytes, the way a driver sends them.
 */
#include <criterion/criterion.h>

#include "viommu-harness.h"

static struct harness h;

static void setup(void)
{
	h_init(&h, h_all_features());
}

static void teardown(void)
{
	h_fini(&h);
}

TestSuite(viommu_spec, .init = setup, .fini = teardown);

/* Send a fixed-size request; returns the status or -1 if unwritten. */
static int req(void *r, size_t size)
{
	u8 out[4] = { 0xee, 0xee, 0xee, 0xee };
	size_t n = viommu__request(&h.v, r, size - 4, out, 4);

	return n ? out[0] : -1;
}

static int attach(u32 domain, u32 ep, u32 flags)
{
	struct virtio_iommu_req_attach r = {
		.head.type = VIRTIO_IOMMU_T_ATTACH,
		.domain = domain, .endpoint = ep, .flags = flags,
	};

	return req(&r, sizeof(r));
}

static int detach(u32 domain, u32 ep)
{
	struct virtio_iommu_req_detach r = {
		.head.type = VIRTIO_IOMMU_T_DETACH,
		.domain = domain, .endpoint = ep,
	};

	return req(&r, sizeof(r));
}

static int map(u32 domain, u64 start, u64 end, u64 phys, u32 flags)
{
	struct virtio_iommu_req_map r = {
		.head.type = VIRTIO_IOMMU_T_MAP, .domain = domain,
		.virt_start = start, .virt_end = end, .phys_start = phys,
		.flags = flags,
	};

	return req(&r, sizeof(r));
}

static int unmap(u32 domain, u64 start, u64 end)
{
	struct virtio_iommu_req_unmap r = {
		.head.type = VIRTIO_IOMMU_T_UNMAP, .domain = domain,
		.virt_start = start, .virt_end = end,
	};

	return req(&r, sizeof(r));
}

#define RW (VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE)
#define P(n) ((u64)(n) * SZ_4K)
/* map(a, b) in the spec's examples, in pages: [P(a), P(b + 1) - 1] */
#define MAPP(a, b) map(1, P(a), P((b) + 1) - 1, P(a), RW)
#define UNMAPP(a, b) unmap(1, P(a), P((b) + 1) - 1)

static bool mapped(u64 va)
{
	return !h_dma(&h, H_EP_RNG, VIOMMU_NO_PASID, va, false, NULL);
}

Test(viommu_spec, attach_statuses)
{
	struct virtio_iommu_req_attach r = {
		.head.type = VIRTIO_IOMMU_T_ATTACH, .domain = 1,
		.endpoint = H_EP_RNG,
	};

	r.reserved[2] = 1;
	cr_assert_eq(req(&r, sizeof(r)), VIRTIO_IOMMU_S_INVAL, "reserved");
	cr_assert_eq(attach(1, H_EP_RNG, 1 << 5), VIRTIO_IOMMU_S_INVAL,
		     "unknown flag");
	cr_assert_eq(attach(1, 0x99, 0), VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(attach(0, H_EP_RNG, 0), VIRTIO_IOMMU_S_RANGE);
	cr_assert_eq(attach(70000, H_EP_RNG, 0), VIRTIO_IOMMU_S_RANGE);
	cr_assert_eq(attach(1, H_EP_RNG, 0), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(attach(1, H_EP_RNG, 0), VIRTIO_IOMMU_S_OK, "again");
	cr_assert_eq(attach(1, H_EP_SVA, VIRTIO_IOMMU_ATTACH_F_BYPASS),
		     VIRTIO_IOMMU_S_INVAL, "bypass flag differs from domain");
	cr_assert_eq(attach(2, H_EP_SVA, VIRTIO_IOMMU_ATTACH_F_BYPASS),
		     VIRTIO_IOMMU_S_OK);
	/* Re-attach elsewhere: implicit detach, old domain dies. */
	cr_assert_eq(attach(3, H_EP_RNG, 0), VIRTIO_IOMMU_S_OK);
	cr_assert_null(viommu__find_domain(&h.v, 1));
	cr_assert_eq(viommu__find_endpoint(&h.v, H_EP_RNG)->domain->id, 3);
}

Test(viommu_spec, bypass_flag_needs_feature)
{
	h.v.features &= ~BIT_ULL(VIRTIO_IOMMU_F_BYPASS_CONFIG);
	cr_assert_eq(attach(1, H_EP_RNG, VIRTIO_IOMMU_ATTACH_F_BYPASS),
		     VIRTIO_IOMMU_S_INVAL);
}

Test(viommu_spec, detach_statuses)
{
	cr_assert_eq(attach(1, H_EP_RNG, 0), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(detach(1, 0x99), VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(detach(2, H_EP_RNG), VIRTIO_IOMMU_S_INVAL, "wrong domain");
	cr_assert_eq(detach(1, H_EP_SVA), VIRTIO_IOMMU_S_INVAL, "not attached");
	cr_assert_eq(detach(1, H_EP_RNG), VIRTIO_IOMMU_S_OK);
	cr_assert_null(viommu__find_domain(&h.v, 1), "last endpoint gone");
	cr_assert_eq(h_dma(&h, H_EP_RNG, VIOMMU_NO_PASID, 0x1000, false, NULL),
		     -EFAULT, "detached endpoint cannot DMA");
	cr_assert_eq(h.faults[0].reason, VIRTIO_IOMMU_FAULT_R_DOMAIN);
}

Test(viommu_spec, map_statuses)
{
	cr_assert_eq(attach(1, H_EP_RNG, 0), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(attach(2, H_EP_SVA, VIRTIO_IOMMU_ATTACH_F_BYPASS),
		     VIRTIO_IOMMU_S_OK);
	cr_assert_eq(map(1, 0x1000, 0x1fff, 0x2000, RW), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(map(1, 0x1800, 0x2fff, 0x2000, RW), VIRTIO_IOMMU_S_RANGE,
		     "misaligned start");
	cr_assert_eq(map(1, 0x3000, 0x3fff, 0x2800, RW), VIRTIO_IOMMU_S_RANGE,
		     "misaligned phys");
	cr_assert_eq(map(1, 0x3000, 0x37ff, 0x2000, RW), VIRTIO_IOMMU_S_RANGE,
		     "misaligned end");
	cr_assert_eq(map(1, 0x3000, 0x3000 - 1, 0x2000, RW),
		     VIRTIO_IOMMU_S_RANGE, "end before start");
	cr_assert_eq(map(1, 1ULL << 48, (1ULL << 48) + 0xfff, 0, RW),
		     VIRTIO_IOMMU_S_RANGE, "outside input_range");
	cr_assert_eq(map(1, 0x0000, 0x1fff, 0x2000, RW), VIRTIO_IOMMU_S_INVAL,
		     "overlap");
	cr_assert_eq(map(1, 0x3000, 0x3fff, 0x2000, 1 << 7),
		     VIRTIO_IOMMU_S_INVAL, "unknown flag");
	cr_assert_eq(map(9, 0x3000, 0x3fff, 0x2000, RW), VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(map(2, 0x3000, 0x3fff, 0x2000, RW), VIRTIO_IOMMU_S_INVAL,
		     "bypass domain");
	cr_assert_eq(map(1, 0xfee00000, 0xfee00fff, 0x2000, RW),
		     VIRTIO_IOMMU_S_INVAL, "MSI window");
	cr_assert_eq(map(1, 0x10000, 0x10fff, H_RAM, RW), VIRTIO_IOMMU_S_FAULT,
		     "not RAM");
	cr_assert_eq(map(1, 0x10000, 0x10fff, 0xd0000000,
			 RW | VIRTIO_IOMMU_MAP_F_MMIO), VIRTIO_IOMMU_S_OK,
		     "MMIO may map a BAR");
	h.v.features &= ~BIT_ULL(VIRTIO_IOMMU_F_MMIO);
	cr_assert_eq(map(1, 0x20000, 0x20fff, 0xd0000000,
			 RW | VIRTIO_IOMMU_MAP_F_MMIO), VIRTIO_IOMMU_S_INVAL,
		     "MMIO flag without the feature");
}

Test(viommu_spec, map_translates_with_permissions)
{
	u64 gpa;

	cr_assert_eq(attach(1, H_EP_RNG, 0), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(map(1, 0x100000, 0x101fff, 0x40000,
			 VIRTIO_IOMMU_MAP_F_READ), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(h_dma(&h, H_EP_RNG, VIOMMU_NO_PASID, 0x101234, false, &gpa), 0);
	cr_assert_eq(gpa, 0x41234);
	cr_assert_eq(h_dma(&h, H_EP_RNG, VIOMMU_NO_PASID, 0x100000, true, NULL),
		     -EFAULT, "read-only mapping");
	cr_assert_eq(h.faults[0].reason, VIRTIO_IOMMU_FAULT_R_MAPPING);
	cr_assert_eq(h.faults[0].flags & VIRTIO_IOMMU_FAULT_F_WRITE,
		     VIRTIO_IOMMU_FAULT_F_WRITE);
	cr_assert_eq(h.faults[0].address, 0x100000);
	cr_assert_eq(h.faults[0].endpoint, H_EP_RNG);
	cr_assert_eq(h_dma(&h, H_EP_RNG, VIOMMU_NO_PASID, 0x102000, false, NULL),
		     -EFAULT, "past the end");
	cr_assert_eq(map(1, 0x200000, 0x200fff, 0x50000,
			 VIRTIO_IOMMU_MAP_F_WRITE), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(h_dma(&h, H_EP_RNG, VIOMMU_NO_PASID, 0x200000, false, NULL),
		     -EFAULT, "write-only mapping refuses reads");
}

/* The seven UNMAP examples of the spec, each from a blank domain. */
Test(viommu_spec, unmap_example_1)
{
	cr_assert_eq(attach(1, H_EP_RNG, 0), 0);
	cr_assert_eq(UNMAPP(0, 4), VIRTIO_IOMMU_S_OK, "nothing to unmap");
}

Test(viommu_spec, unmap_example_2)
{
	cr_assert_eq(attach(1, H_EP_RNG, 0), 0);
	cr_assert_eq(MAPP(0, 9), 0);
	cr_assert_eq(UNMAPP(0, 9), VIRTIO_IOMMU_S_OK);
	cr_assert_not(mapped(P(0)));
}

Test(viommu_spec, unmap_example_3)
{
	cr_assert_eq(attach(1, H_EP_RNG, 0), 0);
	cr_assert_eq(MAPP(0, 4), 0);
	cr_assert_eq(MAPP(5, 9), 0);
	cr_assert_eq(UNMAPP(0, 9), VIRTIO_IOMMU_S_OK);
	cr_assert_not(mapped(P(0)));
	cr_assert_not(mapped(P(9)));
}

Test(viommu_spec, unmap_example_4)
{
	cr_assert_eq(attach(1, H_EP_RNG, 0), 0);
	cr_assert_eq(MAPP(0, 9), 0);
	cr_assert_eq(UNMAPP(0, 4), VIRTIO_IOMMU_S_RANGE, "would split");
	cr_assert(mapped(P(0)), "nothing unmapped");
	cr_assert(mapped(P(9)));
}

Test(viommu_spec, unmap_example_5)
{
	cr_assert_eq(attach(1, H_EP_RNG, 0), 0);
	cr_assert_eq(MAPP(0, 4), 0);
	cr_assert_eq(MAPP(5, 9), 0);
	cr_assert_eq(UNMAPP(0, 4), VIRTIO_IOMMU_S_OK);
	cr_assert_not(mapped(P(4)));
	cr_assert(mapped(P(5)));
}

Test(viommu_spec, unmap_example_6)
{
	cr_assert_eq(attach(1, H_EP_RNG, 0), 0);
	cr_assert_eq(MAPP(0, 4), 0);
	cr_assert_eq(UNMAPP(0, 9), VIRTIO_IOMMU_S_OK);
	cr_assert_not(mapped(P(0)));
}

Test(viommu_spec, unmap_example_7)
{
	cr_assert_eq(attach(1, H_EP_RNG, 0), 0);
	cr_assert_eq(MAPP(0, 4), 0);
	cr_assert_eq(MAPP(10, 14), 0);
	cr_assert_eq(UNMAPP(0, 14), VIRTIO_IOMMU_S_OK);
	cr_assert_not(mapped(P(0)));
	cr_assert_not(mapped(P(14)));
}

Test(viommu_spec, unmap_statuses)
{
	struct virtio_iommu_req_unmap r = {
		.head.type = VIRTIO_IOMMU_T_UNMAP, .domain = 1,
		.virt_start = 0, .virt_end = P(5) - 1,
	};

	cr_assert_eq(attach(1, H_EP_RNG, 0), 0);
	cr_assert_eq(attach(2, H_EP_SVA, VIRTIO_IOMMU_ATTACH_F_BYPASS), 0);
	cr_assert_eq(MAPP(0, 4), 0);
	r.reserved[1] = 1;
	cr_assert_eq(req(&r, sizeof(r)), VIRTIO_IOMMU_S_INVAL);
	cr_assert(mapped(P(0)), "refused: nothing unmapped");
	cr_assert_eq(unmap(9, 0, P(1) - 1), VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(unmap(2, 0, P(1) - 1), VIRTIO_IOMMU_S_INVAL, "bypass");
}

Test(viommu_spec, probe)
{
	u8 in[72] = { VIRTIO_IOMMU_T_PROBE }, out[VIOMMU_PROBE_SIZE + 4];
	struct virtio_iommu_probe_resv_mem resv;
	struct virtio_iommu_probe_vsva vsva;
	u32 ep = H_EP_SVA;

	memcpy(in + 4, &ep, 4);
	memset(out, 0xee, sizeof(out));
	cr_assert_eq(viommu__request(&h.v, in, 72, out, sizeof(out)),
		     sizeof(out));
	cr_assert_eq(out[VIOMMU_PROBE_SIZE], VIRTIO_IOMMU_S_OK);
	memcpy(&resv, out, sizeof(resv));
	cr_assert_eq(resv.head.type, VIRTIO_IOMMU_PROBE_T_RESV_MEM);
	cr_assert_eq(resv.head.length, 20);
	cr_assert_eq(resv.subtype, VIRTIO_IOMMU_RESV_MEM_T_MSI);
	cr_assert_eq(resv.start, 0xfee00000);
	cr_assert_eq(resv.end, 0xfeefffff);
	memcpy(&vsva, out + 24, sizeof(vsva));
	cr_assert_eq(vsva.head.type, VIRTIO_IOMMU_PROBE_T_VSVA);
	cr_assert_eq(vsva.head.length, 20);
	cr_assert_eq(vsva.pasid_bits, 20);
	cr_assert_eq(out[48], 0, "zero-filled after the properties");
	cr_assert_eq(out[VIOMMU_PROBE_SIZE - 1], 0);

	ep = 0x99;
	memcpy(in + 4, &ep, 4);
	cr_assert_eq(viommu__request(&h.v, in, 72, out, sizeof(out)),
		     sizeof(out));
	cr_assert_eq(out[VIOMMU_PROBE_SIZE], VIRTIO_IOMMU_S_NOENT);
	ep = H_EP_RNG;
	memcpy(in + 4, &ep, 4);
	cr_assert_eq(viommu__request(&h.v, in, 72, out, 64 + 4), 68);
	cr_assert_eq(out[64], VIRTIO_IOMMU_S_INVAL,
		     "properties smaller than probe_size");
}

Test(viommu_spec, unknown_and_short_requests_are_unwritten)
{
	u8 in[64] = { 0x42 }, out[8] = { 0xee };

	cr_assert_eq(viommu__request(&h.v, in, 24, out, 4), 0, "unknown type");
	cr_assert_eq(out[0], 0xee);
	in[0] = VIRTIO_IOMMU_T_MAP;
	cr_assert_eq(viommu__request(&h.v, in, 20, out, 4), 0, "too short");
	cr_assert_eq(viommu__request(&h.v, in, 36, out, 2), 0, "no tail room");
	cr_assert_eq(viommu__request(&h.v, in, 2, out, 4), 0, "no head");
	h.v.features &= ~BIT_ULL(VIRTIO_IOMMU_F_MAP_UNMAP);
	cr_assert_eq(viommu__request(&h.v, in, 36, out, 4), 0,
		     "MAP without MAP_UNMAP");
	in[0] = VIRTIO_IOMMU_T_PROBE;
	h.v.features &= ~BIT_ULL(VIRTIO_IOMMU_F_PROBE);
	cr_assert_eq(viommu__request(&h.v, in, 64, out, 8), 0,
		     "PROBE without PROBE");
	in[0] = VIRTIO_IOMMU_T_PAGE_RESP;
	h.v.features &= ~BIT_ULL(VIRTIO_IOMMU_F_VSVA_PAGE_REQ);
	cr_assert_eq(viommu__request(&h.v, in, 28, out, 4), 0,
		     "page responses need their feature");
	cr_assert_geq(h.v.counters.bad_requests, 6);
}

Test(viommu_spec, bypass_config)
{
	u64 gpa;

	cr_assert_eq(h_dma(&h, H_EP_RNG, VIOMMU_NO_PASID, 0x3000, true, NULL),
		     -EFAULT, "bypass 0: unattached endpoints blocked");
	h.v.bypass = 1;
	cr_assert_eq(h_dma(&h, H_EP_RNG, VIOMMU_NO_PASID, 0x3000, true, &gpa), 0);
	cr_assert_eq(gpa, 0x3000);
	cr_assert_eq(attach(2, H_EP_RNG, VIRTIO_IOMMU_ATTACH_F_BYPASS), 0);
	h.v.bypass = 0;
	cr_assert_eq(h_dma(&h, H_EP_RNG, VIOMMU_NO_PASID, 0x5000, false, &gpa), 0,
		     "bypass domain");
	cr_assert_eq(gpa, 0x5000);
}

Test(viommu_spec, reset_detaches_everything)
{
	cr_assert_eq(attach(1, H_EP_RNG, 0), 0);
	cr_assert_eq(MAPP(0, 4), 0);
	viommu__reset(&h.v);
	cr_assert_null(viommu__find_domain(&h.v, 1));
	cr_assert_null(viommu__find_endpoint(&h.v, H_EP_RNG)->domain);
}
