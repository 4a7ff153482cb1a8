// SPDX-License-Identifier: GPL-2.0
/*
 * viommu/iommufd.c, the ioctl layer: what each call puts in the struct
 * (sizes by the kernel's rules), what it takes out, and errno handling,
 * through a recording hook; and the real ioctl(2) path on bad FDs.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <vsva/iommufd.h>
#include <vsva/prq.h>

struct rec {
	int fd;
	unsigned long req;
	u8 arg[128];
	int ret;		/* what to return */
	void (*fill)(void *arg);	/* the "kernel" writes back */
};

static int rec_ioctl(void *opaque, int fd, unsigned long req, void *arg)
{
	struct rec *r = opaque;

	r->fd = fd;
	r->req = req;
	/* Every struct starts with its size (argsz for VFIO). */
	memcpy(r->arg, arg, MIN(*(u32 *)arg, (u32)sizeof(r->arg)));
	if (r->fill)
		r->fill(arg);
	return r->ret;
}

static struct iommufd rec_fd(struct rec *r)
{
	struct iommufd ifd;

	memset(r, 0, sizeof(*r));
	iommufd__init(&ifd, 5, rec_ioctl, r);
	return ifd;
}

Test(iommufd_ioctl, unmap_enoent_is_success)
{
	struct rec r;
	struct iommufd ifd = rec_fd(&r);
	struct iofd_ioas_unmap *c = (void *)r.arg;
	u64 done = 1;

	r.ret = -ENOENT;
	cr_assert_eq(iommufd__ioas_unmap(&ifd, 9, 0x1000, 0x2000, &done), 0);
	cr_assert_eq(done, 0);
	cr_assert_eq(r.req, IOFD_IOAS_UNMAP);
	cr_assert_eq(c->size, sizeof(*c));
	cr_assert_eq(c->ioas_id, 9);
	cr_assert_eq(c->iova, 0x1000);
	cr_assert_eq(c->length, 0x2000);
	r.ret = -EBUSY;
	cr_assert_eq(iommufd__ioas_unmap(&ifd, 9, 0, 1, NULL), -EBUSY);
}

Test(iommufd_ioctl, map_is_fixed_iova)
{
	struct rec r;
	struct iommufd ifd = rec_fd(&r);
	struct iofd_ioas_map *c = (void *)r.arg;
	static u8 buf[64];

	cr_assert_eq(iommufd__ioas_map(&ifd, 4, 0x40000, buf, 0x1000,
				       IOFD_IOAS_MAP_READABLE), 0);
	cr_assert_eq(r.fd, 5);
	cr_assert_eq(c->size, 40);
	cr_assert_eq(c->flags, IOFD_IOAS_MAP_FIXED_IOVA |
		     IOFD_IOAS_MAP_READABLE);
	cr_assert_eq(c->user_va, (u64)(uintptr_t)buf);
	cr_assert_eq(c->iova, 0x40000);
	cr_assert_eq(c->reserved, 0);
}

static void fill_hwpt(void *arg)
{
	((struct iofd_hwpt_alloc *)arg)->out_hwpt_id = 42;
}

Test(iommufd_ioctl, hwpt_alloc_size_follows_fault_id)
{
	struct rec r;
	struct iommufd ifd = rec_fd(&r);
	struct iofd_hwpt_alloc *c = (void *)r.arg;
	struct iofd_hwpt_selftest st = { 7 };
	struct iommufd_hwpt_args a = {
		.dev_id = 1, .pt_id = 2, .flags = IOFD_HWPT_ALLOC_NEST_PARENT,
	};
	u32 id = 0;

	r.fill = fill_hwpt;
	cr_assert_eq(iommufd__hwpt_alloc(&ifd, &a, &id), 0);
	cr_assert_eq(id, 42);
	cr_assert_eq(c->size, 40, "pre-6.11 size: the kernel sees no fault_id");
	cr_assert_eq(c->fault_id, 0);
	a = (struct iommufd_hwpt_args){
		.dev_id = 1, .pt_id = 3, .flags = IOFD_HWPT_FAULT_ID_VALID,
		.fault_id = 9, .data_type = IOFD_HWPT_DATA_SELFTEST,
		.data = &st, .data_len = sizeof(st),
	};
	cr_assert_eq(iommufd__hwpt_alloc(&ifd, &a, &id), 0);
	cr_assert_eq(c->size, 48);
	cr_assert_eq(c->fault_id, 9);
	cr_assert_eq(c->data_uptr, (u64)(uintptr_t)&st);
	cr_assert_eq(c->data_len, 4);
	r.fill = NULL;
	r.ret = -E2BIG;
	id = 0;
	cr_assert_eq(iommufd__hwpt_alloc(&ifd, &a, &id), -E2BIG);
	cr_assert_eq(id, 0, "no ID on failure");
}

static void fill_ranges(void *arg)
{
	struct iofd_ioas_iova_ranges *c = arg;

	c->num_iovas = 3;
	c->out_iova_alignment = 0x1000;
}

Test(iommufd_ioctl, iova_ranges_emsgsize_reports_the_count)
{
	struct rec r;
	struct iommufd ifd = rec_fd(&r);
	struct iofd_iova_range rg[1];
	u32 nr = 1;
	u64 align = 0;

	r.fill = fill_ranges;
	r.ret = -EMSGSIZE;
	cr_assert_eq(iommufd__ioas_iova_ranges(&ifd, 2, rg, &nr, &align),
		     -EMSGSIZE);
	cr_assert_eq(nr, 3);
	cr_assert_eq(align, 0x1000);
	r.ret = -ENOENT;
	nr = 1;
	cr_assert_eq(iommufd__ioas_iova_ranges(&ifd, 2, rg, &nr, NULL),
		     -ENOENT);
	cr_assert_eq(nr, 1, "untouched on other errors");
}

static void fill_partial(void *arg)
{
	((struct iofd_hwpt_invalidate *)arg)->entry_num = 2;
}

Test(iommufd_ioctl, invalidate_reports_how_far_it_got)
{
	struct rec r;
	struct iommufd ifd = rec_fd(&r);
	struct iofd_hwpt_invalidate *c = (void *)r.arg;
	struct iofd_hwpt_vtd_s1_invalidate e[5] = { { 0 } };
	u32 done = 0;

	cr_assert_eq(iommufd__hwpt_invalidate(&ifd, 8,
					      IOFD_HWPT_INVALIDATE_DATA_VTD_S1,
					      e, sizeof(e[0]), 5, &done), 0);
	cr_assert_eq(done, 5);
	cr_assert_eq(c->entry_len, 24);
	cr_assert_eq(c->entry_num, 5);
	cr_assert_eq(c->hwpt_id, 8);
	r.fill = fill_partial;
	r.ret = -EINVAL;
	cr_assert_eq(iommufd__hwpt_invalidate(&ifd, 8,
					      IOFD_HWPT_INVALIDATE_DATA_VTD_S1,
					      e, sizeof(e[0]), 5, &done),
		     -EINVAL);
	cr_assert_eq(done, 2, "entry 2 failed");
}

Test(iommufd_ioctl, vfio_argsz_by_pasid)
{
	struct rec r;
	struct iommufd ifd = rec_fd(&r);
	struct vfio_cdev_attach_iommufd_pt *a = (void *)r.arg;
	struct vfio_cdev_detach_iommufd_pt *d = (void *)r.arg;
	struct vfio_cdev_bind_iommufd *b = (void *)r.arg;
	u32 pt = 6, id;

	cr_assert_eq(iommufd__vfio_bind(&ifd, 11, &id), 0);
	cr_assert_eq(r.fd, 11, "on the device FD");
	cr_assert_eq(b->iommufd, 5, "naming our iommufd");
	cr_assert_eq(b->argsz, 16);
	cr_assert_eq(iommufd__vfio_attach(&ifd, 11, IOMMUFD_NO_PASID, &pt), 0);
	cr_assert_eq(a->argsz, 12);
	cr_assert_eq(a->flags, 0);
	cr_assert_eq(a->pt_id, 6);
	cr_assert_eq(iommufd__vfio_attach(&ifd, 11, 3, &pt), 0);
	cr_assert_eq(a->argsz, 16);
	cr_assert_eq(a->flags, VFIO_CDEV_ATTACH_PASID);
	cr_assert_eq(a->pasid, 3);
	cr_assert_eq(iommufd__vfio_detach(&ifd, 11, IOMMUFD_NO_PASID), 0);
	cr_assert_eq(d->argsz, 8);
	cr_assert_eq(d->flags, 0);
	cr_assert_eq(iommufd__vfio_detach(&ifd, 11, 4), 0);
	cr_assert_eq(d->argsz, 12);
	cr_assert_eq(d->flags, VFIO_CDEV_DETACH_PASID);
	cr_assert_eq(d->pasid, 4);
}

Test(iommufd_ioctl, test_cmd_layouts)
{
	struct rec r;
	struct iommufd ifd = rec_fd(&r);
	struct iofd_test_cmd *c = (void *)r.arg;
	u32 pt = 12;

	cr_assert_eq(iommufd__test_trigger_iopf(&ifd, 3, 1, 2,
						IOMMU_PGFAULT_PERM_READ,
						0xdeadb000ULL), 0);
	cr_assert_eq(r.req, IOFD_TEST_CMD);
	cr_assert_eq(c->size, 72);
	cr_assert_eq(c->op, IOFD_TEST_OP_TRIGGER_IOPF);
	cr_assert_eq(c->trigger_iopf.addr, 0xdeadb000ULL);
	cr_assert_eq(c->trigger_iopf.grpid, 2);
	cr_assert_eq(iommufd__test_mock_replace(&ifd, 4, &pt), 0);
	cr_assert_eq(c->op, IOFD_TEST_OP_MOCK_DOMAIN_REPLACE);
	cr_assert_eq(c->id, 4);
	cr_assert_eq(c->mock_domain_replace.pt_id, 12);
	cr_assert_eq(iommufd__test_check_iotlb(&ifd, 9, 3, 0xabc), 0);
	cr_assert_eq(c->check_iotlb.id, 3);
	cr_assert_eq(c->check_iotlb.iotlb, 0xabc);
}

Test(iommufd_ioctl, real_ioctl_errors)
{
	struct iommufd ifd;
	u32 id;

	cr_assert_eq(iommufd__open(&ifd, "/nonexistent/iommu"), -ENOENT);
	iommufd__init(&ifd, -1, NULL, NULL);
	cr_assert_eq(iommufd__ioas_alloc(&ifd, &id), -EBADF);
	iommufd__close(&ifd);
	cr_assert_eq(ifd.fd, -1);
}
