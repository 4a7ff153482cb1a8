// SPDX-License-Identifier: GPL-2.0
/*
 * The VFIO device FD (include/vsva/vfio.h): what the device offers and
 * access to its regions and interrupts.  Every host call goes through
 * vd->sys; nothing here knows about the guest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/vfio.h>

#include <vsva/log.h>
#include <vsva/vfio.h>

#define VFIO_INFO_MAX		65536	/* bound on a capability chain */
#define VFIO_MAX_CAPS		32

_Static_assert(VFIO_NR_REGIONS == VFIO_PCI_NUM_REGIONS, "regions");
_Static_assert(VFIO_REGION_CONFIG == VFIO_PCI_CONFIG_REGION_INDEX, "config");
_Static_assert(VFIO_REGION_ROM == VFIO_PCI_ROM_REGION_INDEX, "rom");
_Static_assert(VFIO_NR_IRQ_INDEXES == VFIO_PCI_NUM_IRQS, "irq indexes");
_Static_assert(VFIO_IRQ_MSI == VFIO_PCI_MSI_IRQ_INDEX, "msi index");
_Static_assert(VFIO_IRQ_MSIX == VFIO_PCI_MSIX_IRQ_INDEX, "msix index");

static int vd__ioctl(struct vfio_device *vd, unsigned long req, void *arg)
{
	return vd->sys->ioctl(vd->sys->opaque, vd->fd, req, arg);
}

/* The sparse-mmap capability of @ri (@len bytes), or NULL. */
static const struct vfio_region_info_cap_sparse_mmap *
vd__sparse(const struct vfio_region_info *ri, u32 len)
{
	u32 off = ri->cap_offset;

	if (!(ri->flags & VFIO_REGION_INFO_FLAG_CAPS))
		return NULL;
	for (int n = 0; off && n < VFIO_MAX_CAPS; n++) {
		const struct vfio_info_cap_header *h;

		if (off < sizeof(*ri) || off > len ||
		    len - off < sizeof(*h) || off % 4)
			return NULL;
		h = (const void *)((const u8 *)ri + off);
		if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			const struct vfio_region_info_cap_sparse_mmap *s =
				(const void *)h;

			if (len - off < sizeof(*s) ||
			    s->nr_areas > (len - off - sizeof(*s)) /
					  sizeof(s->areas[0]))
				return NULL;
			return s;
		}
		off = h->next;
	}
	return NULL;
}

static void vd__add_area(struct vfio_region *r, u64 off, u64 size)
{
	if (r->nr_areas == VFIO_MAX_AREAS || !size ||
	    !IS_ALIGNED(off | size, SZ_4K) || off > r->size ||
	    size > r->size - off)
		return;
	r->areas[r->nr_areas].off = off;
	r->areas[r->nr_areas].size = size;
	r->areas[r->nr_areas].hva = NULL;
	r->nr_areas++;
}

static int vd__region(struct vfio_device *vd, u32 idx)
{
	struct vfio_region *r = &vd->regions[idx];
	const struct vfio_region_info_cap_sparse_mmap *sp;
	struct vfio_region_info *ri = NULL;
	u32 len = sizeof(*ri);
	int ret;

	for (int pass = 0; pass < 2; pass++) {
		free(ri);
		ri = calloc(1, len);
		if (!ri)
			return -ENOMEM;
		ri->argsz = len;
		ri->index = idx;
		ret = vd__ioctl(vd, VFIO_DEVICE_GET_REGION_INFO, ri);
		if (ret)
			goto out;
		/* The capabilities did not fit: ask again with room. */
		if (ri->argsz <= len || pass || ri->argsz > VFIO_INFO_MAX)
			break;
		len = ri->argsz;
	}
	memset(r, 0, sizeof(*r));
	r->flags = ri->flags;
	r->size = ri->size;
	r->offset = ri->offset;
	if (ri->argsz < len)
		len = ri->argsz;
	if (r->flags & VFIO_REGION_INFO_FLAG_MMAP) {
		sp = vd__sparse(ri, len);
		if (sp)
			for (u32 i = 0; i < sp->nr_areas; i++)
				vd__add_area(r, sp->areas[i].offset,
					     sp->areas[i].size);
		else
			vd__add_area(r, 0, r->size);
	}
	pr_debug("vfio: region %u: size 0x%llx offset 0x%llx flags 0x%x, %d mmap area(s)",
		 idx, (unsigned long long)r->size,
		 (unsigned long long)r->offset, r->flags, r->nr_areas);
out:
	free(ri);
	return ret;
}

int vfio_dev__probe(struct vfio_device *vd, int fd, const struct vfio_sys *sys)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int ret;

	memset(vd, 0, sizeof(*vd));
	vd->fd = fd;
	vd->sys = sys;
	ret = vd__ioctl(vd, VFIO_DEVICE_GET_INFO, &info);
	if (ret) {
		pr_err("vfio: VFIO_DEVICE_GET_INFO: %s", strerror(-ret));
		return ret;
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI)) {
		pr_err("vfio: not a vfio-pci device (flags 0x%x)", info.flags);
		return -ENODEV;
	}
	if (info.num_regions <= VFIO_REGION_CONFIG) {
		pr_err("vfio: %u regions: no configuration space",
		       info.num_regions);
		return -ENODEV;
	}
	vd->flags = info.flags;
	vd->num_regions = info.num_regions;
	vd->num_irqs = info.num_irqs;
	for (u32 i = 0; i < MIN(vd->num_regions, (u32)VFIO_NR_REGIONS); i++) {
		/* VGA (index 8) is optional: absent unless the device is one. */
		ret = vd__region(vd, i);
		if (ret && i != VFIO_PCI_VGA_REGION_INDEX) {
			pr_err("vfio: VFIO_DEVICE_GET_REGION_INFO %u: %s", i,
			       strerror(-ret));
			return ret;
		}
	}
	for (u32 i = 0; i < MIN(vd->num_irqs, (u32)VFIO_NR_IRQ_INDEXES); i++) {
		struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = i };

		ret = vd__ioctl(vd, VFIO_DEVICE_GET_IRQ_INFO, &ii);
		/* Error and request indexes are optional (vfio-pci offers the
		 * error one only on PCIe): absent then. */
		if (ret && i > VFIO_IRQ_MSIX)
			continue;
		if (ret) {
			pr_err("vfio: VFIO_DEVICE_GET_IRQ_INFO %u: %s", i,
			       strerror(-ret));
			return ret;
		}
		vd->irqs[i].flags = ii.flags;
		vd->irqs[i].count = ii.count;
	}
	if (!vd->regions[VFIO_REGION_CONFIG].size ||
	    !(vd->regions[VFIO_REGION_CONFIG].flags &
	      VFIO_REGION_INFO_FLAG_READ)) {
		pr_err("vfio: the configuration region cannot be read");
		return -ENODEV;
	}
	return 0;
}

bool vfio_dev__can_reset(const struct vfio_device *vd)
{
	return vd->flags & VFIO_DEVICE_FLAGS_RESET;
}

static int vd__check(struct vfio_device *vd, int idx, u64 off, u32 len,
		     u32 flag)
{
	const struct vfio_region *r;

	if (idx < 0 || idx >= VFIO_NR_REGIONS || !len)
		return -EINVAL;
	r = &vd->regions[idx];
	if (!(r->flags & flag) || off > r->size || len > r->size - off)
		return -EINVAL;
	return 0;
}

int vfio_dev__read(struct vfio_device *vd, int idx, u64 off, void *buf,
		   u32 len)
{
	int ret = vd__check(vd, idx, off, len, VFIO_REGION_INFO_FLAG_READ);
	ssize_t n;

	if (ret)
		return ret;
	n = vd->sys->pread(vd->sys->opaque, vd->fd, buf, len,
			   vd->regions[idx].offset + off);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

int vfio_dev__write(struct vfio_device *vd, int idx, u64 off,
		    const void *buf, u32 len)
{
	int ret = vd__check(vd, idx, off, len, VFIO_REGION_INFO_FLAG_WRITE);
	ssize_t n;

	if (ret)
		return ret;
	n = vd->sys->pwrite(vd->sys->opaque, vd->fd, buf, len,
			    vd->regions[idx].offset + off);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

int vfio_dev__map(struct vfio_device *vd, int idx)
{
	struct vfio_region *r;
	int n = 0;

	if (idx < 0 || idx >= VFIO_NR_REGIONS)
		return -EINVAL;
	r = &vd->regions[idx];
	for (int i = 0; i < r->nr_areas; i++) {
		struct vfio_area *a = &r->areas[i];

		if (a->hva) {
			n++;
			continue;
		}
		a->hva = vd->sys->mmap(vd->sys->opaque, vd->fd,
				       r->offset + a->off, a->size);
		if (!a->hva) {
			pr_warn("vfio: region %d: mmap of [0x%llx, +0x%llx) failed: trapped instead",
				idx, (unsigned long long)a->off,
				(unsigned long long)a->size);
			continue;
		}
		n++;
	}
	return n;
}

void vfio_dev__unmap_all(struct vfio_device *vd)
{
	for (int idx = 0; idx < VFIO_NR_REGIONS; idx++) {
		struct vfio_region *r = &vd->regions[idx];

		for (int i = 0; i < r->nr_areas; i++) {
			if (!r->areas[i].hva)
				continue;
			vd->sys->munmap(vd->sys->opaque, r->areas[i].hva,
					r->areas[i].size);
			r->areas[i].hva = NULL;
		}
	}
}

int vfio_dev__set_irqs(struct vfio_device *vd, u32 index, u32 start, u32 n,
		       const int *fds)
{
	size_t len = sizeof(struct vfio_irq_set) + n * sizeof(s32);
	struct vfio_irq_set *s;
	int ret;

	if (index >= VFIO_NR_IRQ_INDEXES || n > vd->irqs[index].count ||
	    start > vd->irqs[index].count - n)
		return -EINVAL;
	s = calloc(1, len);
	if (!s)
		return -ENOMEM;
	s->argsz = (u32)len;
	s->index = index;
	s->start = n ? start : 0;
	s->count = n;
	s->flags = VFIO_IRQ_SET_ACTION_TRIGGER |
		   (n ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	for (u32 i = 0; i < n; i++) {
		s32 fd = fds[i];

		memcpy(s->data + i * sizeof(s32), &fd, sizeof(fd));
	}
	ret = vd__ioctl(vd, VFIO_DEVICE_SET_IRQS, s);
	pr_debug("vfio: SET_IRQS index %u start %u count %u -> %d", index,
		 start, n, ret);
	free(s);
	return ret;
}

int vfio_dev__reset(struct vfio_device *vd)
{
	if (!vfio_dev__can_reset(vd))
		return -ENOTTY;
	return vd__ioctl(vd, VFIO_DEVICE_RESET, NULL);
}
