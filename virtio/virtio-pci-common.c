// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-pci common configuration structure (virtio 1.x 4.1.4.3) as a
 * register file: reads see an image of the current state, writes of any
 * width at any offset are decoded into the fields they touch.  Field
 * writes that act (device_status, queue_enable) go to
 * virtio-pci-status.c.
 */
#include <string.h>

#include "virtio-pci-priv.h"

/* Every field, for decoding a write that spans several. */
static const struct {
	u8 off, size;
} virtio_pci_common_fields[] = {
	{ VIRTIO_PCI_DFSELECT, 4 }, { VIRTIO_PCI_DF, 4 },
	{ VIRTIO_PCI_GFSELECT, 4 }, { VIRTIO_PCI_GF, 4 },
	{ VIRTIO_PCI_MSIX_CONFIG, 2 }, { VIRTIO_PCI_NUM_QUEUES, 2 },
	{ VIRTIO_PCI_STATUS, 1 }, { VIRTIO_PCI_CFG_GENERATION, 1 },
	{ VIRTIO_PCI_Q_SELECT, 2 }, { VIRTIO_PCI_Q_SIZE, 2 },
	{ VIRTIO_PCI_Q_MSIX, 2 }, { VIRTIO_PCI_Q_ENABLE, 2 },
	{ VIRTIO_PCI_Q_NOFF, 2 }, { VIRTIO_PCI_Q_DESC, 8 },
	{ VIRTIO_PCI_Q_DRIVER, 8 }, { VIRTIO_PCI_Q_DEVICE, 8 },
};

static void put(u8 *buf, u32 off, u64 v, u32 size)
{
	for (u32 i = 0; i < size; i++)
		buf[off + i] = v >> (8 * i);
}

static u64 get(const u8 *buf, u32 off, u32 size)
{
	u64 v = 0;

	for (u32 i = 0; i < size; i++)
		v |= (u64)buf[off + i] << (8 * i);
	return v;
}

static struct virtio_pci_queue *virtio_pci__selected(struct virtio_pci *vp)
{
	return vp->queue_select < vp->nr_queues ?
	       &vp->queues[vp->queue_select] : NULL;
}

/* The common config structure as the driver would read it now. */
static void virtio_pci__common_image(struct virtio_pci *vp, u8 *buf)
{
	struct virtio_pci_queue *q = virtio_pci__selected(vp);

	memset(buf, 0, VIRTIO_PCI_COMMON_LEN);
	put(buf, VIRTIO_PCI_DFSELECT, vp->dfselect, 4);
	put(buf, VIRTIO_PCI_DF, vp->dfselect < 2 ?
	    (u32)(vp->device_features >> (32 * vp->dfselect)) : 0, 4);
	put(buf, VIRTIO_PCI_GFSELECT, vp->gfselect, 4);
	put(buf, VIRTIO_PCI_GF, vp->gfselect < 2 ?
	    (u32)(vp->driver_features >> (32 * vp->gfselect)) : 0, 4);
	put(buf, VIRTIO_PCI_MSIX_CONFIG, vp->msix_config, 2);
	put(buf, VIRTIO_PCI_NUM_QUEUES, vp->nr_queues, 2);
	put(buf, VIRTIO_PCI_STATUS, vp->status, 1);
	put(buf, VIRTIO_PCI_CFG_GENERATION,
	    __atomic_load_n(&vp->config_generation, __ATOMIC_SEQ_CST), 1);
	put(buf, VIRTIO_PCI_Q_SELECT, vp->queue_select, 2);
	if (!q) {
		put(buf, VIRTIO_PCI_Q_MSIX, VIRTIO_NO_VECTOR, 2);
		return;
	}
	put(buf, VIRTIO_PCI_Q_SIZE, q->size, 2);
	put(buf, VIRTIO_PCI_Q_MSIX, q->msix_vector, 2);
	put(buf, VIRTIO_PCI_Q_ENABLE, q->enabled, 2);
	put(buf, VIRTIO_PCI_Q_NOFF, q->idx, 2);
	put(buf, VIRTIO_PCI_Q_DESC, q->desc, 8);
	put(buf, VIRTIO_PCI_Q_DRIVER, q->driver, 8);
	put(buf, VIRTIO_PCI_Q_DEVICE, q->device, 8);
}

static void virtio_pci__common_field(struct virtio_pci *vp, u32 off, u64 v)
{
	struct virtio_pci_queue *q = virtio_pci__selected(vp);
	bool q_open = q && !q->enabled;
	u32 shift;

	switch (off) {
	case VIRTIO_PCI_DFSELECT:
		vp->dfselect = v;
		break;
	case VIRTIO_PCI_GFSELECT:
		vp->gfselect = v;
		break;
	case VIRTIO_PCI_GF:
		if ((vp->status & VIRTIO_STATUS_FEATURES_OK) ||
		    vp->gfselect >= 2)
			break;
		shift = 32 * vp->gfselect;
		vp->driver_features &= ~(0xffffffffULL << shift);
		vp->driver_features |= (v & 0xffffffffULL) << shift;
		break;
	case VIRTIO_PCI_MSIX_CONFIG:
		__atomic_store_n(&vp->msix_config,
				 virtio_pci__vector(vp, v), __ATOMIC_RELAXED);
		break;
	case VIRTIO_PCI_STATUS:
		virtio_pci__write_status(vp, v);
		break;
	case VIRTIO_PCI_Q_SELECT:
		vp->queue_select = v;
		break;
	case VIRTIO_PCI_Q_SIZE:
		if (q_open)
			q->size = v;
		break;
	case VIRTIO_PCI_Q_MSIX:
		if (q)
			__atomic_store_n(&q->msix_vector,
					 virtio_pci__vector(vp, v),
					 __ATOMIC_RELAXED);
		break;
	case VIRTIO_PCI_Q_ENABLE:
		/* Only 1 means anything; a queue is disabled by reset. */
		if (q_open && v == 1)
			virtio_pci__enable_queue(vp, q);
		break;
	case VIRTIO_PCI_Q_DESC:
		if (q_open)
			q->desc = v;
		break;
	case VIRTIO_PCI_Q_DRIVER:
		if (q_open)
			q->driver = v;
		break;
	case VIRTIO_PCI_Q_DEVICE:
		if (q_open)
			q->device = v;
		break;
	default:		/* read-only */
		break;
	}
}

/*
 * Any width at any offset works: a write is laid over the current image
 * and each field it touched takes its new value (so a 64-bit address
 * written as two 32-bit halves lands correctly).
 */
void virtio_pci__common(struct virtio_pci *vp, u32 off, u8 *data,
			u32 len, bool is_write)
{
	u8 img[VIRTIO_PCI_COMMON_LEN];

	if (off >= VIRTIO_PCI_COMMON_LEN ||
	    len > VIRTIO_PCI_COMMON_LEN - off) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	pthread_mutex_lock(&vp->lock);
	virtio_pci__common_image(vp, img);
	if (!is_write) {
		memcpy(data, img + off, len);
		goto out;
	}
	memcpy(img + off, data, len);
	for (u32 i = 0; i < ARRAY_SIZE(virtio_pci_common_fields); i++) {
		u32 f = virtio_pci_common_fields[i].off;
		u32 n = virtio_pci_common_fields[i].size;

		if (f < off + len && off < f + n)
			virtio_pci__common_field(vp, f, get(img, f, n));
	}
out:
	pthread_mutex_unlock(&vp->lock);
}
