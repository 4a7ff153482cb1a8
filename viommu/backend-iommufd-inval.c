// SPDX-License-Identifier: GPL-2.0
/*
 * The `iommufd` backend: invalidation.  Each guest INVALIDATE entry becomes
 * host entries for every nested HWPT it covers (VT-d or selftest format),
 * sent as one IOMMU_HWPT_INVALIDATE per HWPT; a refused entry fails its
 * guest entry and the entries after it are sent again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/backend-iommufd.h>

#include "backend-iommufd-priv.h"

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
		ret = iommufd_be__ret(be, iommufd__hwpt_invalidate(be->ifd, v[0].hwpt,
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

void iommufd_be__invalidate(void *opaque, const struct viommu_inval *inv,
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
