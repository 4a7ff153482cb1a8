/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOMMUFD ioctl layer: one thin function per ioctl (on /dev/iommu, and
 * the VFIO cdev calls that take an iommufd), each returning 0 or -errno and
 * tracing the call with pr_debug.  No policy here: viommu/backend-iommufd.c
 * decides what to ask for.  IOAS_UNMAP of a range that is not mapped
 * (ENOENT) counts as success: a vIOMMU issues many redundant unmaps.
 *
 * Every call goes through ifd->ioctl, which is ioctl(2) after
 * iommufd__open()/iommufd__init(); unit tests put a fake kernel there.
 * Safe to use from several threads (no state but the FD and the hook).
 */
#ifndef VSVA_IOMMUFD_H
#define VSVA_IOMMUFD_H

#include <vsva/types.h>
#include <vsva/uapi/iommufd.h>
#include <vsva/uapi/iommufd-test.h>
#include <vsva/uapi/vfio-cdev.h>

/* Returns 0 or -errno. */
typedef int iommufd_ioctl_fn(void *opaque, int fd, unsigned long req,
			     void *arg);

struct iommufd {
	int fd;				/* /dev/iommu */
	iommufd_ioctl_fn *ioctl;
	void *opaque;
};

#define IOMMUFD_NO_PASID	(~0U)	/* VFIO attach/detach: the RID */

/* ioctl(2), errno turned into the return value. */
int iommufd__sys_ioctl(void *opaque, int fd, unsigned long req, void *arg);

int iommufd__open(struct iommufd *ifd, const char *path);	/* NULL: /dev/iommu */
void iommufd__init(struct iommufd *ifd, int fd, iommufd_ioctl_fn *fn,
		   void *opaque);
void iommufd__close(struct iommufd *ifd);

int iommufd__destroy(struct iommufd *ifd, u32 id);

/* --- IOAS --- */
int iommufd__ioas_alloc(struct iommufd *ifd, u32 *ioas_id);
/* Map @len bytes at @va to @iova (FIXED_IOVA); @flags: READABLE|WRITEABLE. */
int iommufd__ioas_map(struct iommufd *ifd, u32 ioas_id, u64 iova, void *va,
		      u64 len, u32 flags);
/* ENOENT (nothing mapped there) is success: *unmapped (may be NULL) = 0. */
int iommufd__ioas_unmap(struct iommufd *ifd, u32 ioas_id, u64 iova, u64 len,
			u64 *unmapped);
/* Up to *nr ranges into @r; *nr = how many there are (-EMSGSIZE if more
 * than fit).  *align (may be NULL): the IOVA alignment the IOAS needs. */
int iommufd__ioas_iova_ranges(struct iommufd *ifd, u32 ioas_id,
			      struct iofd_iova_range *r, u32 *nr, u64 *align);

/* --- hardware information --- */
struct iommufd_hw_info {
	u32 type;		/* IOFD_HW_INFO_TYPE_* */
	u32 data_len;		/* the kernel's length of the type's data */
	u8 max_pasid_log2;	/* 0: none reported */
	u64 capabilities;	/* IOFD_HW_CAP_* */
};

/* @data (room for @len bytes, zero-filled past the kernel's length) gets
 * the type-specific data. */
int iommufd__get_hw_info(struct iommufd *ifd, u32 dev_id, void *data,
			 u32 len, struct iommufd_hw_info *out);

/* --- HWPTs --- */
struct iommufd_hwpt_args {
	u32 dev_id;
	u32 pt_id;		/* IOAS, or the nest parent for nested */
	u32 flags;		/* IOFD_HWPT_* (FAULT_ID_VALID: set fault_id) */
	u32 data_type;		/* IOFD_HWPT_DATA_* */
	const void *data;
	u32 data_len;
	u32 fault_id;
};

/* The struct is passed at its 6.6 size unless a fault ID is set, so a
 * kernel older than 6.11 sees exactly what it knows. */
int iommufd__hwpt_alloc(struct iommufd *ifd, const struct iommufd_hwpt_args *a,
			u32 *hwpt_id);
/*
 * @n entries of @entry_len bytes of @data_type.  Returns 0 with all
 * handled, or -errno with *done = entries the kernel handled before the
 * one that failed (entry *done failed; the rest were not looked at).
 */
int iommufd__hwpt_invalidate(struct iommufd *ifd, u32 hwpt_id, u32 data_type,
			     const void *entries, u32 entry_len, u32 n,
			     u32 *done);

/* --- the fault queue --- */
int iommufd__fault_queue_alloc(struct iommufd *ifd, u32 *fault_id,
			       int *fault_fd);

/* --- the selftest driver (CONFIG_IOMMUFD_TEST) --- */
int iommufd__test_mock_domain(struct iommufd *ifd, u32 pt_id, u32 *stdev_id,
			      u32 *hwpt_id, u32 *dev_id);
/* *pt_id in: IOAS or HWPT; out: the HWPT attached. */
int iommufd__test_mock_replace(struct iommufd *ifd, u32 stdev_id,
			       u32 *pt_id);
/* 0 if slot @slot of nested HWPT @hwpt_id holds @iotlb, else -EINVAL. */
int iommufd__test_check_iotlb(struct iommufd *ifd, u32 hwpt_id, u32 slot,
			      u32 iotlb);
int iommufd__test_trigger_iopf(struct iommufd *ifd, u32 dev_id, u32 pasid,
			       u32 grpid, u32 perm, u64 addr);

/* --- VFIO cdev (device FD @devfd) --- */
int iommufd__vfio_bind(struct iommufd *ifd, int devfd, u32 *dev_id);
/* @pasid: IOMMUFD_NO_PASID for the RID.  *pt_id in/out as for replace. */
int iommufd__vfio_attach(struct iommufd *ifd, int devfd, u32 pasid,
			 u32 *pt_id);
int iommufd__vfio_detach(struct iommufd *ifd, int devfd, u32 pasid);

/* "IOAS_MAP" for an ioctl number (traces, test output). */
const char *iommufd__name(unsigned long req);

#endif
