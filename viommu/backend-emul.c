// SPDX-License-Identifier: GPL-2.0
/*
 * The `emul` host backend: an in-process model of a nesting host IOMMU.
 * Stage 2 is guest RAM itself; stage 1 is the guest's x86-64 table, walked
 * by s1__walk() and cached in the IOTLB model (leaf and paging-structure
 * entries), so a guest that skips an invalidation reads stale
 * translations exactly as it would on hardware.
 */
#include <errno.h>
#include <string.h>

#include <vsva/emul-fq.h>
#include <vsva/viommu.h>

void emul_iommu__init(struct emul_iommu *e, const struct guest_mem *mem)
{
	memset(e, 0, sizeof(*e));
	e->mem = mem;
}

/* x86 first-stage permission check on permissions combined over levels. */
static enum s1_fault emul__check(const struct s1_desc *d,
				 const struct viommu_access *a, bool writable,
				 bool user, bool nx)
{
	if (a->priv && !(d->flags & S1_F_SRE))
		return S1_FAULT_SUPERVISOR;
	if (!a->priv && !user)
		return S1_FAULT_USER;
	if (a->write && !writable && (!a->priv || (d->flags & S1_F_WPE)))
		return S1_FAULT_WRITE;
	if (a->exec && nx)
		return S1_FAULT_EXEC;
	return S1_OK;
}

/*
 * A walk that starts from a cached non-leaf entry: only the PTE is read,
 * from the level-1 table the cache remembers (stale if the guest changed
 * an upper level without invalidating it).
 */
static int emul__walk_from_pde(struct emul_iommu *e, const struct s1_desc *d,
			       const struct iotlb_pde *pde,
			       const struct viommu_access *a,
			       struct s1_result *r)
{
	u64 pte_gpa = pde->pt_gpa + 8 * ((a->addr >> 12) & 511);
	u64 *ptep = guest_mem__ptr(e->mem, pte_gpa, 8);
	u64 pte, set;

	memset(r, 0, sizeof(*r));
	r->level = 1;
	r->pte_gpa = pte_gpa;
	r->table_gpa = pde->pt_gpa;
	r->upper_writable = pde->writable;
	r->upper_user = pde->user;
	r->upper_nx = pde->nx;
	if (!ptep) {
		r->fault = S1_FAULT_TABLE_ADDR;
		return -EFAULT;
	}
	for (int tries = 0; tries < 8; tries++) {
		pte = __atomic_load_n(ptep, __ATOMIC_ACQUIRE);
		if (!(pte & S1_PTE_P)) {
			r->fault = S1_FAULT_NOT_PRESENT;
			return -EFAULT;
		}
		r->writable = pde->writable && (pte & S1_PTE_RW);
		r->user = pde->user && (pte & S1_PTE_US);
		r->nx = pde->nx || ((d->flags & S1_F_NXE) && (pte & S1_PTE_XD));
		r->fault = emul__check(d, a, r->writable, r->user, r->nx);
		if (r->fault)
			return -EFAULT;
		r->gpa = (pte & S1_PTE_ADDR) | (a->addr & 0xfff);
		r->page_size = SZ_4K;
		if (!guest_mem__ptr(e->mem, r->gpa, 1)) {
			r->fault = S1_FAULT_OUTPUT_ADDR;
			return -EFAULT;
		}
		if (!(d->flags & S1_F_AD))
			return 0;
		/* Set A/D against the value checked, as the walker does: a
		 * racing guest edit makes us look again. */
		set = pte | S1_PTE_A | (a->write ? S1_PTE_D : 0) |
		      ((d->flags & S1_F_EAFE) ? S1_PTE_EA : 0);
		if (set == pte ||
		    __atomic_compare_exchange_n(ptep, &pte, set, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return 0;
	}
	r->fault = S1_FAULT_RACE;
	return -EAGAIN;
}

static u8 emul__reason(enum s1_fault f)
{
	switch (f) {
	case S1_FAULT_TABLE_ADDR:
	case S1_FAULT_BAD_ROOT:
	case S1_FAULT_OUTPUT_ADDR:
		return VSVA_FAULT_R_S1_TABLE;
	case S1_FAULT_NON_CANONICAL:
		return VSVA_FAULT_R_S1_CANONICAL;
	case S1_FAULT_RESERVED:
		return VSVA_FAULT_R_S1_PERM;
	default:
		return VIRTIO_IOMMU_FAULT_R_MAPPING;
	}
}

static int emul__translate(void *be, struct viommu_endpoint *ep,
			   const struct viommu_pasid *p,
			   const struct viommu_access *a,
			   struct viommu_xlate *x)
{
	struct emul_iommu *e = be;
	const struct s1_desc *d = &p->desc;
	struct s1_access sa = { a->addr, a->write, a->exec, a->priv };
	u32 dom = ep->domain ? ep->domain->id : 0;
	struct iotlb_entry *te;
	struct iotlb_pde *pde;
	struct s1_result r;
	int ret;

	te = iotlb__lookup(&e->iotlb, ep->id, p->pasid, a->addr);
	/* A write through an entry filled by a read must set D: re-walk. */
	if (te && (!a->write || te->dirty) &&
	    !emul__check(d, a, te->writable, te->user, te->nx)) {
		e->iotlb_hits++;
		x->gpa = te->gpa + (a->addr & (te->page_size - 1));
		x->contig = te->page_size - (a->addr & (te->page_size - 1));
		return 0;
	}
	/* Hardware re-walks before faulting on cached permissions. */
	e->iotlb_misses++;
	pde = iotlb__lookup_pde(&e->iotlb, ep->id, p->pasid, a->addr);
	if (pde) {
		e->pde_hits++;
		ret = emul__walk_from_pde(e, d, pde, a, &r);
	} else {
		ret = s1__walk(e->mem, d, &sa, &r);
	}
	if (ret) {
		x->s1 = r.fault;
		x->reason = emul__reason(r.fault);
		return ret;
	}
	iotlb__insert(&e->iotlb, &(struct iotlb_entry){
		.valid = true, .domain = dom, .ep = ep->id, .pasid = p->pasid,
		.va = a->addr & ~(r.page_size - 1), .page_size = r.page_size,
		.gpa = r.gpa & ~(r.page_size - 1), .writable = r.writable,
		.user = r.user, .nx = r.nx, .dirty = a->write,
	});
	if (!pde && r.level == 1)
		iotlb__insert_pde(&e->iotlb, &(struct iotlb_pde){
			.valid = true, .domain = dom, .ep = ep->id,
			.pasid = p->pasid, .va = a->addr & ~(SZ_2M - 1),
			.pt_gpa = r.table_gpa, .writable = r.upper_writable,
			.user = r.upper_user, .nx = r.upper_nx,
		});
	x->gpa = r.gpa;
	x->contig = r.page_size - (a->addr & (r.page_size - 1));
	return 0;
}

static void emul__invalidate(void *be, const struct viommu_inval *inv, int nr,
			     int *err)
{
	struct emul_iommu *e = be;

	for (int i = 0; i < nr; i++) {
		iotlb__flush(&e->iotlb, &inv[i]);
		err[i] = 0;
		e->invalidations++;
	}
}

static int emul__attach_table(void *be, struct viommu_endpoint *ep, u32 pasid,
			      const struct s1_desc *desc, bool replace)
{
	struct emul_iommu *e = be;

	/* The walker checks the root on every miss; nothing to install.
	 * A replaced table takes its outstanding requests with it: the
	 * fault queue answers them INVALID, as the kernel does. */
	if (!replace)
		e->tables_bound++;
	if (e->fq && ep->dev_id) {
		if (replace)
			emul_fq__detach(e->fq, ep->dev_id, pasid);
		emul_fq__attach(e->fq, ep->dev_id, pasid);
	}
	return 0;
}

static void emul__detach_table(void *be, struct viommu_endpoint *ep, u32 pasid)
{
	struct emul_iommu *e = be;

	e->tables_bound--;
	if (e->fq && ep->dev_id)
		emul_fq__detach(e->fq, ep->dev_id, pasid);
}

static void emul__ep_caps(void *be, struct viommu_endpoint *ep,
			  struct viommu_ep_caps *caps)
{
	/* The model walks 4- and 5-level tables with every flag. */
	if (caps->pasid_bits) {
		caps->formats &= VSVA_S1_FMT_X86_64_4LVL |
				 VSVA_S1_FMT_X86_64_5LVL;
		caps->table_flags &= VSVA_TABLE_F_MASK;
	}
}

const struct viommu_backend_ops emul_iommu_ops = {
	.name = "emul",
	.ep_caps = emul__ep_caps,
	.attach_table = emul__attach_table,
	.detach_table = emul__detach_table,
	.invalidate = emul__invalidate,
	.translate = emul__translate,
};
