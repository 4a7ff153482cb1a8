/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VFIO device cdev + IOMMUFD (/dev/vfio/devices/vfioN), written from the
 * kernel's documented ABI (Documentation/driver-api/vfio.rst, "VFIO device
 * cdev"; shared/reference/iommu-interfaces.md §5).  Debian 12's
 * <linux/vfio.h> (6.1) predates the cdev.  Names carry a `vfio_cdev_`
 * prefix so the kernel's header can be included alongside for the layout
 * assertions.
 *
 * VFIO's size rule differs from IOMMUFD's: `argsz` must cover the fields
 * the kernel reads (its minsz); the PASID fields are read only with the
 * PASID flag (Linux 6.15), so vsva passes the short argsz without it.
 */
#ifndef VSVA_UAPI_VFIO_CDEV_H
#define VSVA_UAPI_VFIO_CDEV_H

#include <linux/ioctl.h>

#include <vsva/types.h>

#define VFIO_CDEV_TYPE			';'
#define VFIO_CDEV_BASE			100
#define VFIO_CDEV_IO(nr)		_IO(VFIO_CDEV_TYPE, VFIO_CDEV_BASE + (nr))

#define VFIO_CDEV_BIND_IOMMUFD		VFIO_CDEV_IO(18)	/* 6.6 */
#define VFIO_CDEV_ATTACH_IOMMUFD_PT	VFIO_CDEV_IO(19)	/* 6.6 */
#define VFIO_CDEV_DETACH_IOMMUFD_PT	VFIO_CDEV_IO(20)	/* 6.6 */

/* Bind the device to an iommufd; unbind by closing the device FD. */
struct vfio_cdev_bind_iommufd {
	u32 argsz;
	u32 flags;		/* 0 */
	s32 iommufd;
	u32 out_devid;		/* the iommufd device ID (dev_id) */
};

#define VFIO_CDEV_ATTACH_PASID		(1U << 0)	/* 6.15 */

/* Attach (or atomically replace) the RID or one PASID. */
struct vfio_cdev_attach_iommufd_pt {
	u32 argsz;
	u32 flags;		/* VFIO_CDEV_ATTACH_PASID */
	u32 pt_id;		/* in: IOAS or HWPT; out: the HWPT attached */
	u32 pasid;		/* with VFIO_CDEV_ATTACH_PASID */
};
#define VFIO_CDEV_ATTACH_SIZE_V1 \
	offsetof(struct vfio_cdev_attach_iommufd_pt, pasid)

#define VFIO_CDEV_DETACH_PASID		(1U << 0)	/* 6.15 */

/* Detach: the RID or PASID is then DMA-blocked. */
struct vfio_cdev_detach_iommufd_pt {
	u32 argsz;
	u32 flags;		/* VFIO_CDEV_DETACH_PASID */
	u32 pasid;		/* with VFIO_CDEV_DETACH_PASID */
};
#define VFIO_CDEV_DETACH_SIZE_V1 \
	offsetof(struct vfio_cdev_detach_iommufd_pt, pasid)

_Static_assert(sizeof(struct vfio_cdev_bind_iommufd) == 16, "bind size");
_Static_assert(sizeof(struct vfio_cdev_attach_iommufd_pt) == 16,
	       "attach size");
_Static_assert(VFIO_CDEV_ATTACH_SIZE_V1 == 12, "attach v1 size");
_Static_assert(sizeof(struct vfio_cdev_detach_iommufd_pt) == 12,
	       "detach size");
_Static_assert(VFIO_CDEV_DETACH_SIZE_V1 == 8, "detach v1 size");
_Static_assert(VFIO_CDEV_BIND_IOMMUFD == 0x3b76, "BIND number");
_Static_assert(VFIO_CDEV_DETACH_IOMMUFD_PT == 0x3b78, "DETACH number");

#endif
