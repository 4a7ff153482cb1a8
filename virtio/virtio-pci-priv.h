/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the virtio-pci transport (virtio/virtio-pci*.c), shared between
 * its files.  Other subsystems use <vsva/virtio-pci.h> only.
 *
 * "Locked" below means: the caller holds vp->lock.
 */
#ifndef VSVA_VIRTIO_PCI_PRIV_H
#define VSVA_VIRTIO_PCI_PRIV_H

#include <vsva/virtio-pci.h>

static inline struct virtio_pci *to_vp(struct pci_device *pdev)
{
	return container_of(pdev, struct virtio_pci, pdev);
}

/* One MSI-X vector per queue, plus one for configuration changes. */
static inline u16 virtio_pci__nr_vectors(const struct virtio_pci *vp)
{
	return vp->nr_queues + 1;
}

/* A driver-chosen vector, or VIRTIO_NO_VECTOR if out of range. */
static inline u16 virtio_pci__vector(const struct virtio_pci *vp, u16 v)
{
	return v < virtio_pci__nr_vectors(vp) ? v : VIRTIO_NO_VECTOR;
}

/* ---- Notifications (virtio-pci-notify.c) ---- */

/* virtio_transport_ops: interrupt the driver (any thread, no lock). */
int virtio_pci__signal_vq(struct virtio_device *vdev, u16 q);
int virtio_pci__signal_config(struct virtio_device *vdev);
/* The command register's bus master bit, as it is now. */
bool virtio_pci__bus_master(struct virtio_pci *vp);
/* Locked: hand queue @q's kick to the device if it may run now. */
void virtio_pci__kick(struct virtio_pci *vp, struct virtio_pci_queue *q);
/* Bus mastering switched on: look at what was queued meanwhile. */
void virtio_pci__master_on(struct virtio_pci *vp);
/* pci_device_ops.bar_live: the queues' ioeventfds follow BAR 0. */
void virtio_pci__bar_live(struct pci_device *pdev, int bar, u64 addr,
			  bool live);

/* ---- Device status and queue life cycle (virtio-pci-status.c) ---- */

/* Locked: a device reset (status 0 written; also at set-up and release). */
void virtio_pci__reset(struct virtio_pci *vp);
/* Locked: the driver writes @v to device_status. */
void virtio_pci__write_status(struct virtio_pci *vp, u8 v);
/* Locked: the driver writes 1 to queue_enable for @q. */
void virtio_pci__enable_queue(struct virtio_pci *vp,
			      struct virtio_pci_queue *q);

/* ---- Common configuration (virtio-pci-common.c) ---- */

/* An access to the common config structure; takes vp->lock. */
void virtio_pci__common(struct virtio_pci *vp, u32 off, u8 *data,
			u32 len, bool is_write);

/* ---- Register access paths (virtio-pci-bar.c) ---- */

/* pci_device_ops: BAR 0 accesses and config-space hooks. */
void virtio_pci__bar_access(struct pci_device *pdev, int bar, u64 off,
			    u8 *data, u32 len, bool is_write);
void virtio_pci__cfg_read(struct pci_device *pdev, u16 off, u32 len);
void virtio_pci__cfg_write(struct pci_device *pdev, u16 off, u32 len);

#endif
