// SPDX-License-Identifier: GPL-2.0
/*
 * The `iommufd` host backend: see include/vsva/backend-iommufd.h.  Every
 * host call goes through viommu/iommufd.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vsva/backend-iommufd.h>
#include <vsva/log.h>

/* Count a host call. */
static int be__ret(struct iommufd_be *be, int ret)
{
	be->stats.ioctls++;
	if (ret)
		be->stats.errors++;
	return ret;
}

static struct iommufd_be_dev *be__dev(struct iommufd_be *be, u32 ep)
{
	for (int i = 0; i < IOMMUFD_BE_MAX_DEVS; i++)
		if (be->devs[i].used && be->devs[i].ep == ep)
			return &be->devs[i];
	return NULL;
}

const struct iommufd_be_dev *iommufd_be__dev(const struct iommufd_be *be,
					     u32 ep)
{
	return be__dev((struct iommufd_be *)be, ep);
}

int iommufd_be__fault_fd(const struct iommufd_be *be)
{
	return be->fault_fd;
}

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

static int be__nr_tables(const struct iommufd_be_dev *dev)
{
	int n = 0;

	for (int i = 0; i < VIOMMU_MAX_PASIDS; i++)
		n += dev->pasids[i].hwpt != 0;
	return n;
}

u32 iommufd_be__nested_hwpt(const struct iommufd_be *be, u32 ep, u32 pasid)
{
	struct iommufd_be_dev *dev = be__dev((struct iommufd_be *)be, ep);
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

/* --- set-up and teardown --- */

int iommufd_be__init(struct iommufd_be *be, struct iommufd *ifd,
		     const struct guest_mem *mem)
{
	int ret;

	memset(be, 0, sizeof(*be));
	be->ifd = ifd;
	be->mem = mem;
	be->fault_fd = -1;
	ret = be__ret(be, iommufd__ioas_alloc(ifd, &be->gpa_ioas));
	if (ret) {
		pr_err("iommufd: IOMMU_IOAS_ALLOC: %s", strerror(-ret));
		goto err;
	}
	for (int i = 0; i < mem->nr_regions; i++) {
		const struct guest_mem_region *r = &mem->regions[i];

		ret = be__ret(be, iommufd__ioas_map(ifd, be->gpa_ioas, r->gpa,
						    r->hva, r->size,
						    IOFD_IOAS_MAP_READABLE |
						    IOFD_IOAS_MAP_WRITEABLE));
		if (ret) {
			pr_err("iommufd: mapping guest RAM 0x%llx-0x%llx (IOMMU_IOAS_MAP): %s",
			       (unsigned long long)r->gpa,
			       (unsigned long long)(r->gpa + r->size - 1),
			       strerror(-ret));
			goto err;
		}
	}
	ret = be__ret(be, iommufd__ioas_alloc(ifd, &be->blocked_ioas));
	if (ret) {
		pr_err("iommufd: IOMMU_IOAS_ALLOC: %s", strerror(-ret));
		goto err;
	}
	ret = be__ret(be, iommufd__fault_queue_alloc(ifd, &be->fault_id,
						     &be->fault_fd));
	if (ret) {
		be->fault_fd = -1;
		snprintf(be->fault_reason, sizeof(be->fault_reason),
			 "the host kernel has no IOMMU_FAULT_QUEUE_ALLOC (Linux 6.11): %s",
			 strerror(-ret));
		pr_warn("iommufd: no page requests: %s", be->fault_reason);
	}
	return 0;
err:
	iommufd_be__destroy(be);
	return ret;
}

/* Attach the device's RID to @pt (IOAS or HWPT): attach or replace. */
static int be__attach_rid(struct iommufd_be *be, struct iommufd_be_dev *dev,
			  u32 pt)
{
	u32 id = pt;
	int ret;

	if (dev->kind == IOMMUFD_DEV_MOCK)
		ret = iommufd__test_mock_replace(be->ifd, dev->stdev_id, &id);
	else
		ret = iommufd__vfio_attach(be->ifd, dev->vfio_fd,
					   IOMMUFD_NO_PASID, &id);
	if (!be__ret(be, ret))
		dev->rid_pt = pt;
	return ret;
}

static u32 be__bypass_pt(const struct iommufd_be *be,
			 const struct iommufd_be_dev *dev)
{
	return dev->parent ? dev->parent : be->gpa_ioas;
}

int iommufd_be__destroy(struct iommufd_be *be)
{
	int fails = 0;

#define BE_TRY(expr)	do { if (be__ret(be, (expr))) fails++; } while (0)
	for (int i = 0; i < IOMMUFD_BE_MAX_DEVS; i++) {
		struct iommufd_be_dev *dev = &be->devs[i];

		if (!dev->used)
			continue;
		/* Nothing may still be attached to what goes. */
		for (int j = 0; j < VIOMMU_MAX_PASIDS; j++)
			if (dev->pasids[j].hwpt && dev->s1 == IOMMUFD_S1_PASID)
				BE_TRY(iommufd__vfio_detach(be->ifd,
							    dev->vfio_fd,
							    dev->pasids[j].pasid));
		if (dev->kind == IOMMUFD_DEV_MOCK) {
			if (dev->rid_pt != be->blocked_ioas)
				BE_TRY(be__attach_rid(be, dev,
						      be->blocked_ioas));
		} else {
			BE_TRY(iommufd__vfio_detach(be->ifd, dev->vfio_fd,
						    IOMMUFD_NO_PASID));
		}
		for (int j = 0; j < VIOMMU_MAX_PASIDS; j++)
			if (dev->pasids[j].hwpt)
				BE_TRY(iommufd__destroy(be->ifd,
							dev->pasids[j].hwpt));
		if (dev->parent)
			BE_TRY(iommufd__destroy(be->ifd, dev->parent));
		/* The selftest object unbinds and frees the mock device. */
		if (dev->kind == IOMMUFD_DEV_MOCK)
			BE_TRY(iommufd__destroy(be->ifd, dev->stdev_id));
		memset(dev, 0, sizeof(*dev));
	}
	for (int i = 0; i < IOMMUFD_BE_MAX_DOMS; i++) {
		if (be->doms[i].id && be->doms[i].ioas)
			BE_TRY(iommufd__destroy(be->ifd, be->doms[i].ioas));
		memset(&be->doms[i], 0, sizeof(be->doms[i]));
	}
	if (be->blocked_ioas)
		BE_TRY(iommufd__destroy(be->ifd, be->blocked_ioas));
	if (be->gpa_ioas)
		BE_TRY(iommufd__destroy(be->ifd, be->gpa_ioas));
	be->blocked_ioas = be->gpa_ioas = 0;
	/* The fault object goes once its FD is closed and no HWPT uses it. */
	if (be->fault_fd >= 0)
		close(be->fault_fd);
	be->fault_fd = -1;
	if (be->fault_id)
		BE_TRY(iommufd__destroy(be->ifd, be->fault_id));
	be->fault_id = 0;
#undef BE_TRY
	if (fails)
		pr_warn("iommufd: %d host calls failed in teardown", fails);
	return fails;
}

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
	ret = be__ret(be, iommufd__get_hw_info(be->ifd, dev->dev_id, &data,
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
	ret = be__ret(be, iommufd__hwpt_alloc(be->ifd, &a, &dev->parent));
	if (ret == -EOPNOTSUPP && (a.flags & IOFD_HWPT_ALLOC_PASID)) {
		u32 probe;

		/* Which one is missing: nesting or PASID-capable HWPTs? */
		a.flags &= ~IOFD_HWPT_ALLOC_PASID;
		if (!be__ret(be, iommufd__hwpt_alloc(be->ifd, &a, &probe))) {
			be__ret(be, iommufd__destroy(be->ifd, probe));
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
	if (be__dev(be, ep))
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

	ret = be__ret(be, iommufd__ioas_iova_ranges(be->ifd, be->gpa_ioas, r,
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
		ret = be__attach_rid(be, dev, be__bypass_pt(be, dev));
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
	ret = be__ret(be, iommufd__test_mock_domain(be->ifd, be->gpa_ioas,
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
		be__ret(be, iommufd__destroy(be->ifd, dev->stdev_id));
		if (dev->parent)
			be__ret(be, iommufd__destroy(be->ifd, dev->parent));
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
	ret = be__ret(be, iommufd__vfio_bind(be->ifd, vfio_fd, &dev->dev_id));
	if (ret) {
		pr_err("iommufd: VFIO_DEVICE_BIND_IOMMUFD: %s", strerror(-ret));
		return ret;
	}
	dev->kind = IOMMUFD_DEV_VFIO;
	dev->vfio_fd = vfio_fd;
	dev->used = true;
	ret = be__add_common(be, dev);
	if (ret) {
		be__ret(be, iommufd__vfio_detach(be->ifd, vfio_fd,
						 IOMMUFD_NO_PASID));
		if (dev->parent)
			be__ret(be, iommufd__destroy(be->ifd, dev->parent));
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

static void be__ep_caps(void *opaque, struct viommu_endpoint *ep,
			struct viommu_ep_caps *caps)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dev *dev = be__dev(be, ep->id);

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

/* --- ops: domains (MAP/UNMAP shadowing) --- */

static struct iommufd_be_dom *be__dom(struct iommufd_be *be, u32 id)
{
	for (int i = 0; i < IOMMUFD_BE_MAX_DOMS; i++)
		if (be->doms[i].id == id)
			return &be->doms[i];
	return NULL;
}

static int be__map_one(struct iommufd_be *be, u32 ioas,
		       const struct viommu_mapping *m)
{
	u64 size = m->virt_end - m->virt_start + 1;
	u32 flags = 0;
	void *va;

	if (m->flags & VIRTIO_IOMMU_MAP_F_MMIO) {
		/* A peer device's BAR: not shadowed.  (The MSI window is
		 * reserved, the core refuses it; the host remaps MSIs.) */
		pr_warn("iommufd: MMIO mapping 0x%llx-0x%llx not shadowed",
			(unsigned long long)m->virt_start,
			(unsigned long long)m->virt_end);
		return -EOPNOTSUPP;
	}
	if (m->flags & VIRTIO_IOMMU_MAP_F_READ)
		flags |= IOFD_IOAS_MAP_READABLE;
	if (m->flags & VIRTIO_IOMMU_MAP_F_WRITE)
		flags |= IOFD_IOAS_MAP_WRITEABLE;
	if (!flags)
		return 0;	/* no access: nothing to map */
	va = guest_mem__ptr(be->mem, m->phys, size);
	if (!va)
		return -EFAULT;
	be->stats.maps++;
	return be__ret(be, iommufd__ioas_map(be->ifd, ioas, m->virt_start, va,
					     size, flags));
}

/* The shadow IOAS of @d, made (with @d's mappings) on first use. */
static struct iommufd_be_dom *be__dom_get(struct iommufd_be *be,
					  const struct viommu_domain *d,
					  int *err)
{
	struct iommufd_be_dom *bd = be__dom(be, d->id);
	int ret;

	*err = 0;
	if (bd)
		return bd;
	bd = be__dom(be, 0);
	if (!bd) {
		*err = -ENOSPC;
		return NULL;
	}
	ret = be__ret(be, iommufd__ioas_alloc(be->ifd, &bd->ioas));
	if (ret) {
		*err = ret;
		return NULL;
	}
	bd->id = d->id;
	bd->users = 0;
	for (u32 i = 0; i < d->nr_maps; i++) {
		/* MMIO mappings made before a host device joined stay the
		 * emulated devices' (be__map_one refuses new ones). */
		if (d->maps[i].flags & VIRTIO_IOMMU_MAP_F_MMIO)
			continue;
		ret = be__map_one(be, bd->ioas, &d->maps[i]);
		if (ret) {
			be__ret(be, iommufd__destroy(be->ifd, bd->ioas));
			memset(bd, 0, sizeof(*bd));
			*err = ret;
			return NULL;
		}
	}
	return bd;
}

static void be__dom_put(struct iommufd_be *be, u32 id)
{
	struct iommufd_be_dom *bd = be__dom(be, id);

	if (!bd || !id || --bd->users > 0)
		return;
	be__ret(be, iommufd__destroy(be->ifd, bd->ioas));
	memset(bd, 0, sizeof(*bd));
}

static int be__attach(void *opaque, struct viommu_endpoint *ep,
		      struct viommu_domain *d)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dev *dev = be__dev(be, ep->id);
	struct iommufd_be_dom *bd = NULL;
	u32 pt;
	int ret;

	if (!dev)
		return 0;
	if (be__nr_tables(dev))
		return -EBUSY;
	if (d->bypass) {
		pt = be__bypass_pt(be, dev);
	} else {
		bd = be__dom_get(be, d, &ret);
		if (!bd)
			return ret;
		pt = bd->ioas;
	}
	ret = be__attach_rid(be, dev, pt);
	if (ret) {
		if (bd && !bd->users) {
			bd->users = 1;
			be__dom_put(be, bd->id);
		}
		return ret;
	}
	if (bd)
		bd->users++;
	/* The core detaches the old domain after this (be__detach). */
	dev->dom = d->id;
	dev->dom_pt = pt;
	return 0;
}

static void be__detach(void *opaque, struct viommu_endpoint *ep,
		       struct viommu_domain *d)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dev *dev = be__dev(be, ep->id);

	if (!dev)
		return;
	if (dev->dom == d->id) {
		/* Really leaving: DMA blocked until the next attach. */
		if (be__attach_rid(be, dev, be->blocked_ioas))
			pr_err("iommufd: endpoint 0x%x: detach failed", ep->id);
		dev->dom = 0;
		dev->dom_pt = be->blocked_ioas;
	}
	if (!d->bypass)
		be__dom_put(be, d->id);
}

static int be__map(void *opaque, struct viommu_domain *d,
		   const struct viommu_mapping *m)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dom *bd = be__dom(be, d->id);

	return bd && d->id ? be__map_one(be, bd->ioas, m) : 0;
}

static int be__unmap(void *opaque, struct viommu_domain *d,
		     const struct viommu_mapping *m)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dom *bd = be__dom(be, d->id);

	if (!bd || !d->id)
		return 0;
	be->stats.unmaps++;
	return be__ret(be, iommufd__ioas_unmap(be->ifd, bd->ioas,
					       m->virt_start,
					       m->virt_end - m->virt_start + 1,
					       NULL));
}

/* --- ops: stage-1 tables --- */

static int be__attach_table(void *opaque, struct viommu_endpoint *ep,
			    u32 pasid, const struct s1_desc *desc,
			    bool replace)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dev *dev = be__dev(be, ep->id);
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
	if (!slot && dev->s1 == IOMMUFD_S1_RID && be__nr_tables(dev)) {
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
	ret = be__ret(be, iommufd__hwpt_alloc(be->ifd, &a, &hwpt));
	if (ret) {
		pr_warn("iommufd: endpoint 0x%x PASID %u: nested HWPT (IOMMU_HWPT_ALLOC): %s",
			ep->id, pasid, strerror(-ret));
		return ret;
	}
	/* Attach, atomically replacing the old table if there is one. */
	if (dev->s1 == IOMMUFD_S1_RID) {
		ret = be__attach_rid(be, dev, hwpt);
	} else {
		id = hwpt;
		ret = be__ret(be, iommufd__vfio_attach(be->ifd, dev->vfio_fd,
						       pasid, &id));
	}
	if (ret) {
		pr_warn("iommufd: endpoint 0x%x PASID %u: attaching its table: %s",
			ep->id, pasid, strerror(-ret));
		be__ret(be, iommufd__destroy(be->ifd, hwpt));
		return ret;
	}
	old = slot->hwpt;
	slot->pasid = pasid;
	slot->hwpt = hwpt;
	if (replace) {
		/* The host answered the old table's page requests: all of
		 * the device's when tables sit on the RID. */
		be__ret(be, iommufd__destroy(be->ifd, old));
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

static void be__detach_table(void *opaque, struct viommu_endpoint *ep,
			     u32 pasid)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dev *dev = be__dev(be, ep->id);
	struct iommufd_be_pasid *slot = dev ? be__pasid(dev, pasid) : NULL;
	int ret;

	if (!slot) {
		if (dev)
			dev->drain = (struct iommufd_be_drain){
				IOMMUFD_DRAIN_NONE, pasid };
		return;
	}
	if (dev->s1 == IOMMUFD_S1_RID)
		ret = be__attach_rid(be, dev, dev->dom_pt);
	else
		ret = be__ret(be, iommufd__vfio_detach(be->ifd, dev->vfio_fd,
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
	be__ret(be, iommufd__destroy(be->ifd, slot->hwpt));
	memset(slot, 0, sizeof(*slot));
	be->stats.detaches++;
}

/* --- ops: invalidation --- */

/* One host entry, for the guest entry @idx. */
struct be_inv {
	u32 hwpt;
	u32 type;
	int idx;
	union {
		struct iofd_hwpt_vtd_s1_invalidate vtd;
		struct iofd_hwpt_invalidate_selftest test;
	} e;
};

struct be_inv_list {
	struct be_inv *v;
	u32 nr, cap;
};

static int be__inv_push(struct be_inv_list *l, const struct be_inv *e)
{
	if (l->nr == l->cap) {
		u32 cap = l->cap ? l->cap * 2 : 64;
		struct be_inv *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->nr++] = *e;
	return 0;
}

/* The host entries for guest entry @inv on nested HWPT @hwpt. */
static int be__inv_translate(const struct iommufd_be_dev *dev, u32 hwpt,
			     const struct viommu_inval *inv, int idx,
			     struct be_inv_list *l)
{
	struct be_inv e = { .hwpt = hwpt, .idx = idx };
	bool range = inv->scope == VSVA_INV_S_ADDR;
	int ret = 0;

	if (dev->data_type == IOFD_HWPT_DATA_VTD_S1) {
		e.type = IOFD_HWPT_INVALIDATE_DATA_VTD_S1;
		e.e.vtd.addr = range ? inv->addr : 0;
		e.e.vtd.npages = range ? inv->nr_pages : ~0ULL;
		e.e.vtd.flags = range && inv->leaf ? IOFD_VTD_INV_FLAGS_LEAF :
			0;
		return be__inv_push(l, &e);
	}
	/* The mock's nested domain: a 4-slot direct-mapped IOTLB, slot =
	 * page index mod 4; anything wider flushes all of it. */
	e.type = IOFD_HWPT_INVALIDATE_DATA_SELFTEST;
	if (!range || inv->nr_pages >= IOFD_MOCK_IOTLB_NUM) {
		e.e.test.flags = IOFD_TEST_INVALIDATE_FLAG_ALL;
		return be__inv_push(l, &e);
	}
	for (u64 p = 0; p < inv->nr_pages && !ret; p++) {
		e.e.test.iotlb_id = (u32)(((inv->addr >> 12) + p) %
					  IOFD_MOCK_IOTLB_NUM);
		ret = be__inv_push(l, &e);
	}
	return ret;
}

/* Every nested HWPT the guest entry @inv covers. */
static int be__inv_collect(struct iommufd_be *be,
			   const struct viommu_inval *inv, int idx,
			   struct be_inv_list *l)
{
	for (int i = 0; i < IOMMUFD_BE_MAX_DEVS; i++) {
		struct iommufd_be_dev *dev = &be->devs[i];

		if (!dev->used || dev->s1 == IOMMUFD_S1_NONE ||
		    dev->dom != inv->domain ||
		    (inv->endpoint != VIOMMU_ALL_EPS &&
		     inv->endpoint != dev->ep))
			continue;
		for (int j = 0; j < VIOMMU_MAX_PASIDS; j++) {
			struct iommufd_be_pasid *p = &dev->pasids[j];
			int ret;

			if (!p->hwpt || (inv->scope != VSVA_INV_S_DOMAIN &&
					 inv->pasid != p->pasid))
				continue;
			ret = be__inv_translate(dev, p->hwpt, inv, idx, l);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Send @n entries for one HWPT (already contiguous in @v); a refused
 * entry fails its guest entry and the ones after it are sent again. */
static void be__inv_send(struct iommufd_be *be, struct be_inv *v, u32 n,
			 int *err)
{
	size_t len = v[0].type == IOFD_HWPT_INVALIDATE_DATA_VTD_S1 ?
		     sizeof(v[0].e.vtd) : sizeof(v[0].e.test);
	u8 *buf = malloc(n * len);
	u32 start = 0;

	if (!buf) {
		for (u32 i = 0; i < n; i++)
			err[v[i].idx] = -ENOMEM;
		return;
	}
	for (u32 i = 0; i < n; i++)
		memcpy(buf + i * len, &v[i].e, len);
	be->stats.inval_entries += n;
	while (start < n) {
		u32 done = 0, bad;
		int ret;

		be->stats.inval_ioctls++;
		ret = be__ret(be, iommufd__hwpt_invalidate(be->ifd, v[0].hwpt,
							   v[0].type,
							   buf + start * len,
							   (u32)len, n - start,
							   &done));
		if (!ret)
			break;
		if (ret == -ENOENT || ret == -ENOTTY || ret == -EFAULT) {
			/* Not about an entry: none of them went. */
			for (u32 i = start; i < n; i++) {
				if (!err[v[i].idx])
					err[v[i].idx] = ret;
				be->stats.inval_failed++;
			}
			break;
		}
		bad = MIN(start + done, n - 1);
		if (!err[v[bad].idx])
			err[v[bad].idx] = ret;
		be->stats.inval_failed++;
		start = bad + 1;
	}
	free(buf);
}

static void be__invalidate(void *opaque, const struct viommu_inval *inv,
			   int nr, int *err)
{
	struct iommufd_be *be = opaque;
	struct be_inv_list l = { 0 };
	struct be_inv *sorted;
	u32 n = 0;

	be->stats.inval_batches++;
	for (int i = 0; i < nr; i++)
		err[i] = 0;
	for (int i = 0; i < nr; i++) {
		err[i] = be__inv_collect(be, &inv[i], i, &l);
		if (err[i])
			break;
	}
	if (!l.nr)
		goto out;
	/* Group by HWPT, keeping the guest's order inside each. */
	sorted = malloc(l.nr * sizeof(*sorted));
	if (!sorted) {
		for (u32 i = 0; i < l.nr; i++)
			err[l.v[i].idx] = -ENOMEM;
		goto out;
	}
	for (u32 i = 0; i < l.nr; i++) {
		bool seen = false;

		for (u32 j = 0; j < i && !seen; j++)
			seen = l.v[j].hwpt == l.v[i].hwpt;
		if (seen)
			continue;
		for (u32 j = i; j < l.nr; j++)
			if (l.v[j].hwpt == l.v[i].hwpt)
				sorted[n++] = l.v[j];
	}
	for (u32 i = 0; i < n;) {
		u32 j = i;

		while (j < n && sorted[j].hwpt == sorted[i].hwpt)
			j++;
		be__inv_send(be, &sorted[i], j - i, err);
		i = j;
	}
	free(sorted);
out:
	free(l.v);
}

const struct viommu_backend_ops iommufd_be_ops = {
	.name = "iommufd",
	.ep_caps = be__ep_caps,
	.attach = be__attach,
	.detach = be__detach,
	.map = be__map,
	.unmap = be__unmap,
	.attach_table = be__attach_table,
	.detach_table = be__detach_table,
	.invalidate = be__invalidate,
};
