// SPDX-License-Identifier: GPL-2.0
/*
 * DMA translation for devices behind the vIOMMU, done in software: bypass,
 * MAP/UNMAP mappings for untagged DMA, and for PASID-tagged DMA the
 * endpoint's stage-1 table through the IOTLB model, then stage 2 (guest
 * RAM).  Faults go to the eventq.  Pure, apart from the fault callback.
 */
#include <errno.h>
#include <string.h>

#include <vsva/viommu.h>

void viommu__fault(struct viommu *v, struct viommu_endpoint *ep,
		   const struct viommu_access *a, u8 reason)
{
	struct virtio_iommu_fault f = {
		.reason = reason,
		.endpoint = ep ? ep->id : 0,
		.address = a->addr,
		.flags = VIRTIO_IOMMU_FAULT_F_ADDRESS,
	};

	f.flags |= a->write ? VIRTIO_IOMMU_FAULT_F_WRITE :
			      VIRTIO_IOMMU_FAULT_F_READ;
	if (a->exec)
		f.flags |= VIRTIO_IOMMU_FAULT_F_EXEC;
	if (viommu__has(v, VIRTIO_IOMMU_F_VSVA_TABLE)) {
		if (a->pasid != VIOMMU_NO_PASID) {
			f.flags |= VSVA_FAULT_F_PASID;
			f.pasid = a->pasid;
		}
	} else if (reason >= VSVA_FAULT_R_PASID_UNBOUND) {
		/* The guest does not know the extension's reasons. */
		f.reason = VIRTIO_IOMMU_FAULT_R_MAPPING;
	}
	v->counters.faults++;
	if (v->report_fault)
		v->report_fault(v->fault_opaque, &f);
}

int viommu__translate(struct viommu *v, struct viommu_endpoint *ep,
		      const struct viommu_access *a, struct viommu_xlate *x)
{
	struct viommu_domain *d = ep->domain;
	const struct viommu_mapping *m;
	struct viommu_pasid *p;
	int ret;

	memset(x, 0, sizeof(*x));
	if (!d) {
		if (v->bypass && a->pasid == VIOMMU_NO_PASID)
			goto identity;
		x->reason = VIRTIO_IOMMU_FAULT_R_DOMAIN;
		goto fault;
	}
	if (d->bypass) {
		if (a->pasid == VIOMMU_NO_PASID)
			goto identity;
		x->reason = VSVA_FAULT_R_PASID_UNBOUND;
		goto fault;
	}
	if (a->pasid != VIOMMU_NO_PASID) {
		p = viommu__pasid(ep, a->pasid);
		if (!p || p->state != VIOMMU_PASID_BOUND) {
			x->reason = VSVA_FAULT_R_PASID_UNBOUND;
			goto fault;
		}
		if (!v->be || !v->be->translate) {
			x->reason = VIRTIO_IOMMU_FAULT_R_UNKNOWN;
			goto fault;
		}
		ret = v->be->translate(v->be_priv, ep, p, a, x);
		if (ret)
			goto fault;
		return 0;
	}
	m = mappings__find(d, a->addr);
	if (!m || (a->write && !(m->flags & VIRTIO_IOMMU_MAP_F_WRITE)) ||
	    (!a->write && !(m->flags & VIRTIO_IOMMU_MAP_F_READ))) {
		x->reason = VIRTIO_IOMMU_FAULT_R_MAPPING;
		goto fault;
	}
	x->gpa = m->phys + (a->addr - m->virt_start);
	x->contig = m->virt_end - a->addr + 1;
	if (!x->contig)		/* the mapping ends at 2^64 - 1 */
		x->contig = ~0ULL;
	return 0;

identity:
	x->gpa = a->addr;
	x->contig = ~0ULL - a->addr + 1;
	if (!x->contig)
		x->contig = ~0ULL;
	return 0;
fault:
	if (!(a->prq && ep->caps.page_req &&
	      viommu__fault_recoverable(x->s1)))
		viommu__fault(v, ep, a, x->reason);
	return -EFAULT;
}
