// SPDX-License-Identifier: GPL-2.0
/*
 * The `iommufd` backend: host devices.  Adding one (a selftest mock
 * device, or a VFIO cdev) probes what the host offers it (GET_HW_INFO,
 * VT-d capabilities, a NEST_PARENT HWPT over stage 2) and attaches it to
 * stage 2 (bypass); ep_caps filters its endpoint's PROBE caps by that.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <vsva/backend-iommufd.h>
#include <vsva/log.h>

#include "backend-iommufd-priv.h"

/* --- what the host offers a device --- */

static void be__no_s1(struct iommufd_be_dev *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void be__no_s1(struct iommufd_be_dev *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dev->reason, sizeof(dev->reason), fmt, ap);
	va_end(ap);
	dev->s1 = IOMMUFD_S1_NONE;
	dev->pasid_bits = 0;
	dev->formats = dev->table_flags = 0;
	dev->page_req = false;
}

static void be__caps_vtd(struct iommufd_be_dev *dev,
			 const struct iofd_hw_info_vtd *v)
{
	u64 cap = v->cap_reg, ecap = v->ecap_reg;

	dev->vtd_cap = cap;
	dev->vtd_ecap = ecap;
	if (!VTD_ECAP_SMTS(ecap) || !VTD_ECAP_NEST(ecap) ||
	    !VTD_ECAP_FLTS(ecap)) {
		be__no_s1(dev, "host VT-d lacks nested first-stage translation (ECAP SMTS=%d NEST=%d FLTS=%d)",
			  (int)VTD_ECAP_SMTS(ecap), (int)VTD_ECAP_NEST(ecap),
			  (int)VTD_ECAP_FLTS(ecap));
		return;
	}
	dev->s1 = IOMMUFD_S1_PASID;
	dev->data_type = IOFD_HWPT_DATA_VTD_S1;
	dev->formats = VSVA_S1_FMT_X86_64_4LVL;
	if (VTD_CAP_FL5LP(cap))
		dev->formats |= VSVA_S1_FMT_X86_64_5LVL;
	/* WPE is honoured only with SRE; NXE has no VT-d control. */
	if (VTD_ECAP_SRS(ecap))
		dev->table_flags |= VSVA_TABLE_F_SRE | VSVA_TABLE_F_WPE;
	if (VTD_ECAP_EAFS(ecap))
		dev->table_flags |= VSVA_TABLE_F_EAFE;
	if (dev->hw.max_pasid_log2)
		dev->pasid_bits = dev->hw.max_pasid_log2;
	else if (VTD_ECAP_PASID(ecap))
		dev->pasid_bits = (u8)(VTD_ECAP_PSS(ecap) + 1);
	dev->page_req = VTD_ECAP_PRS(ecap);
	if (!dev->pasid_bits)
		be__no_s1(dev, "host VT-d reports no PASID support (ECAP.PASID)");
}

/* GET_HW_INFO, then a NEST_PARENT HWPT if the type has a format. */
static int be__probe(struct iommufd_be *be, struct iommufd_be_dev *dev)
{
	union {
		struct iofd_hw_info_vtd vtd;
		struct iofd_test_hw_info test;
		u64 raw[16];
	} data;
	struct iommufd_hwpt_args a;
	int ret;

	memset(&data, 0, sizeof(data));
	ret = iommufd_be__ret(be, iommufd__get_hw_info(be->ifd, dev->dev_id, &data,
						       sizeof(data), &dev->hw));
	if (ret) {
		be__no_s1(dev, "IOMMU_GET_HW_INFO (Linux 6.6) failed: %s",
			  strerror(-ret));
		return 0;
	}
	switch (dev->hw.type) {
	case IOFD_HW_INFO_TYPE_SELFTEST:
		/* The mock IOMMU nests and faults but walks nothing: any
		 * table is accepted; 6.12 attaches it to the RID only. */
		dev->s1 = IOMMUFD_S1_RID;
		dev->data_type = IOFD_HWPT_DATA_SELFTEST;
		dev->formats = VSVA_S1_FMT_X86_64_4LVL |
			       VSVA_S1_FMT_X86_64_5LVL;
		dev->table_flags = VSVA_TABLE_F_MASK;
		dev->pasid_bits = 20;
		dev->page_req = true;
		break;
	case IOFD_HW_INFO_TYPE_INTEL_VTD:
		be__caps_vtd(dev, &data.vtd);
		break;
	default:
		be__no_s1(dev, "host IOMMU (hw_info type 0x%x) has no stage-1 format vsva speaks",
			  dev->hw.type);
		break;
	}
	if (dev->s1 == IOMMUFD_S1_NONE)
		return 0;

	a = (struct iommufd_hwpt_args){
		.dev_id = dev->dev_id, .pt_id = be->gpa_ioas,
		.flags = IOFD_HWPT_ALLOC_NEST_PARENT,
	};
	if (dev->s1 == IOMMUFD_S1_PASID)
		a.flags |= IOFD_HWPT_ALLOC_PASID;
	ret = iommufd_be__ret(be, iommufd__hwpt_alloc(be->ifd, &a, &dev->parent));
	if (ret == -EOPNOTSUPP && (a.flags & IOFD_HWPT_ALLOC_PASID)) {
		u32 probe;

		/* Which one is missing: nesting or PASID-capable HWPTs? */
		a.flags &= ~IOFD_HWPT_ALLOC_PASID;
		if (!iommufd_be__ret(be, iommufd__hwpt_alloc(be->ifd, &a, &probe))) {
			iommufd_be__ret(be, iommufd__destroy(be->ifd, probe));
			be__no_s1(dev, "the host kernel has no IOMMU_HWPT_ALLOC_PASID (Linux 6.15): no per-PASID attach");
			return 0;
		}
	}
	if (ret) {
		dev->parent = 0;
		be__no_s1(dev, "the host IOMMU cannot nest (IOMMU_HWPT_ALLOC_NEST_PARENT: %s)",
			  strerror(-ret));
		return 0;
	}
	if (be->fault_fd < 0)
		dev->page_req = false;
	return 0;
}

static struct iommufd_be_dev *be__new_dev(struct iommufd_be *be, u32 ep)
{
	if (iommufd_be__dev_rw(be, ep))
		return NULL;
	for (int i = 0; i < IOMMUFD_BE_MAX_DEVS; i++)
		if (!be->devs[i].used) {
			struct iommufd_be_dev *dev = &be->devs[i];

			memset(dev, 0, sizeof(*dev));
			dev->ep = ep;
			dev->vfio_fd = -1;
			return dev;
		}
	return NULL;
}

/* With the device attached, stage 2 must still cover all guest RAM. */
static int be__check_ranges(struct iommufd_be *be)
{
	struct iofd_iova_range r[16];
	u32 nr = ARRAY_SIZE(r);
	int ret;

	ret = iommufd_be__ret(be, iommufd__ioas_iova_ranges(be->ifd, be->gpa_ioas, r,
							    &nr, NULL));
	if (ret)
		return ret == -EMSGSIZE ? 0 : ret;	/* fragmented: fine */
	for (int i = 0; i < be->mem->nr_regions; i++) {
		const struct guest_mem_region *g = &be->mem->regions[i];
		bool in = false;

		for (u32 j = 0; j < nr && !in; j++)
			in = r[j].start <= g->gpa &&
			     r[j].last >= g->gpa + g->size - 1;
		if (!in) {
			pr_err("iommufd: guest RAM 0x%llx-0x%llx is outside the IOVA ranges the host allows (IOMMU_IOAS_IOVA_RANGES)",
			       (unsigned long long)g->gpa,
			       (unsigned long long)(g->gpa + g->size - 1));
			return -ERANGE;
		}
	}
	return 0;
}

/* Common tail of add: probe, then sit on stage 2 (bypass). */
static int be__add_common(struct iommufd_be *be, struct iommufd_be_dev *dev)
{
	int ret = be__probe(be, dev);

	if (!ret)
		ret = iommufd_be__attach_rid(be, dev, iommufd_be__bypass_pt(be, dev));
	if (!ret)
		ret = be__check_ranges(be);
	if (ret) {
		pr_err("iommufd: endpoint 0x%x: attaching to guest RAM: %s",
		       dev->ep, strerror(-ret));
		return ret;
	}
	dev->dom_pt = dev->rid_pt;
	if (dev->s1 == IOMMUFD_S1_NONE)
		pr_info("iommufd: endpoint 0x%x (dev %u): MAP/UNMAP shadowing only: %s",
			dev->ep, dev->dev_id, dev->reason);
	else
		pr_info("iommufd: endpoint 0x%x (dev %u): nesting, %s attach, %u PASID bits%s",
			dev->ep, dev->dev_id,
			dev->s1 == IOMMUFD_S1_RID ? "RID" : "PASID",
			dev->pasid_bits,
			dev->page_req ? ", page requests" : "");
	return 0;
}

int iommufd_be__add_mock(struct iommufd_be *be, u32 ep)
{
	struct iommufd_be_dev *dev = be__new_dev(be, ep);
	int ret;

	if (!dev)
		return -ENOSPC;
	ret = iommufd_be__ret(be, iommufd__test_mock_domain(be->ifd, be->gpa_ioas,
							    &dev->stdev_id, NULL,
							    &dev->dev_id));
	if (ret) {
		pr_err("iommufd: mock device (IOMMU_TEST_OP_MOCK_DOMAIN): %s%s",
		       strerror(-ret),
		       ret == -ENOTTY ? " (host kernel without CONFIG_IOMMUFD_TEST)" :
		       " (guest RAM must lie inside the mock aperture 0x1000000-0x7fffffff)");
		return ret;
	}
	dev->kind = IOMMUFD_DEV_MOCK;
	dev->used = true;
	dev->rid_pt = be->gpa_ioas;
	ret = be__add_common(be, dev);
	if (ret) {
		iommufd_be__ret(be, iommufd__destroy(be->ifd, dev->stdev_id));
		if (dev->parent)
			iommufd_be__ret(be, iommufd__destroy(be->ifd, dev->parent));
		memset(dev, 0, sizeof(*dev));
	}
	return ret;
}

int iommufd_be__add_vfio(struct iommufd_be *be, u32 ep, int vfio_fd)
{
	struct iommufd_be_dev *dev = be__new_dev(be, ep);
	int ret;

	if (!dev)
		return -ENOSPC;
	ret = iommufd_be__ret(be, iommufd__vfio_bind(be->ifd, vfio_fd, &dev->dev_id));
	if (ret) {
		pr_err("iommufd: VFIO_DEVICE_BIND_IOMMUFD: %s", strerror(-ret));
		return ret;
	}
	dev->kind = IOMMUFD_DEV_VFIO;
	dev->vfio_fd = vfio_fd;
	dev->used = true;
	ret = be__add_common(be, dev);
	if (ret) {
		iommufd_be__ret(be, iommufd__vfio_detach(be->ifd, vfio_fd,
							 IOMMUFD_NO_PASID));
		if (dev->parent)
			iommufd_be__ret(be, iommufd__destroy(be->ifd, dev->parent));
		memset(dev, 0, sizeof(*dev));
	}
	return ret;
}

/* --- ops: capabilities --- */

static void be__strip_s1(struct viommu_ep_caps *caps)
{
	caps->pasid_bits = 0;
	caps->formats = 0;
	caps->table_flags = 0;
	caps->page_req = false;
}

void iommufd_be__ep_caps(void *opaque, struct viommu_endpoint *ep,
			 struct viommu_ep_caps *caps)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dev *dev = iommufd_be__dev_rw(be, ep->id);

	if (!dev) {
		/* Emulated: the host has no stage 1 for it. */
		be__strip_s1(caps);
		return;
	}
	ep->dev_id = dev->dev_id;
	if (dev->s1 == IOMMUFD_S1_NONE) {
		be__strip_s1(caps);
		return;
	}
	caps->pasid_bits = MIN(caps->pasid_bits, dev->pasid_bits);
	caps->formats &= dev->formats;
	caps->table_flags &= dev->table_flags;
	caps->page_req = caps->page_req && dev->page_req;
	if (!caps->pasid_bits || !caps->formats)
		be__strip_s1(caps);
}
