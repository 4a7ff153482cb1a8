/* SPDX-License-Identifier: GPL-2.0 */
/* Shared set-up for the vIOMMU unit tests: a core over a malloc'd guest
 * RAM with the emul backend and a fault log. */
#ifndef VSVA_TEST_VIOMMU_HARNESS_H
#define VSVA_TEST_VIOMMU_HARNESS_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/viommu.h>

#define H_RAM		(16ULL << 20)
#define H_EP_RNG	0x08		/* 00:01.0, no PASID */
#define H_EP_SVA	0x10		/* 00:02.0, PASID capable */

struct harness {
	u8 *ram;
	struct guest_mem mem;
	struct emul_iommu emul;
	struct viommu v;
	struct virtio_iommu_fault faults[64];
	int nr_faults;
	u64 next_page;		/* page allocator for test tables */
};

static void h_fault(void *opaque, const struct virtio_iommu_fault *f)
{
	struct harness *h = opaque;

	if (h->nr_faults < 64)
		h->faults[h->nr_faults] = *f;
	h->nr_faults++;
}

static inline void h_init(struct harness *h, u64 features)
{
	const struct viommu_ep_caps sva = {
		.pasid_bits = 20,
		.formats = VSVA_S1_FMT_X86_64_4LVL | VSVA_S1_FMT_X86_64_5LVL,
		.table_flags = VSVA_TABLE_F_MASK,
		.page_req = true,
		.prq_capacity = 64,
	};

	memset(h, 0, sizeof(*h));
	h->ram = calloc(1, H_RAM);
	guest_mem__layout(&h->mem, h->ram, H_RAM);
	emul_iommu__init(&h->emul, &h->mem);
	viommu__init(&h->v, &h->mem, &emul_iommu_ops, &h->emul);
	h->v.features = features;
	h->v.report_fault = h_fault;
	h->v.fault_opaque = h;
	viommu__add_endpoint(&h->v, H_EP_RNG, NULL, NULL);
	viommu__add_endpoint(&h->v, H_EP_SVA, &sva, NULL);
	h->next_page = 8ULL << 20;	/* tables from 8 MiB up */
}

static inline void h_fini(struct harness *h)
{
	viommu__free(&h->v);
	free(h->ram);
}

static inline u64 h_all_features(void)
{
	return viommu__device_features();
}

/* Page tables for tests: a zeroed page. */
static inline u64 h_page(struct harness *h)
{
	u64 p = h->next_page;

	h->next_page += SZ_4K;
	memset(h->ram + p, 0, SZ_4K);
	return p;
}

/* Map va -> pa (4 KiB) in a 4-level table at root, user + flags. */
static inline void h_map4k(struct harness *h, u64 root, u64 va, u64 pa,
			   u64 flags)
{
	u64 table = root;

	for (int level = 4; level > 1; level--) {
		u64 *e = (u64 *)(h->ram + table) + ((va >> (12 + 9 * (level - 1))) & 511);

		if (!(*e & S1_PTE_P))
			*e = h_page(h) | S1_PTE_P | S1_PTE_RW | S1_PTE_US;
		table = *e & S1_PTE_ADDR;
	}
	((u64 *)(h->ram + table))[(va >> 12) & 511] = pa | S1_PTE_P | flags;
}

static inline int h_dma(struct harness *h, u32 ep, u32 pasid, u64 addr,
			bool write, u64 *gpa)
{
	struct viommu_access a = { .addr = addr, .write = write,
				   .pasid = pasid };
	struct viommu_xlate x;
	int ret = viommu__translate(&h->v, viommu__find_endpoint(&h->v, ep),
				    &a, &x);

	if (!ret && gpa)
		*gpa = x.gpa;
	return ret;
}

#endif
