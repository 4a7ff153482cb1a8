// SPDX-License-Identifier: GPL-2.0
/*
 * The `iommufd` backend: guest domains.  A MAP/UNMAP domain with host
 * devices in it gets its own IOAS holding its mappings (shadowing); a
 * bypass domain is stage 2; attach and detach move the device's RID
 * between them and the blocked IOAS.
 */
#include <errno.h>
#include <string.h>

#include <vsva/backend-iommufd.h>
#include <vsva/log.h>

#include "backend-iommufd-priv.h"

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
	return iommufd_be__ret(be, iommufd__ioas_map(be->ifd, ioas, m->virt_start, va,
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
	ret = iommufd_be__ret(be, iommufd__ioas_alloc(be->ifd, &bd->ioas));
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
			iommufd_be__ret(be, iommufd__destroy(be->ifd, bd->ioas));
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
	iommufd_be__ret(be, iommufd__destroy(be->ifd, bd->ioas));
	memset(bd, 0, sizeof(*bd));
}

int iommufd_be__attach(void *opaque, struct viommu_endpoint *ep,
		       struct viommu_domain *d)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dev *dev = iommufd_be__dev_rw(be, ep->id);
	struct iommufd_be_dom *bd = NULL;
	u32 pt;
	int ret;

	if (!dev)
		return 0;
	if (iommufd_be__nr_tables(dev))
		return -EBUSY;
	if (d->bypass) {
		pt = iommufd_be__bypass_pt(be, dev);
	} else {
		bd = be__dom_get(be, d, &ret);
		if (!bd)
			return ret;
		pt = bd->ioas;
	}
	ret = iommufd_be__attach_rid(be, dev, pt);
	if (ret) {
		if (bd && !bd->users) {
			bd->users = 1;
			be__dom_put(be, bd->id);
		}
		return ret;
	}
	if (bd)
		bd->users++;
	/* The core detaches the old domain after this (iommufd_be__detach). */
	dev->dom = d->id;
	dev->dom_pt = pt;
	return 0;
}

void iommufd_be__detach(void *opaque, struct viommu_endpoint *ep,
			struct viommu_domain *d)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dev *dev = iommufd_be__dev_rw(be, ep->id);

	if (!dev)
		return;
	if (dev->dom == d->id) {
		/* Really leaving: DMA blocked until the next attach. */
		if (iommufd_be__attach_rid(be, dev, be->blocked_ioas))
			pr_err("iommufd: endpoint 0x%x: detach failed", ep->id);
		dev->dom = 0;
		dev->dom_pt = be->blocked_ioas;
	}
	if (!d->bypass)
		be__dom_put(be, d->id);
}

int iommufd_be__map(void *opaque, struct viommu_domain *d,
		    const struct viommu_mapping *m)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dom *bd = be__dom(be, d->id);

	return bd && d->id ? be__map_one(be, bd->ioas, m) : 0;
}

int iommufd_be__unmap(void *opaque, struct viommu_domain *d,
		      const struct viommu_mapping *m)
{
	struct iommufd_be *be = opaque;
	struct iommufd_be_dom *bd = be__dom(be, d->id);

	if (!bd || !d->id)
		return 0;
	be->stats.unmaps++;
	return iommufd_be__ret(be, iommufd__ioas_unmap(be->ifd, bd->ioas,
						       m->virt_start,
						       m->virt_end - m->virt_start + 1,
						       NULL));
}
