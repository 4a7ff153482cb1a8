// SPDX-License-Identifier: GPL-2.0
/*
 * The IOMMUFD ioctl layer (include/vsva/iommufd.h): one function per
 * ioctl, 0 or -errno, each traced.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <vsva/iommufd.h>
#include <vsva/log.h>

int iommufd__sys_ioctl(void *opaque, int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

void iommufd__init(struct iommufd *ifd, int fd, iommufd_ioctl_fn *fn,
		   void *opaque)
{
	ifd->fd = fd;
	ifd->ioctl = fn ? fn : iommufd__sys_ioctl;
	ifd->opaque = opaque;
}

int iommufd__open(struct iommufd *ifd, const char *path)
{
	int fd = open(path ? path : "/dev/iommu", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int err = -errno;

		pr_debug("iommufd: open %s: %s", path ? path : "/dev/iommu",
			 strerror(-err));
		return err;
	}
	iommufd__init(ifd, fd, NULL, NULL);
	pr_debug("iommufd: open -> fd %d", fd);
	return 0;
}

void iommufd__close(struct iommufd *ifd)
{
	if (ifd->fd >= 0)
		close(ifd->fd);
	ifd->fd = -1;
}

const char *iommufd__name(unsigned long req)
{
	switch (req) {
	case IOFD_DESTROY:			return "DESTROY";
	case IOFD_IOAS_ALLOC:			return "IOAS_ALLOC";
	case IOFD_IOAS_IOVA_RANGES:		return "IOAS_IOVA_RANGES";
	case IOFD_IOAS_MAP:			return "IOAS_MAP";
	case IOFD_IOAS_UNMAP:			return "IOAS_UNMAP";
	case IOFD_HWPT_ALLOC:			return "HWPT_ALLOC";
	case IOFD_GET_HW_INFO:			return "GET_HW_INFO";
	case IOFD_HWPT_INVALIDATE:		return "HWPT_INVALIDATE";
	case IOFD_FAULT_QUEUE_ALLOC:		return "FAULT_QUEUE_ALLOC";
	case IOFD_TEST_CMD:			return "TEST_CMD";
	case VFIO_CDEV_BIND_IOMMUFD:		return "VFIO_DEVICE_BIND_IOMMUFD";
	case VFIO_CDEV_ATTACH_IOMMUFD_PT:	return "VFIO_DEVICE_ATTACH_IOMMUFD_PT";
	case VFIO_CDEV_DETACH_IOMMUFD_PT:	return "VFIO_DEVICE_DETACH_IOMMUFD_PT";
	default:				return "?";
	}
}

static int iommufd__call(struct iommufd *ifd, int fd, unsigned long req,
			 void *arg)
{
	return ifd->ioctl(ifd->opaque, fd, req, arg);
}

int iommufd__destroy(struct iommufd *ifd, u32 id)
{
	struct iofd_destroy c = { .size = sizeof(c), .id = id };
	int ret = iommufd__call(ifd, ifd->fd, IOFD_DESTROY, &c);

	pr_debug("iommufd: DESTROY id=%u -> %d", id, ret);
	return ret;
}

int iommufd__ioas_alloc(struct iommufd *ifd, u32 *ioas_id)
{
	struct iofd_ioas_alloc c = { .size = sizeof(c) };
	int ret = iommufd__call(ifd, ifd->fd, IOFD_IOAS_ALLOC, &c);

	if (!ret)
		*ioas_id = c.out_ioas_id;
	pr_debug("iommufd: IOAS_ALLOC -> %d ioas=%u", ret, c.out_ioas_id);
	return ret;
}

int iommufd__ioas_map(struct iommufd *ifd, u32 ioas_id, u64 iova, void *va,
		      u64 len, u32 flags)
{
	struct iofd_ioas_map c = {
		.size = sizeof(c), .ioas_id = ioas_id,
		.flags = flags | IOFD_IOAS_MAP_FIXED_IOVA,
		.user_va = (u64)(uintptr_t)va, .length = len, .iova = iova,
	};
	int ret = iommufd__call(ifd, ifd->fd, IOFD_IOAS_MAP, &c);

	pr_debug("iommufd: IOAS_MAP ioas=%u iova=0x%llx len=0x%llx flags=0x%x -> %d",
		 ioas_id, (unsigned long long)iova, (unsigned long long)len,
		 c.flags, ret);
	return ret;
}

int iommufd__ioas_unmap(struct iommufd *ifd, u32 ioas_id, u64 iova, u64 len,
			u64 *unmapped)
{
	struct iofd_ioas_unmap c = {
		.size = sizeof(c), .ioas_id = ioas_id, .iova = iova,
		.length = len,
	};
	int ret = iommufd__call(ifd, ifd->fd, IOFD_IOAS_UNMAP, &c);

	pr_debug("iommufd: IOAS_UNMAP ioas=%u iova=0x%llx len=0x%llx -> %d%s",
		 ioas_id, (unsigned long long)iova, (unsigned long long)len,
		 ret, ret == -ENOENT ? " (nothing mapped: ok)" : "");
	if (ret == -ENOENT) {
		c.length = 0;
		ret = 0;
	}
	if (!ret && unmapped)
		*unmapped = c.length;
	return ret;
}

int iommufd__ioas_iova_ranges(struct iommufd *ifd, u32 ioas_id,
			      struct iofd_iova_range *r, u32 *nr, u64 *align)
{
	struct iofd_ioas_iova_ranges c = {
		.size = sizeof(c), .ioas_id = ioas_id, .num_iovas = *nr,
		.allowed_iovas = (u64)(uintptr_t)r,
	};
	int ret = iommufd__call(ifd, ifd->fd, IOFD_IOAS_IOVA_RANGES, &c);

	if (!ret || ret == -EMSGSIZE) {
		*nr = c.num_iovas;
		if (align)
			*align = c.out_iova_alignment;
	}
	pr_debug("iommufd: IOAS_IOVA_RANGES ioas=%u -> %d num=%u align=0x%llx",
		 ioas_id, ret, c.num_iovas,
		 (unsigned long long)c.out_iova_alignment);
	return ret;
}

int iommufd__get_hw_info(struct iommufd *ifd, u32 dev_id, void *data,
			 u32 len, struct iommufd_hw_info *out)
{
	struct iofd_hw_info c = {
		.size = sizeof(c), .dev_id = dev_id, .data_len = len,
		.data_uptr = (u64)(uintptr_t)data,
	};
	int ret = iommufd__call(ifd, ifd->fd, IOFD_GET_HW_INFO, &c);

	if (!ret) {
		out->type = c.out_data_type;
		out->data_len = c.data_len;
		out->max_pasid_log2 = c.out_max_pasid_log2;
		out->capabilities = c.out_capabilities;
	}
	pr_debug("iommufd: GET_HW_INFO dev=%u -> %d type=0x%x len=%u pasid_log2=%u caps=0x%llx",
		 dev_id, ret, c.out_data_type, c.data_len,
		 c.out_max_pasid_log2,
		 (unsigned long long)c.out_capabilities);
	return ret;
}

int iommufd__hwpt_alloc(struct iommufd *ifd, const struct iommufd_hwpt_args *a,
			u32 *hwpt_id)
{
	struct iofd_hwpt_alloc c = {
		.size = IOFD_HWPT_ALLOC_SIZE_V1, .flags = a->flags,
		.dev_id = a->dev_id, .pt_id = a->pt_id,
		.data_type = a->data_type, .data_len = a->data_len,
		.data_uptr = (u64)(uintptr_t)a->data,
	};
	int ret;

	if (a->flags & IOFD_HWPT_FAULT_ID_VALID) {
		c.size = sizeof(c);
		c.fault_id = a->fault_id;
	}
	ret = iommufd__call(ifd, ifd->fd, IOFD_HWPT_ALLOC, &c);
	if (!ret)
		*hwpt_id = c.out_hwpt_id;
	pr_debug("iommufd: HWPT_ALLOC dev=%u pt=%u flags=0x%x type=0x%x len=%u fault=%u -> %d hwpt=%u",
		 a->dev_id, a->pt_id, a->flags, a->data_type, a->data_len,
		 c.fault_id, ret, c.out_hwpt_id);
	return ret;
}

int iommufd__hwpt_invalidate(struct iommufd *ifd, u32 hwpt_id, u32 data_type,
			     const void *entries, u32 entry_len, u32 n,
			     u32 *done)
{
	struct iofd_hwpt_invalidate c = {
		.size = sizeof(c), .hwpt_id = hwpt_id,
		.data_uptr = (u64)(uintptr_t)entries, .data_type = data_type,
		.entry_len = entry_len, .entry_num = n,
	};
	int ret = iommufd__call(ifd, ifd->fd, IOFD_HWPT_INVALIDATE, &c);

	/* The kernel reports what it handled, also on failure. */
	*done = ret ? MIN(c.entry_num, n) : n;
	pr_debug("iommufd: HWPT_INVALIDATE hwpt=%u type=0x%x n=%u -> %d done=%u",
		 hwpt_id, data_type, n, ret, *done);
	return ret;
}

int iommufd__fault_queue_alloc(struct iommufd *ifd, u32 *fault_id,
			       int *fault_fd)
{
	struct iofd_fault_alloc c = { .size = sizeof(c) };
	int ret = iommufd__call(ifd, ifd->fd, IOFD_FAULT_QUEUE_ALLOC, &c);

	if (!ret) {
		*fault_id = c.out_fault_id;
		*fault_fd = (int)c.out_fault_fd;
	}
	pr_debug("iommufd: FAULT_QUEUE_ALLOC -> %d fault=%u fd=%u", ret,
		 c.out_fault_id, c.out_fault_fd);
	return ret;
}

static int iommufd__test(struct iommufd *ifd, struct iofd_test_cmd *c)
{
	c->size = sizeof(*c);
	return iommufd__call(ifd, ifd->fd, IOFD_TEST_CMD, c);
}

int iommufd__test_mock_domain(struct iommufd *ifd, u32 pt_id, u32 *stdev_id,
			      u32 *hwpt_id, u32 *dev_id)
{
	struct iofd_test_cmd c = { .op = IOFD_TEST_OP_MOCK_DOMAIN, .id = pt_id };
	int ret = iommufd__test(ifd, &c);

	if (!ret) {
		*stdev_id = c.mock_domain.out_stdev_id;
		if (hwpt_id)
			*hwpt_id = c.mock_domain.out_hwpt_id;
		*dev_id = c.mock_domain.out_idev_id;
	}
	pr_debug("iommufd: TEST MOCK_DOMAIN pt=%u -> %d stdev=%u hwpt=%u dev=%u",
		 pt_id, ret, c.mock_domain.out_stdev_id,
		 c.mock_domain.out_hwpt_id, c.mock_domain.out_idev_id);
	return ret;
}

int iommufd__test_mock_replace(struct iommufd *ifd, u32 stdev_id, u32 *pt_id)
{
	struct iofd_test_cmd c = {
		.op = IOFD_TEST_OP_MOCK_DOMAIN_REPLACE, .id = stdev_id,
		.mock_domain_replace.pt_id = *pt_id,
	};
	int ret = iommufd__test(ifd, &c);

	pr_debug("iommufd: TEST MOCK_DOMAIN_REPLACE stdev=%u pt=%u -> %d hwpt=%u",
		 stdev_id, *pt_id, ret, c.mock_domain_replace.pt_id);
	if (!ret)
		*pt_id = c.mock_domain_replace.pt_id;
	return ret;
}

int iommufd__test_check_iotlb(struct iommufd *ifd, u32 hwpt_id, u32 slot,
			      u32 iotlb)
{
	struct iofd_test_cmd c = {
		.op = IOFD_TEST_OP_MD_CHECK_IOTLB, .id = hwpt_id,
		.check_iotlb = { .id = slot, .iotlb = iotlb },
	};
	int ret = iommufd__test(ifd, &c);

	pr_debug("iommufd: TEST MD_CHECK_IOTLB hwpt=%u slot=%u iotlb=0x%x -> %d",
		 hwpt_id, slot, iotlb, ret);
	return ret;
}

int iommufd__test_trigger_iopf(struct iommufd *ifd, u32 dev_id, u32 pasid,
			       u32 grpid, u32 perm, u64 addr)
{
	struct iofd_test_cmd c = {
		.op = IOFD_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = {
			.dev_id = dev_id, .pasid = pasid, .grpid = grpid,
			.perm = perm, .addr = addr,
		},
	};
	int ret = iommufd__test(ifd, &c);

	pr_debug("iommufd: TEST TRIGGER_IOPF dev=%u pasid=%u grp=%u perm=0x%x addr=0x%llx -> %d",
		 dev_id, pasid, grpid, perm, (unsigned long long)addr, ret);
	return ret;
}

int iommufd__vfio_bind(struct iommufd *ifd, int devfd, u32 *dev_id)
{
	struct vfio_cdev_bind_iommufd c = {
		.argsz = sizeof(c), .iommufd = ifd->fd,
	};
	int ret = iommufd__call(ifd, devfd, VFIO_CDEV_BIND_IOMMUFD, &c);

	if (!ret)
		*dev_id = c.out_devid;
	pr_debug("iommufd: VFIO BIND devfd=%d -> %d dev=%u", devfd, ret,
		 c.out_devid);
	return ret;
}

int iommufd__vfio_attach(struct iommufd *ifd, int devfd, u32 pasid,
			 u32 *pt_id)
{
	struct vfio_cdev_attach_iommufd_pt c = {
		.argsz = VFIO_CDEV_ATTACH_SIZE_V1, .pt_id = *pt_id,
	};
	int ret;

	if (pasid != IOMMUFD_NO_PASID) {
		c.argsz = sizeof(c);
		c.flags = VFIO_CDEV_ATTACH_PASID;
		c.pasid = pasid;
	}
	ret = iommufd__call(ifd, devfd, VFIO_CDEV_ATTACH_IOMMUFD_PT, &c);
	pr_debug("iommufd: VFIO ATTACH devfd=%d pasid=%d pt=%u -> %d hwpt=%u",
		 devfd, pasid == IOMMUFD_NO_PASID ? -1 : (int)pasid, *pt_id,
		 ret, c.pt_id);
	if (!ret)
		*pt_id = c.pt_id;
	return ret;
}

int iommufd__vfio_detach(struct iommufd *ifd, int devfd, u32 pasid)
{
	struct vfio_cdev_detach_iommufd_pt c = {
		.argsz = VFIO_CDEV_DETACH_SIZE_V1,
	};
	int ret;

	if (pasid != IOMMUFD_NO_PASID) {
		c.argsz = sizeof(c);
		c.flags = VFIO_CDEV_DETACH_PASID;
		c.pasid = pasid;
	}
	ret = iommufd__call(ifd, devfd, VFIO_CDEV_DETACH_IOMMUFD_PT, &c);
	pr_debug("iommufd: VFIO DETACH devfd=%d pasid=%d -> %d", devfd,
		 pasid == IOMMUFD_NO_PASID ? -1 : (int)pasid, ret);
	return ret;
}
