// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's MAP/UNMAP mappings: a sorted array of non-overlapping ranges.
 * UNMAP removes whole mappings only (virtio-iommu spec, UNMAP examples).
 * Pure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/viommu.h>

/* Index of the first mapping whose end is >= @addr. */
static u32 mappings__search(const struct viommu_domain *d, u64 addr)
{
	u32 lo = 0, hi = d->nr_maps;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (d->maps[mid].virt_end < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct viommu_mapping *mappings__find(const struct viommu_domain *d,
					    u64 addr)
{
	u32 i = mappings__search(d, addr);

	if (i < d->nr_maps && d->maps[i].virt_start <= addr)
		return &d->maps[i];
	return NULL;
}

int mappings__add(struct viommu_domain *d, const struct viommu_mapping *m)
{
	u32 i = mappings__search(d, m->virt_start);

	if (i < d->nr_maps && d->maps[i].virt_start <= m->virt_end)
		return -EEXIST;
	if (d->nr_maps >= VIOMMU_MAX_MAPPINGS)
		return -ENOMEM;
	if (d->nr_maps == d->cap_maps) {
		u32 cap = d->cap_maps ? d->cap_maps * 2 : 16;
		struct viommu_mapping *n = realloc(d->maps, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		d->maps = n;
		d->cap_maps = cap;
	}
	memmove(&d->maps[i + 1], &d->maps[i],
		(d->nr_maps - i) * sizeof(d->maps[0]));
	d->maps[i] = *m;
	d->nr_maps++;
	return 0;
}

int mappings__remove(struct viommu_domain *d, u64 start, u64 end,
		     void (*fn)(void *opaque, const struct viommu_mapping *m),
		     void *opaque)
{
	u32 first = mappings__search(d, start), last = first;

	if (!d->nr_maps)
		return 0;
	/* Every mapping touching [start, end] must lie inside it. */
	while (last < d->nr_maps && d->maps[last].virt_start <= end) {
		if (d->maps[last].virt_start < start ||
		    d->maps[last].virt_end > end)
			return -ERANGE;
		last++;
	}
	if (fn)
		for (u32 i = first; i < last; i++)
			fn(opaque, &d->maps[i]);
	memmove(&d->maps[first], &d->maps[last],
		(d->nr_maps - last) * sizeof(d->maps[0]));
	d->nr_maps -= last - first;
	return 0;
}

void mappings__clear(struct viommu_domain *d)
{
	free(d->maps);
	d->maps = NULL;
	d->nr_maps = d->cap_maps = 0;
}
