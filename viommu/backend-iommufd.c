// SPDX-License-Identifier: GPL-2.0
/*
 * The `iommufd` host backend: see include/vsva/backend-iommufd.h.  Every
 * host call goes through viommu/iommufd.c.
 *
 * This file: the backend object (stage 2 and the fault queue set up,
 * everything torn down), what the other files share (host-call count,
 * device lookup, RID attach) and the ops table.  The ops live in
 *   backend-iommufd-dev.c    host devices: probe, add, what they offer
 *   backend-iommufd-dom.c    guest domains: attach, MAP/UNMAP shadowing
 *   backend-iommufd-table.c  stage-1 tables: nested HWPT attach, replace,
 *                            detach, and the page requests they leave
 *   backend-iommufd-inval.c  INVALIDATE batches -> IOMMU_HWPT_INVALIDATE
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <vsva/backend-iommufd.h>
#include <vsva/log.h>

#include "backend-iommufd-priv.h"

/* Count a host call. */
int iommufd_be__ret(struct iommufd_be *be, int ret)
{
	be->stats.ioctls++;
	if (ret)
		be->stats.errors++;
	return ret;
}

struct iommufd_be_dev *iommufd_be__dev_rw(struct iommufd_be *be, u32 ep)
{
	for (int i = 0; i < IOMMUFD_BE_MAX_DEVS; i++)
		if (be->devs[i].used && be->devs[i].ep == ep)
			return &be->devs[i];
	return NULL;
}

const struct iommufd_be_dev *iommufd_be__dev(const struct iommufd_be *be,
					     u32 ep)
{
	return iommufd_be__dev_rw((struct iommufd_be *)be, ep);
}

int iommufd_be__fault_fd(const struct iommufd_be *be)
{
	return be->fault_fd;
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
	ret = iommufd_be__ret(be, iommufd__ioas_alloc(ifd, &be->gpa_ioas));
	if (ret) {
		pr_err("iommufd: IOMMU_IOAS_ALLOC: %s", strerror(-ret));
		goto err;
	}
	for (int i = 0; i < mem->nr_regions; i++) {
		const struct guest_mem_region *r = &mem->regions[i];

		ret = iommufd_be__ret(be, iommufd__ioas_map(ifd, be->gpa_ioas, r->gpa,
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
	ret = iommufd_be__ret(be, iommufd__ioas_alloc(ifd, &be->blocked_ioas));
	if (ret) {
		pr_err("iommufd: IOMMU_IOAS_ALLOC: %s", strerror(-ret));
		goto err;
	}
	ret = iommufd_be__ret(be, iommufd__fault_queue_alloc(ifd, &be->fault_id,
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
int iommufd_be__attach_rid(struct iommufd_be *be, struct iommufd_be_dev *dev,
			   u32 pt)
{
	u32 id = pt;
	int ret;

	if (dev->kind == IOMMUFD_DEV_MOCK)
		ret = iommufd__test_mock_replace(be->ifd, dev->stdev_id, &id);
	else
		ret = iommufd__vfio_attach(be->ifd, dev->vfio_fd,
					   IOMMUFD_NO_PASID, &id);
	if (!iommufd_be__ret(be, ret))
		dev->rid_pt = pt;
	return ret;
}

u32 iommufd_be__bypass_pt(const struct iommufd_be *be,
			  const struct iommufd_be_dev *dev)
{
	return dev->parent ? dev->parent : be->gpa_ioas;
}

int iommufd_be__destroy(struct iommufd_be *be)
{
	int fails = 0;

#define BE_TRY(expr)	do { if (iommufd_be__ret(be, (expr))) fails++; } while (0)
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
				BE_TRY(iommufd_be__attach_rid(be, dev,
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

/* --- the ops table --- */

const struct viommu_backend_ops iommufd_be_ops = {
	.name = "iommufd",
	.ep_caps = iommufd_be__ep_caps,
	.attach = iommufd_be__attach,
	.detach = iommufd_be__detach,
	.map = iommufd_be__map,
	.unmap = iommufd_be__unmap,
	.attach_table = iommufd_be__attach_table,
	.detach_table = iommufd_be__detach_table,
	.invalidate = iommufd_be__invalidate,
};
