// SPDX-License-Identifier: GPL-2.0
/*
 * The IOTLB model: what a stage-1 translating IOMMU caches, so that a
 * guest that forgets an invalidation sees a stale translation, as on
 * hardware.  Two caches:
 *  - leaf entries (IOTLB): (endpoint, PASID, page) -> page, permissions;
 *  - non-leaf entries (paging-structure cache): (endpoint, PASID, 2 MiB
 *    region) -> the level-1 table and the permissions above it.
 * An ADDR invalidation with F_LEAF keeps the non-leaf entries; without it,
 * or for every other scope, both go.  Direct-mapped, so an entry can also
 * be evicted by another (as hardware may).  Pure.
 */
#include <string.h>

#include <vsva/viommu.h>

static unsigned int iotlb__hash(u32 ep, u32 pasid, u64 va, unsigned int n)
{
	u64 h = (va >> 12) * 0x9e3779b97f4a7c15ULL;

	h ^= ((u64)ep << 32 | pasid) * 0xc2b2ae3d27d4eb4fULL;
	return (unsigned int)((h >> 32) % n);
}

struct iotlb_entry *iotlb__lookup(struct iotlb *t, u32 ep, u32 pasid, u64 va)
{
	/* Entries may be large pages: probe each size's slot. */
	static const u64 sizes[] = { SZ_4K, SZ_2M, SZ_1G };

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 base = va & ~(sizes[i] - 1);
		struct iotlb_entry *e =
			&t->e[iotlb__hash(ep, pasid, base, IOTLB_ENTRIES)];

		if (e->valid && e->ep == ep && e->pasid == pasid &&
		    e->page_size == sizes[i] && e->va == base)
			return e;
	}
	return NULL;
}

void iotlb__insert(struct iotlb *t, const struct iotlb_entry *e)
{
	t->e[iotlb__hash(e->ep, e->pasid, e->va, IOTLB_ENTRIES)] = *e;
}

struct iotlb_pde *iotlb__lookup_pde(struct iotlb *t, u32 ep, u32 pasid,
				    u64 va)
{
	u64 base = va & ~(SZ_2M - 1);
	struct iotlb_pde *p =
		&t->pde[iotlb__hash(ep, pasid, base, IOTLB_PDE_ENTRIES)];

	if (p->valid && p->ep == ep && p->pasid == pasid && p->va == base)
		return p;
	return NULL;
}

void iotlb__insert_pde(struct iotlb *t, const struct iotlb_pde *p)
{
	t->pde[iotlb__hash(p->ep, p->pasid, p->va, IOTLB_PDE_ENTRIES)] = *p;
}

/* Does an entry tagged (domain, ep, pasid) covering [va, va+size) match? */
static bool iotlb__match(const struct viommu_inval *inv, u32 domain, u32 ep,
			 u32 pasid, u64 va, u64 size)
{
	if (inv->domain != domain)
		return false;
	if (inv->endpoint != VIOMMU_ALL_EPS && inv->endpoint != ep)
		return false;
	if (inv->scope == VSVA_INV_S_DOMAIN)
		return true;
	if (inv->pasid != pasid)
		return false;
	if (inv->scope != VSVA_INV_S_ADDR)
		return true;
	return va < inv->addr + inv->nr_pages * SZ_4K &&
	       va + size > inv->addr;
}

void iotlb__flush(struct iotlb *t, const struct viommu_inval *inv)
{
	bool keep_pde = inv->scope == VSVA_INV_S_ADDR && inv->leaf;

	for (unsigned int i = 0; i < IOTLB_ENTRIES; i++) {
		struct iotlb_entry *e = &t->e[i];

		if (e->valid && iotlb__match(inv, e->domain, e->ep, e->pasid,
					     e->va, e->page_size))
			e->valid = false;
	}
	if (keep_pde)
		return;
	for (unsigned int i = 0; i < IOTLB_PDE_ENTRIES; i++) {
		struct iotlb_pde *p = &t->pde[i];

		if (p->valid && iotlb__match(inv, p->domain, p->ep, p->pasid,
					     p->va, SZ_2M))
			p->valid = false;
	}
}

void iotlb__flush_all(struct iotlb *t)
{
	memset(t, 0, sizeof(*t));
}
