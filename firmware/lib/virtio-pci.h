/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio 1.x modern PCI transport, driver side: finds the vendor
 * capabilities, runs the status handshake and feature negotiation, sets up
 * split virtqueues and notifies. Device drivers (rng, later the vIOMMU) sit
 * on top. Every failure prints why and returns a negative errno.
 */
#ifndef FW_VIRTIO_PCI_H
#define FW_VIRTIO_PCI_H

#include <vsva/types.h>
#include "virtq.h"

#define VIRTIO_PCI_VENDOR		0x1af4
#define VIRTIO_PCI_DEVICE_MODERN(id)	(0x1040 + (id))
#define VIRTIO_ID_RNG			4

#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_ACCESS_PLATFORM	33

#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	64
#define VIRTIO_STATUS_FAILED		128

struct virtio_dev {
	u16 bdf;
	void *common;			/* struct virtio_pci_common_cfg */
	void *notify_base;
	u64 notify_len;
	u32 notify_mult;
	void *isr;
	void *device_cfg;		/* NULL if the device has none */
	u32 device_cfg_len;
	u64 features;			/* negotiated */
	struct virtq_dma dma;		/* given to every queue set up */
};

/* Enables memory decoding and bus mastering, maps the capabilities, resets
 * the device and sets ACKNOWLEDGE | DRIVER. */
int virtio_pci__init(struct virtio_dev *vd, u16 bdf);

/*
 * Accepts the device's features within `wanted` plus VERSION_1 (required)
 * and ACCESS_PLATFORM (DMA goes through the platform's IOMMU: our drivers
 * hand the device bus addresses, see virtio_pci__set_dma()), and checks
 * FEATURES_OK sticks.
 */
int virtio_pci__negotiate(struct virtio_dev *vd, u64 wanted);

/* True if the device accepted feature bit `bit`. */
bool virtio_pci__has_feature(const struct virtio_dev *vd, unsigned int bit);

/*
 * Makes the device use bus addresses from addr(ctx, pa) for the rings and
 * buffers of queues set up from now on (behind a vIOMMU: IOVAs). NULL:
 * guest-physical addresses (the default after virtio_pci__init()).
 */
void virtio_pci__set_dma(struct virtio_dev *vd,
			 u64 (*addr)(void *ctx, u64 pa), void *ctx);

/* Number of queues the device has. */
u16 virtio_pci__num_queues(const struct virtio_dev *vd);

/* Sets up queue `index` with at most max_size entries (a power of two no
 * larger than the device's maximum) on freshly allocated ring pages. */
int virtio_pci__setup_queue(struct virtio_dev *vd, struct virtq *vq,
			    u16 index, u16 max_size);
/*
 * The same on the caller's ring memory: zeroed, 16-byte aligned,
 * ring_len >= virtq__ring_bytes(size) bytes (-ENOSPC otherwise). Behind a
 * vIOMMU the ring's bus addresses must be mapped before this call: the
 * device looks the rings up when the queue is enabled.
 */
int virtio_pci__setup_queue_ring(struct virtio_dev *vd, struct virtq *vq,
				 u16 index, u16 max_size, void *ring,
				 u64 ring_len);

int virtio_pci__driver_ok(struct virtio_dev *vd);

/* Writes 0 to the status and waits for the device to finish the reset. */
int virtio_pci__reset(struct virtio_dev *vd);
/* Sets FAILED, telling the device the driver gave up. */
void virtio_pci__fail(struct virtio_dev *vd);
u8 virtio_pci__status(const struct virtio_dev *vd);

/* Device-specific configuration, bounds-checked (reads 0 outside, writes
 * outside are dropped). 64-bit fields are read as two 32-bit halves: read
 * them inside a virtio_pci__config_generation() loop. */
u8 virtio_pci__config_read8(const struct virtio_dev *vd, u32 off);
u16 virtio_pci__config_read16(const struct virtio_dev *vd, u32 off);
u32 virtio_pci__config_read32(const struct virtio_dev *vd, u32 off);
u64 virtio_pci__config_read64(const struct virtio_dev *vd, u32 off);
void virtio_pci__config_write8(struct virtio_dev *vd, u32 off, u8 v);
u8 virtio_pci__config_generation(const struct virtio_dev *vd);

#endif
