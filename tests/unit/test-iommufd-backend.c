// SPDX-License-Identifier: GPL-2.0
/*
 * The iommufd backend without a kernel: viommu/iommufd.c's ioctl hook
 * points at a fake IOMMUFD that keeps an object table with reference
 * counts (so destroying something still in use is EBUSY, as in the
 * kernel), records every call, and can be told to refuse things.  The
 * tests check the sequence the backend issues and how it handles the
 * host's errors: no nesting (shadowing fallback), no fault queue, no
 * PASID-capable HWPTs, a partial INVALIDATE (entry_num), a failed detach.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <vsva/backend-iommufd.h>

#define F_MAX_OBJ	128
#define F_MAX_LOG	512
#define F_MAX_MAPS	64
#define F_MAX_DEVS	8

enum f_kind { F_FREE = 0, F_IOAS, F_HWPT, F_NESTED, F_FAULT, F_STDEV };

struct f_obj {
	enum f_kind kind;
	int users;		/* HWPTs on it, devices attached to it */
	u32 parent;		/* HWPT: its pt */
	u32 fault;		/* nested: its fault object */
};

struct f_call {
	unsigned long req;
	u32 op;			/* TEST_CMD op */
	u32 size;		/* size / argsz the caller passed */
	u32 id, pt, flags, data_type, fault_id, n, pasid;
	u64 iova, len;
	union {
		struct iofd_hwpt_vtd_s1 vtd;
		struct iofd_hwpt_selftest st;
	} data;
	union {
		struct iofd_hwpt_vtd_s1_invalidate vtd[8];
		struct iofd_hwpt_invalidate_selftest st[8];
	} inv;
	int ret;
};

struct f_dev {
	int key;		/* stdev id (mock) or device fd (VFIO) */
	u32 dev_id;
	u32 rid;		/* attached pt */
	u32 pasid_pt[4];	/* by PASID 1..4 */
};

struct fake {
	struct f_obj obj[F_MAX_OBJ];
	u32 next;
	struct f_call log[F_MAX_LOG];
	int nr;
	struct { u32 ioas; u64 iova, len; void *va; u32 flags; } maps[F_MAX_MAPS];
	int nr_maps;
	struct f_dev devs[F_MAX_DEVS];
	int nr_devs;
	/* what the host is */
	u32 hw_type;
	struct iofd_hw_info_vtd vtd;
	u8 max_pasid_log2;
	/* refusals */
	int nest_parent_err;	/* HWPT_ALLOC with NEST_PARENT */
	int alloc_pasid_err;	/* HWPT_ALLOC with ALLOC_PASID */
	int fault_err;		/* FAULT_QUEUE_ALLOC */
	int hw_info_err;
	int detach_pasid_err;
	u64 bad_inv_addr;	/* a VT-d entry the host refuses (EINVAL) */
	int inval_err;		/* whole INVALIDATE fails */
	u64 aperture_start, aperture_last;	/* IOVA_RANGES (0: all) */
};

static u32 f_new(struct fake *f, enum f_kind k, u32 parent)
{
	u32 id = ++f->next;

	cr_assert_lt(id, F_MAX_OBJ);
	f->obj[id] = (struct f_obj){ .kind = k, .parent = parent };
	if (parent)
		f->obj[parent].users++;
	return id;
}

static bool f_live(struct fake *f, u32 id, enum f_kind k)
{
	return id && id < F_MAX_OBJ && f->obj[id].kind == k;
}

static bool f_pt(struct fake *f, u32 id)
{
	return f_live(f, id, F_IOAS) || f_live(f, id, F_HWPT) ||
	       f_live(f, id, F_NESTED);
}

static void f_attach(struct fake *f, u32 *slot, u32 pt)
{
	if (*slot)
		f->obj[*slot].users--;
	*slot = pt;
	if (pt)
		f->obj[pt].users++;
}

static struct f_dev *f_dev(struct fake *f, int key)
{
	for (int i = 0; i < f->nr_devs; i++)
		if (f->devs[i].key == key)
			return &f->devs[i];
	return NULL;
}

static struct f_dev *f_dev_by_id(struct fake *f, u32 dev_id)
{
	for (int i = 0; i < f->nr_devs; i++)
		if (f->devs[i].dev_id == dev_id)
			return &f->devs[i];
	return NULL;
}

static int f_test(struct fake *f, struct iofd_test_cmd *c, struct f_call *l)
{
	struct f_dev *d;

	l->op = c->op;
	l->id = c->id;
	switch (c->op) {
	case IOFD_TEST_OP_MOCK_DOMAIN:
		if (!f_pt(f, c->id))
			return -ENOENT;
		d = &f->devs[f->nr_devs++];
		memset(d, 0, sizeof(*d));
		d->key = (int)f_new(f, F_STDEV, 0);
		d->dev_id = 1000 + (u32)d->key;
		f_attach(f, &d->rid, c->id);
		c->mock_domain.out_stdev_id = (u32)d->key;
		c->mock_domain.out_hwpt_id = c->id;
		c->mock_domain.out_idev_id = d->dev_id;
		return 0;
	case IOFD_TEST_OP_MOCK_DOMAIN_REPLACE:
		d = f_dev(f, (int)c->id);
		l->pt = c->mock_domain_replace.pt_id;
		if (!d || !f_live(f, c->id, F_STDEV))
			return -ENOENT;
		if (!f_pt(f, l->pt))
			return -ENOENT;
		f_attach(f, &d->rid, l->pt);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int f_hwpt_alloc(struct fake *f, struct iofd_hwpt_alloc *c,
			struct f_call *l)
{
	l->pt = c->pt_id;
	l->flags = c->flags;
	l->data_type = c->data_type;
	l->id = c->dev_id;
	if (c->flags & IOFD_HWPT_FAULT_ID_VALID)
		l->fault_id = c->fault_id;
	if (c->data_len && c->data_len <= sizeof(l->data))
		memcpy(&l->data, (void *)(uintptr_t)c->data_uptr, c->data_len);
	if (!f_dev_by_id(f, c->dev_id))
		return -ENOENT;
	if ((c->flags & IOFD_HWPT_ALLOC_PASID) && f->alloc_pasid_err)
		return f->alloc_pasid_err;
	if (c->flags & IOFD_HWPT_ALLOC_NEST_PARENT) {
		if (f->nest_parent_err)
			return f->nest_parent_err;
		if (!f_live(f, c->pt_id, F_IOAS) ||
		    (c->flags & IOFD_HWPT_FAULT_ID_VALID))
			return -EINVAL;
		c->out_hwpt_id = f_new(f, F_HWPT, c->pt_id);
		return 0;
	}
	if (!f_live(f, c->pt_id, F_HWPT) || !c->data_len)
		return -EINVAL;
	if ((c->flags & IOFD_HWPT_FAULT_ID_VALID) &&
	    !f_live(f, c->fault_id, F_FAULT))
		return -ENOENT;
	c->out_hwpt_id = f_new(f, F_NESTED, c->pt_id);
	if (c->flags & IOFD_HWPT_FAULT_ID_VALID) {
		f->obj[c->out_hwpt_id].fault = c->fault_id;
		f->obj[c->fault_id].users++;
	}
	return 0;
}

static int f_invalidate(struct fake *f, struct iofd_hwpt_invalidate *c,
			struct f_call *l)
{
	l->id = c->hwpt_id;
	l->n = c->entry_num;
	l->data_type = c->data_type;
	memcpy(&l->inv, (void *)(uintptr_t)c->data_uptr,
	       MIN(sizeof(l->inv), (size_t)c->entry_num * c->entry_len));
	if (!f_live(f, c->hwpt_id, F_NESTED)) {
		c->entry_num = 0;
		return -ENOENT;
	}
	if (f->inval_err) {
		c->entry_num = 0;
		return f->inval_err;
	}
	if (c->data_type == IOFD_HWPT_INVALIDATE_DATA_VTD_S1) {
		const struct iofd_hwpt_vtd_s1_invalidate *e =
			(const void *)(uintptr_t)c->data_uptr;

		cr_assert_eq(c->entry_len, sizeof(*e));
		for (u32 i = 0; i < c->entry_num; i++)
			if (f->bad_inv_addr && e[i].addr == f->bad_inv_addr) {
				c->entry_num = i;
				return -EINVAL;
			}
	}
	return 0;
}

static int f_vfio(struct fake *f, int fd, unsigned long req, void *arg,
		  struct f_call *l)
{
	struct f_dev *d = f_dev(f, fd);

	if (req == VFIO_CDEV_BIND_IOMMUFD) {
		struct vfio_cdev_bind_iommufd *c = arg;

		l->size = c->argsz;
		cr_assert_eq(c->iommufd, 3);
		d = &f->devs[f->nr_devs++];
		memset(d, 0, sizeof(*d));
		d->key = fd;
		d->dev_id = 2000 + (u32)fd;
		c->out_devid = d->dev_id;
		return 0;
	}
	if (!d)
		return -EBADF;
	if (req == VFIO_CDEV_ATTACH_IOMMUFD_PT) {
		struct vfio_cdev_attach_iommufd_pt *c = arg;

		l->size = c->argsz;
		l->flags = c->flags;
		l->pt = c->pt_id;
		l->pasid = c->flags ? c->pasid : IOMMUFD_NO_PASID;
		if (!f_pt(f, c->pt_id))
			return -ENOENT;
		if (c->flags) {
			cr_assert(c->pasid >= 1 && c->pasid <= 4);
			f_attach(f, &d->pasid_pt[c->pasid - 1], c->pt_id);
		} else {
			f_attach(f, &d->rid, c->pt_id);
		}
		return 0;
	}
	if (req == VFIO_CDEV_DETACH_IOMMUFD_PT) {
		struct vfio_cdev_detach_iommufd_pt *c = arg;

		l->size = c->argsz;
		l->flags = c->flags;
		l->pasid = c->flags ? c->pasid : IOMMUFD_NO_PASID;
		if (c->flags) {
			if (f->detach_pasid_err)
				return f->detach_pasid_err;
			f_attach(f, &d->pasid_pt[c->pasid - 1], 0);
		} else {
			f_attach(f, &d->rid, 0);
		}
		return 0;
	}
	return -ENOTTY;
}

static int f_ioctl(void *opaque, int fd, unsigned long req, void *arg)
{
	struct fake *f = opaque;
	struct f_call *l;
	int ret = -ENOTTY;

	cr_assert_lt(f->nr, F_MAX_LOG);
	l = &f->log[f->nr++];
	memset(l, 0, sizeof(*l));
	l->req = req;
	l->size = *(u32 *)arg;
	if (fd != 3) {
		ret = f_vfio(f, fd, req, arg, l);
		l->ret = ret;
		return ret;
	}
	switch (req) {
	case IOFD_IOAS_ALLOC: {
		struct iofd_ioas_alloc *c = arg;

		c->out_ioas_id = f_new(f, F_IOAS, 0);
		ret = 0;
		break;
	}
	case IOFD_IOAS_MAP: {
		struct iofd_ioas_map *c = arg;

		l->id = c->ioas_id;
		l->iova = c->iova;
		l->len = c->length;
		l->flags = c->flags;
		if (!f_live(f, c->ioas_id, F_IOAS)) {
			ret = -ENOENT;
			break;
		}
		for (int i = 0; i < f->nr_maps; i++)
			if (f->maps[i].ioas == c->ioas_id &&
			    f->maps[i].iova == c->iova)
				return l->ret = -EEXIST;
		f->maps[f->nr_maps].ioas = c->ioas_id;
		f->maps[f->nr_maps].iova = c->iova;
		f->maps[f->nr_maps].len = c->length;
		f->maps[f->nr_maps].va = (void *)(uintptr_t)c->user_va;
		f->maps[f->nr_maps].flags = c->flags;
		f->nr_maps++;
		ret = 0;
		break;
	}
	case IOFD_IOAS_UNMAP: {
		struct iofd_ioas_unmap *c = arg;

		l->id = c->ioas_id;
		l->iova = c->iova;
		l->len = c->length;
		ret = -ENOENT;
		for (int i = 0; i < f->nr_maps; i++)
			if (f->maps[i].ioas == c->ioas_id &&
			    f->maps[i].iova == c->iova) {
				c->length = f->maps[i].len;
				f->maps[i] = f->maps[--f->nr_maps];
				ret = 0;
				break;
			}
		break;
	}
	case IOFD_IOAS_IOVA_RANGES: {
		struct iofd_ioas_iova_ranges *c = arg;
		struct iofd_iova_range *r = (void *)(uintptr_t)c->allowed_iovas;

		l->id = c->ioas_id;
		if (c->num_iovas < 1) {
			c->num_iovas = 1;
			ret = -EMSGSIZE;
			break;
		}
		r[0].start = f->aperture_start;
		r[0].last = f->aperture_last ? f->aperture_last : ~0ULL;
		c->num_iovas = 1;
		ret = 0;
		break;
	}
	case IOFD_FAULT_QUEUE_ALLOC: {
		struct iofd_fault_alloc *c = arg;

		if (f->fault_err) {
			ret = f->fault_err;
			break;
		}
		c->out_fault_id = f_new(f, F_FAULT, 0);
		c->out_fault_fd = (u32)eventfd(0, EFD_CLOEXEC);
		ret = 0;
		break;
	}
	case IOFD_GET_HW_INFO: {
		struct iofd_hw_info *c = arg;
		struct iofd_test_hw_info t = { 0, IOFD_HW_INFO_SELFTEST_REGVAL };
		const void *src = f->hw_type == IOFD_HW_INFO_TYPE_INTEL_VTD ?
				  (const void *)&f->vtd : (const void *)&t;
		u32 len = f->hw_type == IOFD_HW_INFO_TYPE_INTEL_VTD ?
			  sizeof(f->vtd) : sizeof(t);

		l->id = c->dev_id;
		if (f->hw_info_err) {
			ret = f->hw_info_err;
			break;
		}
		memcpy((void *)(uintptr_t)c->data_uptr, src,
		       MIN(len, c->data_len));
		c->data_len = len;
		c->out_data_type = f->hw_type;
		c->out_max_pasid_log2 = f->max_pasid_log2;
		ret = 0;
		break;
	}
	case IOFD_HWPT_ALLOC:
		ret = f_hwpt_alloc(f, arg, l);
		break;
	case IOFD_HWPT_INVALIDATE:
		ret = f_invalidate(f, arg, l);
		break;
	case IOFD_TEST_CMD:
		ret = f_test(f, arg, l);
		break;
	case IOFD_DESTROY: {
		struct iofd_destroy *c = arg;
		struct f_obj *o;

		l->id = c->id;
		if (c->id >= F_MAX_OBJ || f->obj[c->id].kind == F_FREE) {
			ret = -ENOENT;
			break;
		}
		o = &f->obj[c->id];
		if (o->users) {
			ret = -EBUSY;
			break;
		}
		if (o->kind == F_STDEV) {
			struct f_dev *d = f_dev(f, (int)c->id);

			f_attach(f, &d->rid, 0);
			*d = f->devs[--f->nr_devs];
		}
		if (o->kind == F_IOAS)
			for (int i = f->nr_maps - 1; i >= 0; i--)
				if (f->maps[i].ioas == c->id)
					f->maps[i] = f->maps[--f->nr_maps];
		if (o->parent)
			f->obj[o->parent].users--;
		if (o->fault)
			f->obj[o->fault].users--;
		memset(o, 0, sizeof(*o));
		ret = 0;
		break;
	}
	default:
		break;
	}
	l->ret = ret;
	return ret;
}

static int f_live_count(struct fake *f)
{
	int n = 0;

	for (int i = 0; i < F_MAX_OBJ; i++)
		n += f->obj[i].kind != F_FREE;
	return n;
}

/* Calls of type @req from log index @from on. */
static int f_count(struct fake *f, int from, unsigned long req)
{
	int n = 0;

	for (int i = from; i < f->nr; i++)
		n += f->log[i].req == req;
	return n;
}

static struct f_call *f_last(struct fake *f, unsigned long req)
{
	for (int i = f->nr - 1; i >= 0; i--)
		if (f->log[i].req == req)
			return &f->log[i];
	return NULL;
}

/* --- the set-up: guest RAM, the fake, the backend, the core --- */

#define T_RAM		(8 * SZ_1M)
#define T_EP		0x10
#define T_EP2		0x18
#define T_EMUL		0x20
#define T_DOM		7

struct t {
	u8 *ram;
	struct guest_mem mem;
	struct fake f;
	struct iommufd ifd;
	struct iommufd_be be;
	struct viommu v;
};

static const struct viommu_ep_caps t_want = {
	.pasid_bits = 20,
	.formats = VSVA_S1_FMT_X86_64_4LVL | VSVA_S1_FMT_X86_64_5LVL,
	.table_flags = VSVA_TABLE_F_MASK,
	.page_req = true, .prq_capacity = 32,
};

static struct t *t_new(u32 hw_type)
{
	struct t *t = calloc(1, sizeof(*t));

	t->ram = calloc(1, T_RAM);
	guest_mem__layout(&t->mem, t->ram, T_RAM);
	t->f.hw_type = hw_type;
	iommufd__init(&t->ifd, 3, f_ioctl, &t->f);
	return t;
}

static void t_core(struct t *t)
{
	viommu__init(&t->v, &t->mem, &iommufd_be_ops, &t->be);
	t->v.features = viommu__device_features();
}

static void t_free(struct t *t)
{
	free(t->ram);
	free(t);
}

/* A VT-d host: scalable mode, nesting, first stage, 5-level, PASID 20
 * bits, SRS, PRS; no EAFS. */
static void t_vtd(struct t *t)
{
	t->f.vtd.cap_reg = 1ULL << 60;
	t->f.vtd.ecap_reg = (1ULL << 43) | (1ULL << 26) | (1ULL << 47) |
			    (1ULL << 40) | (19ULL << 35) | (1ULL << 31) |
			    (1ULL << 29);
}

static struct s1_desc t_desc(u64 root, int levels, u32 flags)
{
	return (struct s1_desc){ .root_gpa = root, .levels = levels,
				 .flags = flags };
}

/* --- tests --- */

Test(iommufd_backend, init_maps_guest_ram_at_gpa)
{
	struct t *t = t_new(IOFD_HW_INFO_TYPE_SELFTEST);

	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	cr_assert_eq(t->f.log[0].req, IOFD_IOAS_ALLOC);
	cr_assert_eq(f_count(&t->f, 0, IOFD_IOAS_MAP), t->mem.nr_regions);
	for (int i = 0; i < t->mem.nr_regions; i++) {
		cr_assert_eq(t->f.maps[i].ioas, t->be.gpa_ioas);
		cr_assert_eq(t->f.maps[i].iova, t->mem.regions[i].gpa);
		cr_assert_eq(t->f.maps[i].va, t->mem.regions[i].hva);
		cr_assert_eq(t->f.maps[i].len, t->mem.regions[i].size);
		cr_assert_eq(t->f.maps[i].flags, IOFD_IOAS_MAP_FIXED_IOVA |
			     IOFD_IOAS_MAP_READABLE | IOFD_IOAS_MAP_WRITEABLE);
	}
	cr_assert_neq(t->be.blocked_ioas, 0);
	cr_assert_geq(t->be.fault_fd, 0);
	cr_assert_eq(iommufd_be__destroy(&t->be), 0);
	cr_assert_eq(f_live_count(&t->f), 0, "every object destroyed");
	t_free(t);
}

Test(iommufd_backend, mock_device_sequence)
{
	struct t *t = t_new(IOFD_HW_INFO_TYPE_SELFTEST);
	const struct iommufd_be_dev *d;
	struct viommu_endpoint *ep;
	struct s1_desc desc = t_desc(0x5000, 4, S1_F_AD);
	struct f_call *c;
	int mark;

	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	mark = t->f.nr;
	cr_assert_eq(iommufd_be__add_mock(&t->be, T_EP), 0);
	/* MOCK_DOMAIN on stage 2, GET_HW_INFO, NEST_PARENT, RID -> it. */
	cr_assert_eq(t->f.log[mark].req, IOFD_TEST_CMD);
	cr_assert_eq(t->f.log[mark].op, IOFD_TEST_OP_MOCK_DOMAIN);
	cr_assert_eq(t->f.log[mark].id, t->be.gpa_ioas);
	cr_assert_eq(t->f.log[mark + 1].req, IOFD_GET_HW_INFO);
	c = &t->f.log[mark + 2];
	cr_assert_eq(c->req, IOFD_HWPT_ALLOC);
	cr_assert_eq(c->flags, IOFD_HWPT_ALLOC_NEST_PARENT);
	cr_assert_eq(c->pt, t->be.gpa_ioas);
	cr_assert_eq(c->size, IOFD_HWPT_ALLOC_SIZE_V1, "no fault_id: 6.6 size");
	c = &t->f.log[mark + 3];
	cr_assert_eq(c->op, IOFD_TEST_OP_MOCK_DOMAIN_REPLACE);
	d = iommufd_be__dev(&t->be, T_EP);
	cr_assert_eq(c->pt, d->parent);
	cr_assert_eq(d->s1, IOMMUFD_S1_RID);

	t_core(t);
	ep = viommu__add_endpoint(&t->v, T_EP, &t_want, NULL);
	cr_assert_eq(ep->dev_id, d->dev_id);
	cr_assert(ep->caps.page_req);
	cr_assert_eq(viommu__attach(&t->v, T_DOM, T_EP, 0), VIRTIO_IOMMU_S_OK);
	mark = t->f.nr;
	cr_assert_eq(viommu__attach_table(&t->v, T_EP, 1, 0,
					  VSVA_S1_FORMAT_X86_64, 4, 0x5000),
		     VIRTIO_IOMMU_S_OK);
	c = &t->f.log[mark];
	cr_assert_eq(c->req, IOFD_HWPT_ALLOC);
	cr_assert_eq(c->flags, IOFD_HWPT_FAULT_ID_VALID);
	cr_assert_eq(c->size, sizeof(struct iofd_hwpt_alloc));
	cr_assert_eq(c->fault_id, t->be.fault_id);
	cr_assert_eq(c->pt, d->parent);
	cr_assert_eq(c->data_type, IOFD_HWPT_DATA_SELFTEST);
	cr_assert_eq(c->data.st.iotlb, iommufd_be__mock_iotlb(&desc));
	cr_assert_eq(t->f.log[mark + 1].op, IOFD_TEST_OP_MOCK_DOMAIN_REPLACE);
	cr_assert_eq(t->f.log[mark + 1].pt,
		     iommufd_be__nested_hwpt(&t->be, T_EP, 1));
	/* The core's PASID-cache flush: one ALL entry. */
	c = f_last(&t->f, IOFD_HWPT_INVALIDATE);
	cr_assert_eq(c->n, 1);
	cr_assert_eq(c->inv.st[0].flags, IOFD_TEST_INVALIDATE_FLAG_ALL);
	/* One table at a time on the RID. */
	cr_assert_eq(viommu__attach_table(&t->v, T_EP, 2, 0,
					  VSVA_S1_FORMAT_X86_64, 4, 0x6000),
		     VIRTIO_IOMMU_S_UNSUPP);
	viommu__free(&t->v);
	cr_assert_eq(iommufd_be__destroy(&t->be), 0);
	cr_assert_eq(f_live_count(&t->f), 0);
	t_free(t);
}

Test(iommufd_backend, no_nesting_falls_back_to_shadowing)
{
	struct t *t = t_new(IOFD_HW_INFO_TYPE_SELFTEST);
	const struct iommufd_be_dev *d;
	struct viommu_endpoint *ep;
	struct s1_desc desc = t_desc(0x5000, 4, 0);
	struct f_call *c;
	int mark;

	t->f.nest_parent_err = -EOPNOTSUPP;
	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	cr_assert_eq(iommufd_be__add_mock(&t->be, T_EP), 0);
	d = iommufd_be__dev(&t->be, T_EP);
	cr_assert_eq(d->s1, IOMMUFD_S1_NONE);
	cr_assert_eq(d->parent, 0);
	cr_assert_not_null(strstr(d->reason, "IOMMU_HWPT_ALLOC_NEST_PARENT"),
			   "%s", d->reason);
	cr_assert_eq(d->rid_pt, t->be.gpa_ioas, "bypass is stage 2 itself");

	t_core(t);
	ep = viommu__add_endpoint(&t->v, T_EP, &t_want, NULL);
	cr_assert_eq(ep->caps.pasid_bits, 0, "no tables offered");
	cr_assert_not(ep->caps.page_req);
	cr_assert_eq(ep->dev_id, d->dev_id);

	/* MAP/UNMAP still work: the domain gets its own IOAS. */
	cr_assert_eq(viommu__attach(&t->v, T_DOM, T_EP, 0), VIRTIO_IOMMU_S_OK);
	cr_assert_neq(d->rid_pt, t->be.gpa_ioas);
	cr_assert_neq(d->rid_pt, t->be.blocked_ioas);
	cr_assert_eq(viommu__map(&t->v, T_DOM, 0x100000, 0x10ffff, 0x200000,
				 VIRTIO_IOMMU_MAP_F_READ),
		     VIRTIO_IOMMU_S_OK);
	c = f_last(&t->f, IOFD_IOAS_MAP);
	cr_assert_eq(c->id, d->rid_pt);
	cr_assert_eq(c->iova, 0x100000);
	cr_assert_eq(c->len, 0x10000);
	cr_assert_eq(c->flags, IOFD_IOAS_MAP_FIXED_IOVA |
		     IOFD_IOAS_MAP_READABLE);
	cr_assert_eq(t->f.maps[t->f.nr_maps - 1].va, t->ram + 0x200000);
	cr_assert_eq(viommu__unmap(&t->v, T_DOM, 0x100000, 0x10ffff),
		     VIRTIO_IOMMU_S_OK);
	cr_assert_eq(f_last(&t->f, IOFD_IOAS_UNMAP)->ret, 0);

	/* Stage 1: refused with UNSUPP, nothing asked of the host. */
	mark = t->f.nr;
	cr_assert_eq(viommu__attach_table(&t->v, T_EP, 1, 0,
					  VSVA_S1_FORMAT_X86_64, 4, 0x5000),
		     VIRTIO_IOMMU_S_UNSUPP);
	cr_assert_eq(iommufd_be_ops.attach_table(&t->be, ep, 1, &desc, false),
		     -EOPNOTSUPP);
	cr_assert_eq(t->be.stats.refused_s1, 1);
	cr_assert_eq(f_count(&t->f, mark, IOFD_HWPT_ALLOC), 0);
	viommu__free(&t->v);
	cr_assert_eq(iommufd_be__destroy(&t->be), 0);
	cr_assert_eq(f_live_count(&t->f), 0);
	t_free(t);
}

Test(iommufd_backend, no_fault_queue_no_page_requests)
{
	struct t *t = t_new(IOFD_HW_INFO_TYPE_SELFTEST);
	struct viommu_endpoint *ep;

	t->f.fault_err = -ENOTTY;
	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	cr_assert_eq(iommufd_be__fault_fd(&t->be), -1);
	cr_assert_not_null(strstr(t->be.fault_reason,
				  "IOMMU_FAULT_QUEUE_ALLOC"));
	cr_assert_eq(iommufd_be__add_mock(&t->be, T_EP), 0);
	t_core(t);
	ep = viommu__add_endpoint(&t->v, T_EP, &t_want, NULL);
	cr_assert_not(ep->caps.page_req);
	cr_assert_eq(ep->caps.pasid_bits, 20, "tables still offered");
	cr_assert_eq(viommu__attach(&t->v, T_DOM, T_EP, 0), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(viommu__attach_table(&t->v, T_EP, 1, 0,
					  VSVA_S1_FORMAT_X86_64, 4, 0x5000),
		     VIRTIO_IOMMU_S_OK);
	cr_assert_eq(f_last(&t->f, IOFD_HWPT_ALLOC)->flags, 0);
	cr_assert_eq(f_last(&t->f, IOFD_HWPT_ALLOC)->size,
		     IOFD_HWPT_ALLOC_SIZE_V1, "fault_id never set");
	viommu__free(&t->v);
	cr_assert_eq(iommufd_be__destroy(&t->be), 0);
	t_free(t);
}

Test(iommufd_backend, vtd_caps_data_and_pasid_attach)
{
	struct t *t = t_new(IOFD_HW_INFO_TYPE_INTEL_VTD);
	const struct iommufd_be_dev *d;
	struct viommu_endpoint *ep;
	struct iommufd_be_drain dr;
	struct f_call *c;
	u32 h1, h2;
	int mark;

	t_vtd(t);
	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	mark = t->f.nr;
	cr_assert_eq(iommufd_be__add_vfio(&t->be, T_EP, 77), 0);
	c = &t->f.log[mark];
	cr_assert_eq(c->req, VFIO_CDEV_BIND_IOMMUFD);
	cr_assert_eq(c->size, sizeof(struct vfio_cdev_bind_iommufd));
	d = iommufd_be__dev(&t->be, T_EP);
	cr_assert_eq(d->s1, IOMMUFD_S1_PASID, "%s", d->reason);
	cr_assert_eq(d->pasid_bits, 20);
	cr_assert_eq(t->f.log[mark + 2].flags, IOFD_HWPT_ALLOC_NEST_PARENT |
		     IOFD_HWPT_ALLOC_PASID);
	c = &t->f.log[mark + 3];
	cr_assert_eq(c->req, VFIO_CDEV_ATTACH_IOMMUFD_PT);
	cr_assert_eq(c->size, VFIO_CDEV_ATTACH_SIZE_V1, "RID: 6.6 argsz");
	cr_assert_eq(c->flags, 0);
	cr_assert_eq(c->pt, d->parent);

	t_core(t);
	ep = viommu__add_endpoint(&t->v, T_EP, &t_want, NULL);
	cr_assert_eq(ep->caps.formats, VSVA_S1_FMT_X86_64_4LVL |
		     VSVA_S1_FMT_X86_64_5LVL);
	cr_assert_eq(ep->caps.table_flags, VSVA_TABLE_F_SRE |
		     VSVA_TABLE_F_WPE, "no EAFS, no NXE control");
	cr_assert_eq(ep->caps.pasid_bits, 20, "ECAP.PSS + 1");
	cr_assert(ep->caps.page_req);
	cr_assert_eq(viommu__attach(&t->v, T_DOM, T_EP, 0), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(viommu__attach_table(&t->v, T_EP, 1, VSVA_TABLE_F_EAFE,
					  VSVA_S1_FORMAT_X86_64, 4, 0x5000),
		     VIRTIO_IOMMU_S_UNSUPP, "EAFE not offered");

	mark = t->f.nr;
	cr_assert_eq(viommu__attach_table(&t->v, T_EP, 1,
					  VSVA_TABLE_F_SRE | VSVA_TABLE_F_WPE,
					  VSVA_S1_FORMAT_X86_64, 5, 0x5000),
		     VIRTIO_IOMMU_S_OK);
	c = &t->f.log[mark];
	cr_assert_eq(c->req, IOFD_HWPT_ALLOC);
	cr_assert_eq(c->flags, IOFD_HWPT_FAULT_ID_VALID | IOFD_HWPT_ALLOC_PASID);
	cr_assert_eq(c->data_type, IOFD_HWPT_DATA_VTD_S1);
	cr_assert_eq(c->data.vtd.pgtbl_addr, 0x5000);
	cr_assert_eq(c->data.vtd.addr_width, 57);
	cr_assert_eq(c->data.vtd.flags, IOFD_VTD_S1_SRE | IOFD_VTD_S1_WPE);
	c = &t->f.log[mark + 1];
	cr_assert_eq(c->req, VFIO_CDEV_ATTACH_IOMMUFD_PT);
	cr_assert_eq(c->size, sizeof(struct vfio_cdev_attach_iommufd_pt));
	cr_assert_eq(c->flags, VFIO_CDEV_ATTACH_PASID);
	cr_assert_eq(c->pasid, 1);
	h1 = iommufd_be__nested_hwpt(&t->be, T_EP, 1);
	cr_assert_eq(c->pt, h1);
	cr_assert_eq(d->rid_pt, d->dom_pt, "the RID stays on its domain");
	/* The core's PASID-cache flush: a full VT-d flush. */
	c = f_last(&t->f, IOFD_HWPT_INVALIDATE);
	cr_assert_eq(c->id, h1);
	cr_assert_eq(c->inv.vtd[0].addr, 0);
	cr_assert_eq(c->inv.vtd[0].npages, ~0ULL);

	/* Replace: a new HWPT attached over the old, which goes. */
	cr_assert_eq(viommu__attach_table(&t->v, T_EP, 1, 0,
					  VSVA_S1_FORMAT_X86_64, 4, 0x7000),
		     VIRTIO_IOMMU_S_OK);
	h2 = iommufd_be__nested_hwpt(&t->be, T_EP, 1);
	cr_assert_neq(h1, h2);
	cr_assert_eq(t->f.obj[h1].kind, F_FREE, "old table destroyed");
	cr_assert_eq(f_last(&t->f, IOFD_HWPT_ALLOC)->data.vtd.addr_width, 48);
	iommufd_be__drain(&t->be, T_EP, &dr);
	cr_assert_eq(dr.kind, IOMMUFD_DRAIN_HOST_ANSWERED);
	cr_assert_eq(dr.pasid, 1, "per-PASID attach: only that PASID");

	/* Detach: VFIO DETACH of the PASID, then the HWPT goes. */
	cr_assert_eq(viommu__detach_table(&t->v, T_EP, 1), VIRTIO_IOMMU_S_OK);
	c = f_last(&t->f, VFIO_CDEV_DETACH_IOMMUFD_PT);
	cr_assert_eq(c->flags, VFIO_CDEV_DETACH_PASID);
	cr_assert_eq(c->pasid, 1);
	cr_assert_eq(c->size, sizeof(struct vfio_cdev_detach_iommufd_pt));
	cr_assert_eq(t->f.obj[h2].kind, F_FREE);
	iommufd_be__drain(&t->be, T_EP, &dr);
	cr_assert_eq(dr.kind, IOMMUFD_DRAIN_HOST_ANSWERED);
	viommu__free(&t->v);
	cr_assert_eq(iommufd_be__destroy(&t->be), 0);
	cr_assert_eq(f_live_count(&t->f), 0);
	t_free(t);
}

Test(iommufd_backend, vtd_without_nesting_or_pasid_hwpts)
{
	struct t *t = t_new(IOFD_HW_INFO_TYPE_INTEL_VTD);
	const struct iommufd_be_dev *d;

	t_vtd(t);
	t->f.vtd.ecap_reg &= ~(1ULL << 26);	/* no NEST */
	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	cr_assert_eq(iommufd_be__add_vfio(&t->be, T_EP, 77), 0);
	d = iommufd_be__dev(&t->be, T_EP);
	cr_assert_eq(d->s1, IOMMUFD_S1_NONE);
	cr_assert_not_null(strstr(d->reason, "NEST=0"), "%s", d->reason);
	cr_assert_eq(f_count(&t->f, 0, IOFD_HWPT_ALLOC), 0);
	cr_assert_eq(iommufd_be__destroy(&t->be), 0);
	t_free(t);

	/* A kernel before 6.15: nesting, but no PASID-capable HWPTs. */
	t = t_new(IOFD_HW_INFO_TYPE_INTEL_VTD);
	t_vtd(t);
	t->f.alloc_pasid_err = -EOPNOTSUPP;
	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	cr_assert_eq(iommufd_be__add_vfio(&t->be, T_EP, 77), 0);
	d = iommufd_be__dev(&t->be, T_EP);
	cr_assert_eq(d->s1, IOMMUFD_S1_NONE);
	cr_assert_not_null(strstr(d->reason, "IOMMU_HWPT_ALLOC_PASID"), "%s",
			   d->reason);
	cr_assert_eq(iommufd_be__destroy(&t->be), 0);
	cr_assert_eq(f_live_count(&t->f), 0, "the probe HWPT went too");
	t_free(t);
}

/* Two PASIDs on one VT-d device; entry 1 of PASID 1's batch refused. */
Test(iommufd_backend, partial_invalidate_maps_back_per_entry)
{
	struct t *t = t_new(IOFD_HW_INFO_TYPE_INTEL_VTD);
	struct virtio_iommu_inv_entry e[5] = {
		{ .scope = VSVA_INV_S_ADDR, .flags = VSVA_INV_F_ENDPOINT,
		  .id = T_EP, .pasid = 1, .addr = 0x10000, .nr_pages = 1 },
		{ .scope = VSVA_INV_S_ADDR, .flags = VSVA_INV_F_ENDPOINT,
		  .id = T_EP, .pasid = 1, .addr = 0xbad000, .nr_pages = 2 },
		{ .scope = VSVA_INV_S_ADDR, .flags = VSVA_INV_F_ENDPOINT | VSVA_INV_F_LEAF,
		  .id = T_EP, .pasid = 2, .addr = 0x30000, .nr_pages = 3 },
		{ .scope = VSVA_INV_S_PASID, .flags = VSVA_INV_F_ENDPOINT,
		  .id = T_EP, .pasid = 1 },
		{ .scope = VSVA_INV_S_ADDR, .flags = VSVA_INV_F_ENDPOINT,
		  .id = T_EP, .pasid = 1, .addr = 0x40000, .nr_pages = 1 },
	};
	u8 status[5];
	u32 h1, h2;
	int mark;

	t_vtd(t);
	t->f.bad_inv_addr = 0xbad000;
	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	cr_assert_eq(iommufd_be__add_vfio(&t->be, T_EP, 77), 0);
	t_core(t);
	viommu__add_endpoint(&t->v, T_EP, &t_want, NULL);
	cr_assert_eq(viommu__attach(&t->v, T_DOM, T_EP, 0), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(viommu__attach_table(&t->v, T_EP, 1, 0,
					  VSVA_S1_FORMAT_X86_64, 4, 0x5000),
		     VIRTIO_IOMMU_S_OK);
	cr_assert_eq(viommu__attach_table(&t->v, T_EP, 2, 0,
					  VSVA_S1_FORMAT_X86_64, 4, 0x6000),
		     VIRTIO_IOMMU_S_OK);
	h1 = iommufd_be__nested_hwpt(&t->be, T_EP, 1);
	h2 = iommufd_be__nested_hwpt(&t->be, T_EP, 2);

	mark = t->f.nr;
	cr_assert_eq(viommu__invalidate_batch(&t->v, e, 5, status),
		     VIRTIO_IOMMU_S_IOERR);
	cr_assert_eq(status[0], VIRTIO_IOMMU_S_OK);
	cr_assert_eq(status[1], VIRTIO_IOMMU_S_IOERR);
	cr_assert_eq(status[2], VIRTIO_IOMMU_S_OK);
	cr_assert_eq(status[3], VIRTIO_IOMMU_S_OK);
	cr_assert_eq(status[4], VIRTIO_IOMMU_S_OK);
	/* PASID 1: 4 entries, refused at 1, the last 2 sent again; PASID
	 * 2: one call. */
	cr_assert_eq(f_count(&t->f, mark, IOFD_HWPT_INVALIDATE), 3);
	cr_assert_eq(t->f.log[mark].id, h1);
	cr_assert_eq(t->f.log[mark].n, 4);
	cr_assert_eq(t->f.log[mark].inv.vtd[1].npages, 2);
	cr_assert_eq(t->f.log[mark].inv.vtd[2].npages, ~0ULL);
	cr_assert_eq(t->f.log[mark + 1].id, h1);
	cr_assert_eq(t->f.log[mark + 1].n, 2);
	cr_assert_eq(t->f.log[mark + 1].inv.vtd[1].addr, 0x40000);
	cr_assert_eq(t->f.log[mark + 2].id, h2);
	cr_assert_eq(t->f.log[mark + 2].n, 1);
	cr_assert_eq(t->f.log[mark + 2].inv.vtd[0].npages, 3);
	cr_assert_eq(t->f.log[mark + 2].inv.vtd[0].flags,
		     IOFD_VTD_INV_FLAGS_LEAF);
	cr_assert_eq(t->be.stats.inval_failed, 1);

	/* A failure not about an entry: every entry of that HWPT fails,
	 * in one call. */
	t->f.inval_err = -EFAULT;
	mark = t->f.nr;
	viommu__invalidate_batch(&t->v, e, 1, status);
	cr_assert_eq(status[0], VIRTIO_IOMMU_S_IOERR);
	cr_assert_eq(f_count(&t->f, mark, IOFD_HWPT_INVALIDATE), 1);
	t->f.inval_err = 0;

	viommu__free(&t->v);
	cr_assert_eq(iommufd_be__destroy(&t->be), 0);
	cr_assert_eq(f_live_count(&t->f), 0);
	t_free(t);
}

Test(iommufd_backend, mock_invalidation_slots)
{
	struct t *t = t_new(IOFD_HW_INFO_TYPE_SELFTEST);
	struct viommu_endpoint ep = { .id = T_EP };
	struct s1_desc desc = t_desc(0x5000, 4, 0);
	struct viommu_inval inv[4] = {
		{ .scope = VSVA_INV_S_ADDR, .endpoint = T_EP, .pasid = 3,
		  .addr = 0x7f0000005000ULL, .nr_pages = 1 },
		{ .scope = VSVA_INV_S_ADDR, .endpoint = T_EP, .pasid = 3,
		  .addr = 0x3000, .nr_pages = 2 },
		{ .scope = VSVA_INV_S_ADDR, .endpoint = T_EP, .pasid = 3,
		  .addr = 0x3000, .nr_pages = 4 },
		{ .scope = VSVA_INV_S_ADDR, .endpoint = T_EP, .pasid = 4,
		  .addr = 0x3000, .nr_pages = 1 },
	};
	int err[4];
	struct f_call *c;
	int mark;

	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	cr_assert_eq(iommufd_be__add_mock(&t->be, T_EP), 0);
	cr_assert_eq(iommufd_be_ops.attach_table(&t->be, &ep, 3, &desc, false),
		     0);
	mark = t->f.nr;
	iommufd_be_ops.invalidate(&t->be, inv, 4, err);
	cr_assert_eq(f_count(&t->f, mark, IOFD_HWPT_INVALIDATE), 1,
		     "one call per HWPT; PASID 4 has none");
	c = f_last(&t->f, IOFD_HWPT_INVALIDATE);
	cr_assert_eq(c->n, 4);
	cr_assert_eq(c->data_type, IOFD_HWPT_INVALIDATE_DATA_SELFTEST);
	cr_assert_eq(c->inv.st[0].iotlb_id, 1, "page 5 -> slot 1");
	cr_assert_eq(c->inv.st[1].iotlb_id, 3);
	cr_assert_eq(c->inv.st[2].iotlb_id, 0);
	cr_assert_eq(c->inv.st[3].flags, IOFD_TEST_INVALIDATE_FLAG_ALL);
	cr_assert_eq(c->inv.st[3].iotlb_id, 0, "the mock checks it anyway");
	for (int i = 0; i < 4; i++)
		cr_assert_eq(err[i], 0);
	cr_assert_eq(iommufd_be__destroy(&t->be), 0);
	cr_assert_eq(f_live_count(&t->f), 0);
	t_free(t);
}

Test(iommufd_backend, domains_share_an_ioas_and_go_with_the_last)
{
	struct t *t = t_new(IOFD_HW_INFO_TYPE_SELFTEST);
	const struct iommufd_be_dev *d1, *d2;
	u32 ioas;

	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	cr_assert_eq(iommufd_be__add_mock(&t->be, T_EP), 0);
	cr_assert_eq(iommufd_be__add_mock(&t->be, T_EP2), 0);
	d1 = iommufd_be__dev(&t->be, T_EP);
	d2 = iommufd_be__dev(&t->be, T_EP2);
	t_core(t);
	viommu__add_endpoint(&t->v, T_EP, &t_want, NULL);
	viommu__add_endpoint(&t->v, T_EP2, &t_want, NULL);
	viommu__add_endpoint(&t->v, T_EMUL, &t_want, NULL);
	/* An emulated endpoint's domain has no host IOAS... */
	cr_assert_eq(viommu__attach(&t->v, T_DOM, T_EMUL, 0),
		     VIRTIO_IOMMU_S_OK);
	cr_assert_eq(viommu__map(&t->v, T_DOM, 0x100000, 0x100fff, 0x300000,
				 VIRTIO_IOMMU_MAP_F_READ |
				 VIRTIO_IOMMU_MAP_F_WRITE), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(f_count(&t->f, 0, IOFD_IOAS_MAP), t->mem.nr_regions);
	/* ...until a host device joins: then its mappings are replayed. */
	cr_assert_eq(viommu__attach(&t->v, T_DOM, T_EP, 0), VIRTIO_IOMMU_S_OK);
	ioas = d1->rid_pt;
	cr_assert_eq(f_count(&t->f, 0, IOFD_IOAS_MAP), t->mem.nr_regions + 1);
	cr_assert_eq(f_last(&t->f, IOFD_IOAS_MAP)->id, ioas);
	cr_assert_eq(f_last(&t->f, IOFD_IOAS_MAP)->iova, 0x100000);
	cr_assert_eq(viommu__attach(&t->v, T_DOM, T_EP2, 0), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(d2->rid_pt, ioas, "one IOAS per guest domain");
	cr_assert_eq(f_count(&t->f, 0, IOFD_IOAS_MAP), t->mem.nr_regions + 1);
	/* EP moves to a bypass domain: replaced, then the old ref goes. */
	cr_assert_eq(viommu__attach(&t->v, T_DOM + 1, T_EP,
				    VIRTIO_IOMMU_ATTACH_F_BYPASS),
		     VIRTIO_IOMMU_S_OK);
	cr_assert_eq(d1->rid_pt, d1->parent, "bypass = the nest parent");
	cr_assert_eq(t->f.obj[ioas].kind, F_IOAS, "still used by EP2");
	cr_assert_eq(viommu__detach(&t->v, T_DOM, T_EP2), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(d2->rid_pt, t->be.blocked_ioas, "detached: blocked");
	cr_assert_eq(t->f.obj[ioas].kind, F_FREE, "last user gone");
	/* The core unmaps the dead domain's mappings: harmless. */
	viommu__free(&t->v);
	cr_assert_eq(iommufd_be__destroy(&t->be), 0);
	cr_assert_eq(f_live_count(&t->f), 0);
	t_free(t);
}

Test(iommufd_backend, failed_pasid_detach_leaves_answers_to_vsva)
{
	struct t *t = t_new(IOFD_HW_INFO_TYPE_INTEL_VTD);
	struct viommu_endpoint ep = { .id = T_EP };
	struct s1_desc desc = t_desc(0x5000, 4, 0);
	struct iommufd_be_drain dr;

	t_vtd(t);
	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	cr_assert_eq(iommufd_be__add_vfio(&t->be, T_EP, 77), 0);
	cr_assert_eq(iommufd_be_ops.attach_table(&t->be, &ep, 2, &desc, false),
		     0);
	iommufd_be__drain(&t->be, T_EP, &dr);
	cr_assert_eq(dr.kind, IOMMUFD_DRAIN_NONE, "a first bind drains nothing");
	t->f.detach_pasid_err = -EIO;
	iommufd_be_ops.detach_table(&t->be, &ep, 2);
	iommufd_be__drain(&t->be, T_EP, &dr);
	cr_assert_eq(dr.kind, IOMMUFD_DRAIN_VSVA_ANSWERS);
	cr_assert_eq(dr.pasid, 2);
	cr_assert_eq(iommufd_be__nested_hwpt(&t->be, T_EP, 2), 0);
	t->f.detach_pasid_err = 0;
	/* The HWPT is still attached on the host: its destroy failed. */
	cr_assert_gt(t->be.stats.errors, 0);
	iommufd_be__destroy(&t->be);
	t_free(t);
}

Test(iommufd_backend, replace_failure_keeps_the_old_table)
{
	struct t *t = t_new(IOFD_HW_INFO_TYPE_SELFTEST);
	struct viommu_endpoint ep = { .id = T_EP };
	struct s1_desc desc = t_desc(0x5000, 4, 0);
	struct iommufd_be_drain dr;
	u32 h;

	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	cr_assert_eq(iommufd_be__add_mock(&t->be, T_EP), 0);
	cr_assert_eq(iommufd_be_ops.attach_table(&t->be, &ep, 1, &desc, false),
		     0);
	h = iommufd_be__nested_hwpt(&t->be, T_EP, 1);
	/* The new HWPT cannot be made: the old one stays, nothing drained. */
	t->f.obj[iommufd_be__dev(&t->be, T_EP)->parent].kind = F_IOAS;
	cr_assert_neq(iommufd_be_ops.attach_table(&t->be, &ep, 1, &desc, true),
		      0);
	t->f.obj[iommufd_be__dev(&t->be, T_EP)->parent].kind = F_HWPT;
	cr_assert_eq(iommufd_be__nested_hwpt(&t->be, T_EP, 1), h);
	iommufd_be__drain(&t->be, T_EP, &dr);
	cr_assert_eq(dr.kind, IOMMUFD_DRAIN_NONE);
	/* Replacing on the RID answers every PASID's requests. */
	cr_assert_eq(iommufd_be_ops.attach_table(&t->be, &ep, 1, &desc, true),
		     0);
	iommufd_be__drain(&t->be, T_EP, &dr);
	cr_assert_eq(dr.kind, IOMMUFD_DRAIN_HOST_ANSWERED);
	cr_assert_eq(dr.pasid, PRQ_ALL_PASIDS);
	cr_assert_eq(iommufd_be__destroy(&t->be), 0);
	cr_assert_eq(f_live_count(&t->f), 0);
	t_free(t);
}

Test(iommufd_backend, emulated_endpoints_get_no_stage1)
{
	struct t *t = t_new(IOFD_HW_INFO_TYPE_SELFTEST);
	struct viommu_endpoint *ep;
	int mark;

	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	t_core(t);
	ep = viommu__add_endpoint(&t->v, T_EP, &t_want, NULL);
	cr_assert_eq(ep->caps.pasid_bits, 0);
	cr_assert_not(ep->caps.page_req);
	cr_assert_eq(ep->dev_id, 0);
	mark = t->f.nr;
	cr_assert_eq(viommu__attach(&t->v, T_DOM, T_EP, 0), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(viommu__map(&t->v, T_DOM, 0x100000, 0x100fff, 0x300000,
				 VIRTIO_IOMMU_MAP_F_READ), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(t->f.nr, mark, "nothing asked of the host");
	viommu__free(&t->v);
	cr_assert_eq(iommufd_be__destroy(&t->be), 0);
	t_free(t);
}

Test(iommufd_backend, ram_outside_the_host_ranges_is_refused)
{
	struct t *t = t_new(IOFD_HW_INFO_TYPE_SELFTEST);

	t->f.aperture_start = 1ULL << 24;	/* the mock's: RAM at 0 is out */
	t->f.aperture_last = (1ULL << 31) - 1;
	cr_assert_eq(iommufd_be__init(&t->be, &t->ifd, &t->mem), 0);
	cr_assert_eq(iommufd_be__add_mock(&t->be, T_EP), -ERANGE);
	cr_assert_null(iommufd_be__dev(&t->be, T_EP));
	cr_assert_eq(f_count(&t->f, 0, IOFD_IOAS_IOVA_RANGES), 1);
	cr_assert_eq(iommufd_be__destroy(&t->be), 0);
	cr_assert_eq(f_live_count(&t->f), 0, "the mock device and parent went");
	t_free(t);
}
