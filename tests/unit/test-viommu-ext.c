// SPDX-License-Identifier: GPL-2.0
/*
 * vsva's extension: ATTACH_TABLE / DETACH_TABLE / INVALIDATE, and the
 * emul backend's IOTLB model, where a missed invalidation must show as a
 * stale translation.
 */
#include <criterion/criterion.h>

#include "viommu-harness.h"

static struct harness h;
static u64 root;

static void setup(void)
{
	h_init(&h, h_all_features());
	cr_assert_eq(viommu__attach(&h.v, 1, H_EP_SVA, 0), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(viommu__attach(&h.v, 2, H_EP_RNG, 0), VIRTIO_IOMMU_S_OK);
	root = h_page(&h);
}

static void teardown(void)
{
	h_fini(&h);
}

TestSuite(viommu_ext, .init = setup, .fini = teardown);

static int attach_table(u32 ep, u32 pasid, u32 flags, u16 fmt, u8 levels,
			u64 r)
{
	struct virtio_iommu_req_attach_table req = {
		.head.type = VIRTIO_IOMMU_T_ATTACH_TABLE, .endpoint = ep,
		.pasid = pasid, .flags = flags, .format = fmt,
		.levels = levels, .root = r,
	};
	u8 out[4];

	if (!viommu__request(&h.v, (u8 *)&req, sizeof(req) - 4, out, 4))
		return -1;
	return out[0];
}

static int detach_table(u32 ep, u32 pasid, u8 resv)
{
	struct virtio_iommu_req_detach_table req = {
		.head.type = VIRTIO_IOMMU_T_DETACH_TABLE, .endpoint = ep,
		.pasid = pasid,
	};
	u8 out[4];

	req.reserved[0] = resv;
	if (!viommu__request(&h.v, (u8 *)&req, sizeof(req) - 4, out, 4))
		return -1;
	return out[0];
}

#define FMT VSVA_S1_FORMAT_X86_64

Test(viommu_ext, attach_table_statuses)
{
	struct virtio_iommu_req_attach_table req = {
		.head.type = VIRTIO_IOMMU_T_ATTACH_TABLE, .endpoint = H_EP_SVA,
		.pasid = 1, .format = FMT, .levels = 4, .root = root,
	};
	u8 out[4];

	req.reserved[3] = 1;
	cr_assert_eq(viommu__request(&h.v, (u8 *)&req, 44, out, 4), 4);
	cr_assert_eq(out[0], VIRTIO_IOMMU_S_INVAL, "reserved");
	cr_assert_eq(attach_table(H_EP_SVA, 1, 1 << 9, FMT, 4, root),
		     VIRTIO_IOMMU_S_INVAL, "unknown flag");
	cr_assert_eq(attach_table(0x99, 1, 0, FMT, 4, root),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(attach_table(H_EP_RNG, 1, 0, FMT, 4, root),
		     VIRTIO_IOMMU_S_UNSUPP, "no PASID support");
	cr_assert_eq(attach_table(H_EP_SVA, 1, 0, 7, 4, root),
		     VIRTIO_IOMMU_S_UNSUPP, "unknown format");
	cr_assert_eq(attach_table(H_EP_SVA, 1, 0, FMT, 3, root),
		     VIRTIO_IOMMU_S_UNSUPP, "3 levels");
	cr_assert_eq(attach_table(H_EP_SVA, 0, 0, FMT, 4, root),
		     VIRTIO_IOMMU_S_RANGE, "PASID 0");
	cr_assert_eq(attach_table(H_EP_SVA, 1 << 20, 0, FMT, 4, root),
		     VIRTIO_IOMMU_S_RANGE, "PASID too wide");
	cr_assert_eq(attach_table(H_EP_SVA, 1, 0, FMT, 4, root + 8),
		     VIRTIO_IOMMU_S_FAULT, "root misaligned");
	cr_assert_eq(attach_table(H_EP_SVA, 1, 0, FMT, 4, H_RAM),
		     VIRTIO_IOMMU_S_FAULT, "root outside RAM");
	cr_assert_eq(attach_table(H_EP_SVA, 1, VSVA_TABLE_F_SRE, FMT, 4, root),
		     VIRTIO_IOMMU_S_OK);
	cr_assert_eq(attach_table(H_EP_SVA, 1, 0, FMT, 5, root),
		     VIRTIO_IOMMU_S_OK, "replace");
	cr_assert_eq(viommu__pasid(viommu__find_endpoint(&h.v, H_EP_SVA), 1)
		     ->desc.levels, 5);
	/* Bound tables pin the endpoint in its domain. */
	cr_assert_eq(viommu__detach(&h.v, 1, H_EP_SVA), VIRTIO_IOMMU_S_UNSUPP);
	cr_assert_eq(viommu__attach(&h.v, 3, H_EP_SVA, 0), VIRTIO_IOMMU_S_UNSUPP);
}

Test(viommu_ext, attach_table_needs_a_translating_domain)
{
	cr_assert_eq(viommu__detach(&h.v, 1, H_EP_SVA), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(attach_table(H_EP_SVA, 1, 0, FMT, 4, root),
		     VIRTIO_IOMMU_S_INVAL, "no domain");
	cr_assert_eq(viommu__attach(&h.v, 5, H_EP_SVA,
				    VIRTIO_IOMMU_ATTACH_F_BYPASS), 0);
	cr_assert_eq(attach_table(H_EP_SVA, 1, 0, FMT, 4, root),
		     VIRTIO_IOMMU_S_INVAL, "bypass domain");
}

Test(viommu_ext, detach_table_statuses)
{
	cr_assert_eq(detach_table(0x99, 1, 0), VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(detach_table(H_EP_SVA, 0, 0), VIRTIO_IOMMU_S_RANGE);
	cr_assert_eq(detach_table(H_EP_SVA, 3, 0), VIRTIO_IOMMU_S_INVAL,
		     "not bound");
	cr_assert_eq(attach_table(H_EP_SVA, 3, 0, FMT, 4, root), 0);
	cr_assert_eq(detach_table(H_EP_SVA, 3, 1), VIRTIO_IOMMU_S_INVAL,
		     "reserved");
	cr_assert_eq(detach_table(H_EP_SVA, 3, 0), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(detach_table(H_EP_SVA, 3, 0), VIRTIO_IOMMU_S_INVAL);
	cr_assert_eq(viommu__detach(&h.v, 1, H_EP_SVA), VIRTIO_IOMMU_S_OK);
}

Test(viommu_ext, extension_requests_need_their_features)
{
	h.v.features &= ~BIT_ULL(VIRTIO_IOMMU_F_VSVA_TABLE);
	cr_assert_eq(attach_table(H_EP_SVA, 1, 0, FMT, 4, root), -1);
	cr_assert_eq(detach_table(H_EP_SVA, 1, 0), -1);
}

Test(viommu_ext, pasid_dma_translates_and_faults)
{
	u64 gpa;

	h_map4k(&h, root, 0x7000000000ULL, 0x300000, S1_PTE_RW | S1_PTE_US);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 5, 0x7000000123ULL, true, NULL),
		     -EFAULT, "PASID not bound");
	cr_assert_eq(h.faults[0].reason, VSVA_FAULT_R_PASID_UNBOUND);
	cr_assert_eq(h.faults[0].flags & VSVA_FAULT_F_PASID, VSVA_FAULT_F_PASID);
	cr_assert_eq(h.faults[0].pasid, 5);
	cr_assert_eq(attach_table(H_EP_SVA, 5, 0, FMT, 4, root), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 5, 0x7000000123ULL, true, &gpa), 0);
	cr_assert_eq(gpa, 0x300123);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 5, 0x7000001000ULL, false, NULL),
		     -EFAULT, "not present");
	cr_assert_eq(h.faults[1].reason, VIRTIO_IOMMU_FAULT_R_MAPPING);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 5, 0x800000000000ULL, false, NULL),
		     -EFAULT);
	cr_assert_eq(h.faults[2].reason, VSVA_FAULT_R_S1_CANONICAL);
	cr_assert_eq(h_dma(&h, H_EP_SVA, VIOMMU_NO_PASID, 0x7000000123ULL, false,
			   NULL), -EFAULT, "untagged DMA uses the domain's mappings");
	/* A table entry pointing outside RAM. */
	((u64 *)(h.ram + root))[200] = (H_RAM + SZ_4K) | S1_PTE_P | S1_PTE_RW |
				       S1_PTE_US;
	cr_assert_eq(h_dma(&h, H_EP_SVA, 5, 200ULL << 39, false, NULL), -EFAULT);
	cr_assert_eq(h.faults[4].reason, VSVA_FAULT_R_S1_TABLE);
}

Test(viommu_ext, missed_leaf_invalidation_is_stale)
{
	u64 va = 0x10000000, gpa;
	u8 st[4];
	struct virtio_iommu_inv_entry e = {
		.scope = VSVA_INV_S_ADDR, .flags = VSVA_INV_F_LEAF,
		.id = 1, .pasid = 7, .addr = va, .nr_pages = 1,
	};

	h_map4k(&h, root, va, 0x300000, S1_PTE_RW | S1_PTE_US);
	cr_assert_eq(attach_table(H_EP_SVA, 7, 0, FMT, 4, root), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 7, va, false, &gpa), 0);
	cr_assert_eq(gpa, 0x300000);
	/* The guest remaps the page and forgets to invalidate. */
	h_map4k(&h, root, va, 0x400000, S1_PTE_RW | S1_PTE_US);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 7, va, false, &gpa), 0);
	cr_assert_eq(gpa, 0x300000, "stale translation without invalidation");
	cr_assert_eq(viommu__invalidate_batch(&h.v, &e, 1, st), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 7, va, false, &gpa), 0);
	cr_assert_eq(gpa, 0x400000, "fresh after a leaf invalidation");
}

Test(viommu_ext, leaf_invalidation_keeps_paging_structure_cache)
{
	u64 va = 0x20000000, gpa, *pd_entry, new_pt;
	u8 st[4];
	struct virtio_iommu_inv_entry e = {
		.scope = VSVA_INV_S_ADDR, .flags = VSVA_INV_F_LEAF,
		.id = 1, .pasid = 7, .addr = va, .nr_pages = 1,
	};
	u64 pml4e, pdpte, pde;

	h_map4k(&h, root, va, 0x300000, S1_PTE_RW | S1_PTE_US);
	cr_assert_eq(attach_table(H_EP_SVA, 7, 0, FMT, 4, root), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 7, va, false, &gpa), 0);
	/* Point the PDE at a new level-1 table mapping va elsewhere. */
	pml4e = ((u64 *)(h.ram + root))[(va >> 39) & 511] & S1_PTE_ADDR;
	pdpte = ((u64 *)(h.ram + pml4e))[(va >> 30) & 511] & S1_PTE_ADDR;
	pd_entry = (u64 *)(h.ram + pdpte) + ((va >> 21) & 511);
	pde = *pd_entry;
	new_pt = h_page(&h);
	((u64 *)(h.ram + new_pt))[(va >> 12) & 511] =
		0x500000 | S1_PTE_P | S1_PTE_RW | S1_PTE_US;
	*pd_entry = new_pt | (pde & 0xfff);

	cr_assert_eq(viommu__invalidate_batch(&h.v, &e, 1, st), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 7, va, false, &gpa), 0);
	cr_assert_eq(gpa, 0x300000,
		     "a leaf-only invalidation keeps the cached PDE: old table");
	e.flags = 0;
	cr_assert_eq(viommu__invalidate_batch(&h.v, &e, 1, st), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 7, va, false, &gpa), 0);
	cr_assert_eq(gpa, 0x500000, "non-leaf invalidation: new table");
}

Test(viommu_ext, invalidate_scopes)
{
	u64 va = 0x30000000, gpa;
	u8 st[4];
	struct virtio_iommu_inv_entry e = { .id = 1, .pasid = 7 };

	h_map4k(&h, root, va, 0x300000, S1_PTE_RW | S1_PTE_US);
	cr_assert_eq(attach_table(H_EP_SVA, 7, 0, FMT, 4, root), 0);

	e.scope = VSVA_INV_S_PASID;
	cr_assert_eq(h_dma(&h, H_EP_SVA, 7, va, false, &gpa), 0);
	h_map4k(&h, root, va, 0x310000, S1_PTE_RW | S1_PTE_US);
	cr_assert_eq(viommu__invalidate_batch(&h.v, &e, 1, st), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 7, va, false, &gpa), 0);
	cr_assert_eq(gpa, 0x310000, "PASID-wide");

	e.scope = VSVA_INV_S_DOMAIN;
	h_map4k(&h, root, va, 0x320000, S1_PTE_RW | S1_PTE_US);
	cr_assert_eq(viommu__invalidate_batch(&h.v, &e, 1, st), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 7, va, false, &gpa), 0);
	cr_assert_eq(gpa, 0x320000, "domain-wide");

	e.scope = VSVA_INV_S_PASID_CACHE;
	e.id = H_EP_SVA;
	e.flags = VSVA_INV_F_ENDPOINT;
	h_map4k(&h, root, va, 0x330000, S1_PTE_RW | S1_PTE_US);
	cr_assert_eq(viommu__invalidate_batch(&h.v, &e, 1, st), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 7, va, false, &gpa), 0);
	cr_assert_eq(gpa, 0x330000, "PASID cache, by endpoint");

	/* Another domain's invalidation does not touch ours. */
	e = (struct virtio_iommu_inv_entry){ .scope = VSVA_INV_S_DOMAIN, .id = 2 };
	h_map4k(&h, root, va, 0x340000, S1_PTE_RW | S1_PTE_US);
	cr_assert_eq(viommu__invalidate_batch(&h.v, &e, 1, st), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 7, va, false, &gpa), 0);
	cr_assert_eq(gpa, 0x330000, "still stale: wrong domain");
}

Test(viommu_ext, invalidate_batch_statuses)
{
	struct {
		struct virtio_iommu_req_invalidate head;
		struct virtio_iommu_inv_entry e[5];
	} __packed req = { .head = { { VIRTIO_IOMMU_T_INVALIDATE }, 5 } };
	u8 out[8 + 4];

	cr_assert_eq(attach_table(H_EP_SVA, 7, 0, FMT, 4, root), 0);
	req.e[0] = (struct virtio_iommu_inv_entry){ .scope = VSVA_INV_S_PASID,
						    .id = 1, .pasid = 7 };
	req.e[1] = (struct virtio_iommu_inv_entry){ .scope = 9, .id = 1 };
	req.e[2] = (struct virtio_iommu_inv_entry){ .scope = VSVA_INV_S_PASID,
						    .id = 42, .pasid = 7 };
	req.e[3] = (struct virtio_iommu_inv_entry){ .scope = VSVA_INV_S_ADDR,
						    .id = 1, .pasid = 7,
						    .addr = 0x1234, .nr_pages = 1 };
	req.e[4] = (struct virtio_iommu_inv_entry){ .scope = VSVA_INV_S_PASID,
						    .id = 1, .pasid = 0 };
	memset(out, 0xee, sizeof(out));
	cr_assert_eq(viommu__request(&h.v, (u8 *)&req, sizeof(req), out,
				     sizeof(out)), 12);
	cr_assert_eq(out[0], VIRTIO_IOMMU_S_OK);
	cr_assert_eq(out[1], VIRTIO_IOMMU_S_INVAL, "unknown scope");
	cr_assert_eq(out[2], VIRTIO_IOMMU_S_NOENT, "unknown domain");
	cr_assert_eq(out[3], VIRTIO_IOMMU_S_INVAL, "misaligned address");
	cr_assert_eq(out[4], VIRTIO_IOMMU_S_RANGE, "PASID 0");
	cr_assert_eq(out[5], 0, "padding");
	cr_assert_eq(out[8], VIRTIO_IOMMU_S_INVAL, "tail: first failure");
	/* Too short for its entries: unwritten. */
	cr_assert_eq(viommu__request(&h.v, (u8 *)&req, 8 + 32, out,
				     sizeof(out)), 0);
	/* Status area too small. */
	cr_assert_eq(viommu__request(&h.v, (u8 *)&req, sizeof(req), out, 8), 0);
	req.head.nr = 0;
	cr_assert_eq(viommu__request(&h.v, (u8 *)&req, sizeof(req), out,
				     sizeof(out)), sizeof(out));
	cr_assert_eq(out[8], VIRTIO_IOMMU_S_RANGE, "nr 0");
}

Test(viommu_ext, detach_table_drops_cached_translations)
{
	u64 va = 0x40000000, gpa;

	h_map4k(&h, root, va, 0x300000, S1_PTE_RW | S1_PTE_US);
	cr_assert_eq(attach_table(H_EP_SVA, 9, 0, FMT, 4, root), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 9, va, true, &gpa), 0);
	cr_assert_eq(detach_table(H_EP_SVA, 9, 0), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 9, va, true, &gpa), -EFAULT,
		     "nothing survives the detach");
	/* Rebinding a different table for the PASID: no stale entries. */
	{
		u64 root2 = h_page(&h);

		h_map4k(&h, root2, va, 0x600000, S1_PTE_RW | S1_PTE_US);
		cr_assert_eq(attach_table(H_EP_SVA, 9, 0, FMT, 4, root2), 0);
		cr_assert_eq(h_dma(&h, H_EP_SVA, 9, va, true, &gpa), 0);
		cr_assert_eq(gpa, 0x600000);
	}
}

Test(viommu_ext, replace_drops_cached_translations)
{
	u64 va = 0x50000000, gpa, root2 = h_page(&h);

	h_map4k(&h, root, va, 0x300000, S1_PTE_RW | S1_PTE_US);
	h_map4k(&h, root2, va, 0x700000, S1_PTE_RW | S1_PTE_US);
	cr_assert_eq(attach_table(H_EP_SVA, 9, 0, FMT, 4, root), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 9, va, false, &gpa), 0);
	cr_assert_eq(attach_table(H_EP_SVA, 9, 0, FMT, 4, root2), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 9, va, false, &gpa), 0);
	cr_assert_eq(gpa, 0x700000);
}

Test(viommu_ext, write_after_read_sets_dirty)
{
	u64 va = 0x60000000, gpa, *pte;
	u64 pml4e, pdpte, pde;

	h_map4k(&h, root, va, 0x300000, S1_PTE_RW | S1_PTE_US);
	cr_assert_eq(attach_table(H_EP_SVA, 9, 0, FMT, 4, root), 0);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 9, va, false, &gpa), 0);
	pml4e = ((u64 *)(h.ram + root))[(va >> 39) & 511] & S1_PTE_ADDR;
	pdpte = ((u64 *)(h.ram + pml4e))[(va >> 30) & 511] & S1_PTE_ADDR;
	pde = ((u64 *)(h.ram + pdpte))[(va >> 21) & 511] & S1_PTE_ADDR;
	pte = (u64 *)(h.ram + pde) + ((va >> 12) & 511);
	cr_assert_eq(*pte & S1_PTE_D, 0);
	cr_assert(*pte & S1_PTE_A);
	cr_assert_eq(h_dma(&h, H_EP_SVA, 9, va, true, &gpa), 0);
	cr_assert(*pte & S1_PTE_D, "write through a read-filled entry sets D");
}
