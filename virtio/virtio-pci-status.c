// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-pci device status and queue life cycle: what writing
 * device_status does (reset, feature negotiation at FEATURES_OK, kicks
 * replayed at DRIVER_OK) and what queue_enable does (checking the queue's
 * size and rings, then handing it to the device).  A refused request
 * leaves state unchanged and is counted.  Callers hold vp->lock (or, at
 * set-up, own vp alone).
 */
#include <errno.h>

#include <vsva/log.h>

#include "virtio-pci-priv.h"

void virtio_pci__reset(struct virtio_pci *vp)
{
	const struct virtio_device_ops *ops = vp->vdev->ops;

	for (u16 i = 0; i < vp->nr_queues; i++) {
		struct virtio_pci_queue *q = &vp->queues[i];

		if (q->enabled && ops->queue_exit)
			ops->queue_exit(vp->vdev, i);
		virtq__reset(&q->vq);
		q->enabled = false;
		q->size = ops->queue_max_size;
		__atomic_store_n(&q->msix_vector, VIRTIO_NO_VECTOR,
				 __ATOMIC_RELAXED);
		q->desc = q->driver = q->device = 0;
	}
	vp->dfselect = vp->gfselect = 0;
	vp->driver_features = 0;
	vp->vdev->features = 0;
	__atomic_store_n(&vp->msix_config, VIRTIO_NO_VECTOR, __ATOMIC_RELAXED);
	vp->queue_select = 0;
	vp->status = 0;
	__atomic_store_n(&vp->isr, 0, __ATOMIC_SEQ_CST);
	if (ops->reset)
		ops->reset(vp->vdev);
}

void virtio_pci__write_status(struct virtio_pci *vp, u8 v)
{
	struct virtio_device *vdev = vp->vdev;
	u8 old = vp->status;

	if (!v) {
		virtio_pci__reset(vp);
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) &&
	    !(old & VIRTIO_STATUS_FEATURES_OK)) {
		u64 f = vp->driver_features;

		if ((f & ~vp->device_features) ||
		    !(f & BIT_ULL(VIRTIO_F_VERSION_1))) {
			pr_warn("%s: driver features 0x%llx refused (offered 0x%llx)",
				vp->pdev.name, (unsigned long long)f,
				(unsigned long long)vp->device_features);
			vp->stats.features_refused++;
			v &= ~VIRTIO_STATUS_FEATURES_OK;
		} else {
			vdev->features = f;
		}
	}
	/* Bits only go up until a reset; NEEDS_RESET is the device's. */
	v &= ~VIRTIO_STATUS_NEEDS_RESET;
	vp->status = old | v;
	if (vdev->ops->status)
		vdev->ops->status(vdev, vp->status);
	/* Buffers queued before DRIVER_OK get looked at now. */
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
		for (u16 i = 0; i < vp->nr_queues; i++)
			if (vp->queues[i].enabled)
				virtio_pci__kick(vp, &vp->queues[i]);
}

void virtio_pci__enable_queue(struct virtio_pci *vp,
			      struct virtio_pci_queue *q)
{
	struct virtio_device *vdev = vp->vdev;
	struct virtq_config cfg = {
		.size = q->size,
		.desc_addr = q->desc,
		.avail_addr = q->driver,
		.used_addr = q->device,
		.event_idx = virtio__has_feature(vdev, VIRTIO_F_EVENT_IDX),
		.indirect = virtio__has_feature(vdev, VIRTIO_F_INDIRECT_DESC),
	};
	const char *why;
	int ret;

	if (!(vp->status & VIRTIO_STATUS_FEATURES_OK)) {
		why = "before FEATURES_OK";
		goto refuse;
	}
	if (q->size > vdev->ops->queue_max_size) {
		why = "size above maximum";
		goto refuse;
	}
	ret = virtq__init(&q->vq, &vdev->dma, &cfg);
	if (ret) {
		why = ret == -EFAULT ? "ring outside RAM" :
				       "bad size or alignment";
		goto refuse;
	}
	if (vdev->ops->queue_init &&
	    vdev->ops->queue_init(vdev, q->idx, &q->vq)) {
		virtq__reset(&q->vq);
		why = "device refused";
		goto refuse;
	}
	q->enabled = true;
	return;
refuse:
	vp->stats.queue_refused++;
	pr_warn("%s: queue %u enable refused: %s (size %u desc 0x%llx avail 0x%llx used 0x%llx)",
		vp->pdev.name, q->idx, why, q->size,
		(unsigned long long)q->desc, (unsigned long long)q->driver,
		(unsigned long long)q->device);
}
