// SPDX-License-Identifier: GPL-2.0
/*
 * BARs of a passthrough function (include/vsva/vfio.h).
 *
 * A BAR area VFIO lets us mmap becomes KVM memory slots while the guest's
 * BAR decodes, so the guest reaches the device without an exit; the pages
 * of the MSI-X table and PBA are left out (msix.c emulates those).
 * Everything else (I/O BARs, small BARs, those pages, slots KVM refuses)
 * is trapped by the PCI bus and done here with pread/pwrite on the region:
 * never through the mapping, which faults once the device's memory decoding
 * is off (vfio-pci), while pread/pwrite then fail cleanly (reads all ones).
 */
#include <errno.h>
#include <string.h>

#include <vsva/log.h>
#include <vsva/msix.h>
#include <vsva/vfio.h>

void vfio_bar__access(struct vfio_pci *vp, int bar, u64 off, u8 *data,
		      u32 len, bool is_write)
{
	int ret;

	__atomic_fetch_add(&vp->stats.bar_traps, 1, __ATOMIC_RELAXED);
	if (is_write)
		ret = vfio_dev__write(&vp->vd, bar, off, data, len);
	else
		ret = vfio_dev__read(&vp->vd, bar, off, data, len);
	if (ret) {
		__atomic_fetch_add(&vp->stats.bar_errors, 1, __ATOMIC_RELAXED);
		if (!is_write)
			memset(data, 0xff, len);
	}
}

struct bar_hole {
	u64 start, end;		/* page-aligned, end exclusive */
};

/* The MSI-X pages of @bar, sorted: 0, 1 or 2 holes. */
static int bar__holes(const struct vfio_pci *vp, int bar,
		      struct bar_hole h[2])
{
	const struct vfio_cfg_layout *l = &vp->lay;
	u64 tb = (u64)l->msix_nr * MSIX_ENTRY_SIZE;
	u64 pb = ALIGN_UP((u64)l->msix_nr, 64ULL) / 8;
	struct bar_hole t;

	if (!l->msix || l->msix_bar != bar)
		return 0;
	h[0].start = ALIGN_DOWN((u64)l->msix_table_off, SZ_4K);
	h[0].end = ALIGN_UP((u64)l->msix_table_off + tb, SZ_4K);
	h[1].start = ALIGN_DOWN((u64)l->msix_pba_off, SZ_4K);
	h[1].end = ALIGN_UP((u64)l->msix_pba_off + pb, SZ_4K);
	if (h[1].start < h[0].start) {
		t = h[0];
		h[0] = h[1];
		h[1] = t;
	}
	if (h[1].start > h[0].end)
		return 2;
	h[0].end = MAX(h[0].end, h[1].end);	/* they share pages */
	return 1;
}

static int bar__add_slot(struct vfio_pci *vp, int bar, u64 off, u64 size,
			 u8 *hva)
{
	struct vfio_slot *s;

	if (!size)
		return 0;
	if (vp->nr_slots == VFIO_MAX_SLOTS)
		return -ENOSPC;
	s = &vp->slots[vp->nr_slots++];
	s->bar = bar;
	s->off = off;
	s->size = size;
	s->hva = hva;
	s->slot = -1;
	return 0;
}

int vfio_bar__plan_slots(struct vfio_pci *vp, int bar)
{
	const struct vfio_region *r;
	struct bar_hole h[2];
	int nh, ret = 0;

	if (bar < 0 || bar >= PCI_NR_BARS)
		return -EINVAL;
	if (vp->pdev.bar[bar].type != PCI_BAR_MEM32 &&
	    vp->pdev.bar[bar].type != PCI_BAR_MEM64)
		return 0;
	r = &vp->vd.regions[bar];
	nh = bar__holes(vp, bar, h);
	for (int i = 0; i < r->nr_areas && !ret; i++) {
		const struct vfio_area *a = &r->areas[i];
		u64 at = a->off, end = a->off + a->size;

		if (!a->hva)
			continue;
		for (int k = 0; k < nh && !ret; k++) {
			if (h[k].end <= at || h[k].start >= end)
				continue;
			if (h[k].start > at)
				ret = bar__add_slot(vp, bar, at,
						    h[k].start - at,
						    (u8 *)a->hva + (at - a->off));
			at = MIN(h[k].end, end);
		}
		if (!ret && at < end)
			ret = bar__add_slot(vp, bar, at, end - at,
					    (u8 *)a->hva + (at - a->off));
	}
	return ret;
}

void vfio_bar__live(struct vfio_pci *vp, int bar, u64 addr, bool live)
{
	for (int i = 0; i < vp->nr_slots; i++) {
		struct vfio_slot *s = &vp->slots[i];
		int ret;

		if (s->bar != bar)
			continue;
		if (!live) {
			if (s->slot >= 0)
				vp->vmops->memslot_del(vp->vm, s->slot);
			s->slot = -1;
			continue;
		}
		if (s->slot >= 0)
			continue;
		ret = vp->vmops->memslot_add(vp->vm, addr + s->off, s->size,
					     s->hva);
		if (ret < 0) {
			vp->stats.slot_errors++;
			pr_warn("%s: BAR%d [0x%llx, +0x%llx) at 0x%llx: no KVM slot (%s): trapped",
				vp->name, bar, (unsigned long long)s->off,
				(unsigned long long)s->size,
				(unsigned long long)(addr + s->off),
				strerror(-ret));
			continue;
		}
		s->slot = ret;
		vp->stats.slots++;
		pr_debug("%s: BAR%d [0x%llx, +0x%llx) mapped at 0x%llx (slot %d)",
			 vp->name, bar, (unsigned long long)s->off,
			 (unsigned long long)s->size,
			 (unsigned long long)(addr + s->off), ret);
	}
}
