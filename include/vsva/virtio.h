/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A virtio device is an ops table; a transport (virtio-pci.c) runs the
 * driver-facing registers and calls the device through it.  The device
 * knows nothing about PCI: it sees queues (struct virtq), its own config
 * bytes, and virtio__signal_vq()/virtio__signal_config() to interrupt the
 * driver.  Every guest memory access of the device goes through vdev->dma,
 * which a vIOMMU may later give a translate hook.
 */
#ifndef VSVA_VIRTIO_H
#define VSVA_VIRTIO_H

#include <vsva/types.h>
#include <vsva/guest-mem.h>
#include <vsva/virtqueue.h>

/* Device status (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* Reserved feature bits (6). */
#define VIRTIO_F_INDIRECT_DESC		28
#define VIRTIO_F_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_ACCESS_PLATFORM	33

/* Device IDs (5). */
#define VIRTIO_ID_NET			1
#define VIRTIO_ID_BLOCK			2
#define VIRTIO_ID_CONSOLE		3
#define VIRTIO_ID_RNG			4
#define VIRTIO_ID_IOMMU			23

#define VIRTIO_NO_VECTOR		0xffff
#define VIRTIO_MAX_QUEUES		64

struct virtio_device;

struct virtio_device_ops {
	const char *name;
	u16 device_id;
	u32 class_code;		/* PCI class code of the function */
	u16 nr_queues;		/* 1..VIRTIO_MAX_QUEUES */
	u16 queue_max_size;	/* power of two, <= VIRTQ_MAX_SIZE */
	u32 config_size;	/* bytes of device config, <= 4096 */
	u64 features;		/* device-specific offered features */

	/* Device config bytes [off, off + len), in range. Optional. */
	void (*config_read)(struct virtio_device *vdev, u32 off, void *buf,
			    u32 len);
	void (*config_write)(struct virtio_device *vdev, u32 off,
			     const void *buf, u32 len);
	/* The driver enabled queue @q (already validated).  Optional; an
	 * error leaves the queue disabled. */
	int (*queue_init)(struct virtio_device *vdev, u16 q, struct virtq *vq);
	/* Queue @q goes away (device reset).  Optional. */
	void (*queue_exit)(struct virtio_device *vdev, u16 q);
	/* Queue @q has buffers to look at (driver kick, or DRIVER_OK). */
	void (*notify)(struct virtio_device *vdev, u16 q);
	/* The driver reset the device (status 0).  Optional. */
	void (*reset)(struct virtio_device *vdev);
	/* The driver wrote the status register.  Optional. */
	void (*status)(struct virtio_device *vdev, u8 status);
	/* The transport is gone (vsva exits): free the device.  Optional. */
	void (*release)(struct virtio_device *vdev);
};

/* What a transport offers a device. */
struct virtio_transport_ops {
	int (*signal_vq)(struct virtio_device *vdev, u16 q);
	int (*signal_config)(struct virtio_device *vdev);
};

struct virtio_device {
	const struct virtio_device_ops *ops;
	void *priv;			/* the device's state */
	struct dma_space dma;		/* how the device reaches guest RAM */

	/* Filled by the transport. */
	const struct virtio_transport_ops *trans;
	void *transport;
	u64 features;			/* negotiated (after FEATURES_OK) */
};

static inline bool virtio__has_feature(const struct virtio_device *vdev,
				       unsigned int bit)
{
	return vdev->features & BIT_ULL(bit);
}

/* Interrupt the driver for queue @q (used buffers) / a config change. */
static inline int virtio__signal_vq(struct virtio_device *vdev, u16 q)
{
	return vdev->trans->signal_vq(vdev, q);
}

static inline int virtio__signal_config(struct virtio_device *vdev)
{
	return vdev->trans->signal_config(vdev);
}

/* Devices. */
struct vm;
/* virtio-rng on the vm's PCI bus (entropy from getrandom()). */
int virtio_rng__init(struct vm *vm);
/* The device alone, for a transport of the caller's choosing (tests). */
struct virtio_device *virtio_rng__new(void);
void virtio_rng__free(struct virtio_device *vdev);

#endif
