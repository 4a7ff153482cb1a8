// SPDX-License-Identifier: GPL-2.0
/*
 * The `iommufd` backend: stage-1 tables.  Per (endpoint, PASID) a nested
 * HWPT on the device's parent, attached to the PASID or to the RID,
 * replaced atomically, detached; and what that did to the device's
 * outstanding page requests (iommufd_be__drain).
 */
#include <errno.h>
#include <string.h>

#include <vsva/backend-iommufd.h>
#include <vsva/log.h>

#include "backend-iommufd-priv.h"

/* --- PASID slots and what the host did with page requests --- */

u32 iommufd_be__mock_iotlb(const struct s1_desc *d)
{
	return (u32)(d->root_gpa >> 12) ^ ((u32)d->levels << 28) ^ 1U;
}

static struct iommufd_be_pasid *be__pasid(struct iommufd_be_dev *dev,
					  u32 pasid)
{
	for (int i = 0; i < VIOMMU_MAX_PASIDS; i++)
		if (dev->pasids[i].hwpt && dev->pasids[i].pasid == pasid)
			return &dev->pasids[i];
	return NULL;
}

int iommufd_be__nr_tables(const struct iommufd_be_dev *dev)
{
	int n = 0;

	for (int i = 0; i < VIOMMU_MAX_PASIDS; i++)
		n += dev->pasids[i].hwpt != 0;
	return n;
}

u32 iommufd_be__nested_hwpt(const struct iommufd_be *be, u32 ep, u32 pasid)
{
	struct iommufd_be_dev *dev = iommufd_be__dev_rw((struct iommufd_be *)be, ep);
	struct iommufd_be_pasid *p = dev ? be__pasid(dev, pasid) : NULL;

	return p ? p->hwpt : 0;
}

void iommufd_be__drain(const struct iommufd_be *be, u32 ep,
		       struct iommufd_be_drain *d)
{
	const struct iommufd_be_dev *dev = iommufd_be__dev(be, ep);

	if (dev) {
		*d = dev->drain;
	} else {
		d->kind = IOMMUFD_DRAIN_NONE;
		d->pasid = PRQ_ALL_PASIDS;
	}
}

/* --- ops: stage-1 tables --- */

int iommufd_be__attach_table(void *opaque, struct viommu_endpoint *ep,
			     u32 pasid, const struct s1_desc *desc,
			     bool replace)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dev *dev = iommufd_be__dev_rw(be, ep->id);
	struct iommufd_be_pasid *slot;
	struct iofd_hwpt_selftest st;
	struct iofd_hwpt_vtd_s1 vtd;
	struct iommufd_hwpt_args a;
	u32 hwpt, old, id;
	int ret;

	if (!dev)
		return -EOPNOTSUPP;
	dev->drain = (struct iommufd_be_drain){ IOMMUFD_DRAIN_NONE, pasid };
	if (dev->s1 == IOMMUFD_S1_NONE) {
		be->stats.refused_s1++;
		if (!dev->reason_logged)
			pr_warn("iommufd: endpoint 0x%x: stage-1 tables refused: %s",
				ep->id, dev->reason);
		dev->reason_logged = true;
		return -EOPNOTSUPP;
	}
	slot = be__pasid(dev, pasid);
	if (!!slot != replace)
		return -EINVAL;
	if (!slot && dev->s1 == IOMMUFD_S1_RID && iommufd_be__nr_tables(dev)) {
		pr_warn("iommufd: endpoint 0x%x: one PASID table at a time (the host attaches tables to the RID only)",
			ep->id);
		return -EBUSY;
	}
	if (!slot) {
		for (int i = 0; i < VIOMMU_MAX_PASIDS && !slot; i++)
			if (!dev->pasids[i].hwpt)
				slot = &dev->pasids[i];
		if (!slot)
			return -ENOSPC;
	}

	a = (struct iommufd_hwpt_args){
		.dev_id = dev->dev_id, .pt_id = dev->parent,
		.data_type = dev->data_type,
	};
	if (dev->data_type == IOFD_HWPT_DATA_SELFTEST) {
		st.iotlb = iommufd_be__mock_iotlb(desc);
		a.data = &st;
		a.data_len = sizeof(st);
	} else {
		memset(&vtd, 0, sizeof(vtd));
		vtd.pgtbl_addr = desc->root_gpa;
		vtd.addr_width = desc->levels == 5 ? 57 : 48;
		if (desc->flags & S1_F_SRE)
			vtd.flags |= IOFD_VTD_S1_SRE;
		if (desc->flags & S1_F_WPE)
			vtd.flags |= IOFD_VTD_S1_WPE;
		if (desc->flags & S1_F_EAFE)
			vtd.flags |= IOFD_VTD_S1_EAFE;
		a.data = &vtd;
		a.data_len = sizeof(vtd);
	}
	if (dev->page_req && be->fault_fd >= 0) {
		a.flags |= IOFD_HWPT_FAULT_ID_VALID;
		a.fault_id = be->fault_id;
	}
	if (dev->s1 == IOMMUFD_S1_PASID)
		a.flags |= IOFD_HWPT_ALLOC_PASID;
	ret = iommufd_be__ret(be, iommufd__hwpt_alloc(be->ifd, &a, &hwpt));
	if (ret) {
		pr_warn("iommufd: endpoint 0x%x PASID %u: nested HWPT (IOMMU_HWPT_ALLOC): %s",
			ep->id, pasid, strerror(-ret));
		return ret;
	}
	/* Attach, atomically replacing the old table if there is one. */
	if (dev->s1 == IOMMUFD_S1_RID) {
		ret = iommufd_be__attach_rid(be, dev, hwpt);
	} else {
		id = hwpt;
		ret = iommufd_be__ret(be, iommufd__vfio_attach(be->ifd, dev->vfio_fd,
							       pasid, &id));
	}
	if (ret) {
		pr_warn("iommufd: endpoint 0x%x PASID %u: attaching its table: %s",
			ep->id, pasid, strerror(-ret));
		iommufd_be__ret(be, iommufd__destroy(be->ifd, hwpt));
		return ret;
	}
	old = slot->hwpt;
	slot->pasid = pasid;
	slot->hwpt = hwpt;
	if (replace) {
		/* The host answered the old table's page requests: all of
		 * the device's when tables sit on the RID. */
		iommufd_be__ret(be, iommufd__destroy(be->ifd, old));
		be->stats.replaces++;
		dev->drain = (struct iommufd_be_drain){
			IOMMUFD_DRAIN_HOST_ANSWERED,
			dev->s1 == IOMMUFD_S1_RID ? PRQ_ALL_PASIDS : pasid,
		};
	} else {
		be->stats.tables_bound++;
	}
	return 0;
}

void iommufd_be__detach_table(void *opaque, struct viommu_endpoint *ep,
			      u32 pasid)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dev *dev = iommufd_be__dev_rw(be, ep->id);
	struct iommufd_be_pasid *slot = dev ? be__pasid(dev, pasid) : NULL;
	int ret;

	if (!slot) {
		if (dev)
			dev->drain = (struct iommufd_be_drain){
				IOMMUFD_DRAIN_NONE, pasid };
		return;
	}
	if (dev->s1 == IOMMUFD_S1_RID)
		ret = iommufd_be__attach_rid(be, dev, dev->dom_pt);
	else
		ret = iommufd_be__ret(be, iommufd__vfio_detach(be->ifd, dev->vfio_fd,
							       pasid));
	dev->drain = (struct iommufd_be_drain){
		IOMMUFD_DRAIN_HOST_ANSWERED,
		dev->s1 == IOMMUFD_S1_RID ? PRQ_ALL_PASIDS : pasid,
	};
	if (ret) {
		/* Still attached: its requests are live, vsva answers. */
		pr_err("iommufd: endpoint 0x%x PASID %u: detach failed: %s",
		       ep->id, pasid, strerror(-ret));
		dev->drain.kind = IOMMUFD_DRAIN_VSVA_ANSWERS;
	}
	iommufd_be__ret(be, iommufd__destroy(be->ifd, slot->hwpt));
	memset(slot, 0, sizeof(*slot));
	be->stats.detaches++;
}
