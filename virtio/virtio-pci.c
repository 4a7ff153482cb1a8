// SPDX-License-Identifier: GPL-2.0
/*
 * virtio 1.x PCI transport, modern only.  It owns the driver-facing
 * registers (common config, ISR, notify, device config window, the
 * VIRTIO_PCI_CAP_PCI_CFG access window) and the queues' configuration, and
 * calls the device only through its ops table.  Guest values are checked
 * here (features, vectors, queue sizes and rings via virtq__init); a
 * refused request leaves state unchanged and is counted.
 *
 * Locking: vp->lock serializes register writes and device callbacks
 * (notify, queue init/exit, reset), so a reset never races a notify.
 * Signalling (virtio__signal_*) takes no transport lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/log.h>
#include <vsva/msix.h>
#include <vsva/virtio-pci.h>
#include <vsva/vm.h>

#define VIRTIO_PCI_CAP_LEN		16
#define VIRTIO_PCI_NOTIFY_CAP_LEN	20
#define VIRTIO_PCI_CFG_CAP_LEN		20

static struct virtio_pci *to_vp(struct pci_device *pdev)
{
	return container_of(pdev, struct virtio_pci, pdev);
}

static u16 virtio_pci__nr_vectors(const struct virtio_pci *vp)
{
	return vp->nr_queues + 1;
}

static u16 virtio_pci__vector(const struct virtio_pci *vp, u16 v)
{
	return v < virtio_pci__nr_vectors(vp) ? v : VIRTIO_NO_VECTOR;
}

/* --- signalling (any thread) --- */

static int virtio_pci__signal_vq(struct virtio_device *vdev, u16 q)
{
	struct virtio_pci *vp = vdev->transport;
	u16 vec;

	if (q >= vp->nr_queues)
		return -EINVAL;
	__atomic_or_fetch(&vp->isr, VIRTIO_ISR_QUEUE, __ATOMIC_SEQ_CST);
	vec = __atomic_load_n(&vp->queues[q].msix_vector, __ATOMIC_RELAXED);
	if (vec == VIRTIO_NO_VECTOR)
		return 0;	/* no INTx: the driver polls */
	return msix__notify(&vp->pdev, vec);
}

static int virtio_pci__signal_config(struct virtio_device *vdev)
{
	struct virtio_pci *vp = vdev->transport;
	u16 vec;

	__atomic_add_fetch(&vp->config_generation, 1, __ATOMIC_SEQ_CST);
	__atomic_or_fetch(&vp->isr, VIRTIO_ISR_CONFIG, __ATOMIC_SEQ_CST);
	vec = __atomic_load_n(&vp->msix_config, __ATOMIC_RELAXED);
	if (vec == VIRTIO_NO_VECTOR)
		return 0;
	return msix__notify(&vp->pdev, vec);
}

static const struct virtio_transport_ops virtio_pci_trans = {
	.signal_vq = virtio_pci__signal_vq,
	.signal_config = virtio_pci__signal_config,
};

/* --- device state --- */

/* A broken queue (see virtq__pop) makes the device need a reset. */
static void virtio_pci__check_broken(struct virtio_pci *vp,
				     struct virtio_pci_queue *q)
{
	if (!q->vq.broken || (vp->status & VIRTIO_STATUS_NEEDS_RESET))
		return;
	pr_warn("%s: queue %u broken by the driver, device needs reset",
		vp->pdev.name, q->idx);
	vp->stats.needs_reset++;
	vp->status |= VIRTIO_STATUS_NEEDS_RESET;
	virtio_pci__signal_config(vp->vdev);
}

static bool virtio_pci__bus_master(struct virtio_pci *vp)
{
	return pci_cfg__get(&vp->pdev, PCI_REG_COMMAND, 2) & PCI_CMD_MASTER;
}

static void virtio_pci__kick(struct virtio_pci *vp, struct virtio_pci_queue *q)
{
	if ((vp->status & (VIRTIO_STATUS_DRIVER_OK |
			   VIRTIO_STATUS_NEEDS_RESET)) !=
	    VIRTIO_STATUS_DRIVER_OK)
		return;
	/* No DMA without bus mastering: the buffers wait. */
	if (!virtio_pci__bus_master(vp)) {
		vp->stats.no_bus_master++;
		return;
	}
	vp->vdev->ops->notify(vp->vdev, q->idx);
	virtio_pci__check_broken(vp, q);
}

void virtio_pci__notify(struct virtio_pci *vp, u16 qi)
{
	struct virtio_pci_queue *q;

	pthread_mutex_lock(&vp->lock);
	if (qi >= vp->nr_queues || !vp->queues[qi].enabled) {
		vp->stats.bad_notifies++;
		goto out;
	}
	q = &vp->queues[qi];
	q->notifies++;
	virtio_pci__kick(vp, q);
out:
	pthread_mutex_unlock(&vp->lock);
}

static void virtio_pci__reset(struct virtio_pci *vp)
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

static void virtio_pci__write_status(struct virtio_pci *vp, u8 v)
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

static void virtio_pci__enable_queue(struct virtio_pci *vp,
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

/* --- common configuration --- */

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
static void virtio_pci__common(struct virtio_pci *vp, u32 off, u8 *data,
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

/* --- the BAR --- */

static void virtio_pci__devcfg(struct virtio_pci *vp, u32 off, u8 *data,
			       u32 len, bool is_write)
{
	const struct virtio_device_ops *ops = vp->vdev->ops;

	if (off >= ops->config_size || len > ops->config_size - off) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	pthread_mutex_lock(&vp->lock);
	if (is_write) {
		if (ops->config_write)
			ops->config_write(vp->vdev, off, data, len);
	} else {
		memset(data, 0, len);
		if (ops->config_read)
			ops->config_read(vp->vdev, off, data, len);
	}
	pthread_mutex_unlock(&vp->lock);
}

static void virtio_pci__bar_access(struct pci_device *pdev, int bar, u64 off,
				   u8 *data, u32 len, bool is_write)
{
	struct virtio_pci *vp = to_vp(pdev);

	if (bar != VIRTIO_PCI_BAR)
		goto ignore;
	if (off < VIRTIO_PCI_ISR_OFF) {
		virtio_pci__common(vp, off - VIRTIO_PCI_COMMON_OFF, data, len,
				   is_write);
		return;
	}
	if (off < VIRTIO_PCI_DEVCFG_OFF) {
		if (is_write)
			return;
		memset(data, 0, len);
		/* Read to clear. */
		if (off == VIRTIO_PCI_ISR_OFF)
			data[0] = __atomic_exchange_n(&vp->isr, 0,
						      __ATOMIC_SEQ_CST);
		return;
	}
	if (off < VIRTIO_PCI_NOTIFY_OFF) {
		virtio_pci__devcfg(vp, off - VIRTIO_PCI_DEVCFG_OFF, data, len,
				   is_write);
		return;
	}
	if (off < VIRTIO_PCI_NOTIFY_OFF +
		  (u64)vp->nr_queues * VIRTIO_PCI_NOTIFY_MULT) {
		if (!is_write) {
			memset(data, 0, len);
			return;
		}
		/* No ioeventfd caught it: handle the kick here. */
		__atomic_add_fetch(&vp->stats.mmio_notifies, 1,
				   __ATOMIC_RELAXED);
		virtio_pci__notify(vp, (off - VIRTIO_PCI_NOTIFY_OFF) /
				       VIRTIO_PCI_NOTIFY_MULT);
		return;
	}
ignore:
	if (!is_write)
		memset(data, 0, len);
}

/* --- VIRTIO_PCI_CAP_PCI_CFG: BAR access through config space --- */

static bool virtio_pci__cfg_window(struct virtio_pci *vp, u16 off, u32 len,
				   u32 *boff, u32 *blen)
{
	u16 cap = vp->pci_cfg_cap;
	u32 o, l;

	if (!cap || !((u32)off < cap + 20U && cap + 16U < (u32)off + len))
		return false;
	o = pci_cfg__get(&vp->pdev, cap + 8, 4);
	l = pci_cfg__get(&vp->pdev, cap + 12, 4);
	if (pci_cfg__get(&vp->pdev, cap + 4, 1) != VIRTIO_PCI_BAR ||
	    (l != 1 && l != 2 && l != 4) || !IS_ALIGNED(o, l) ||
	    o >= VIRTIO_PCI_BAR_SIZE)
		return false;
	*boff = o;
	*blen = l;
	return true;
}

static void virtio_pci__cfg_read(struct pci_device *pdev, u16 off, u32 len)
{
	struct virtio_pci *vp = to_vp(pdev);
	u8 buf[4] = { 0 };
	u32 o, l;

	if (!virtio_pci__cfg_window(vp, off, len, &o, &l))
		return;
	pci_dev__bar_access(pdev, VIRTIO_PCI_BAR, o, buf, l, false);
	memcpy(&pdev->cfg[vp->pci_cfg_cap + 16], buf, 4);
}

/* Bus mastering switched on: look at what was queued meanwhile. */
static void virtio_pci__master_on(struct virtio_pci *vp)
{
	pthread_mutex_lock(&vp->lock);
	for (u16 i = 0; i < vp->nr_queues; i++)
		if (vp->queues[i].enabled)
			virtio_pci__kick(vp, &vp->queues[i]);
	pthread_mutex_unlock(&vp->lock);
}

static void virtio_pci__cfg_write(struct pci_device *pdev, u16 off, u32 len)
{
	struct virtio_pci *vp = to_vp(pdev);
	bool master = virtio_pci__bus_master(vp);
	u32 o, l;

	if (master != vp->bus_master) {
		vp->bus_master = master;
		if (master)
			virtio_pci__master_on(vp);
	}
	if (!virtio_pci__cfg_window(vp, off, len, &o, &l))
		return;
	pci_dev__bar_access(pdev, VIRTIO_PCI_BAR, o,
			    &pdev->cfg[vp->pci_cfg_cap + 16], l, true);
}

/* --- ioeventfds follow the BAR --- */

static void virtio_pci__ioevent(struct vm *vm, void *opaque)
{
	struct virtio_pci_queue *q = opaque;

	virtio_pci__notify(q->vp, q->idx);
}

static void virtio_pci__bar_live(struct pci_device *pdev, int bar, u64 addr,
				 bool live)
{
	struct virtio_pci *vp = to_vp(pdev);

	if (bar != VIRTIO_PCI_BAR || !pdev->vm)
		return;
	for (u16 i = 0; i < vp->nr_queues; i++) {
		struct virtio_pci_queue *q = &vp->queues[i];
		u64 a = addr + VIRTIO_PCI_NOTIFY_OFF +
			(u64)i * VIRTIO_PCI_NOTIFY_MULT;
		int ret;

		if (!live) {
			if (q->ioeventfd)
				ioeventfd__del(pdev->vm, a, false);
			q->ioeventfd = false;
			continue;
		}
		ret = ioeventfd__add(pdev->vm, a, 2, false,
				     virtio_pci__ioevent, q);
		q->ioeventfd = !ret;
		if (ret)
			pr_debug("%s: queue %u: no ioeventfd (%d), MMIO kicks",
				 pdev->name, i, ret);
	}
}

/* pci__exit(): BARs and MSI-X are already off. */
static void virtio_pci__release(struct pci_device *pdev)
{
	struct virtio_pci *vp = to_vp(pdev);
	struct virtio_device *vdev = vp->vdev;

	pthread_mutex_lock(&vp->lock);
	virtio_pci__reset(vp);
	pthread_mutex_unlock(&vp->lock);
	virtio_pci__free(vp);
	free(vp);
	if (vdev->ops->release)
		vdev->ops->release(vdev);
}

/* Behind a vIOMMU the driver must use it for DMA (virtio 1.x 6). */
static void virtio_pci__iommu_attached(struct pci_device *pdev,
				       struct viommu_endpoint *ep)
{
	struct virtio_pci *vp = container_of(pdev, struct virtio_pci, pdev);

	vp->device_features |= BIT_ULL(VIRTIO_F_ACCESS_PLATFORM);
}

static const struct pci_device_ops virtio_pci_dev_ops = {
	.iommu_attached = virtio_pci__iommu_attached,
	.bar_access = virtio_pci__bar_access,
	.bar_live = virtio_pci__bar_live,
	.cfg_read = virtio_pci__cfg_read,
	.cfg_write = virtio_pci__cfg_write,
	.release = virtio_pci__release,
};

/* --- set-up --- */

static int virtio_pci__add_cap(struct virtio_pci *vp, u8 type, u32 off,
			       u32 len, u32 cap_len)
{
	int cap = pci_dev__add_cap(&vp->pdev, PCI_CAPID_VENDOR, cap_len);

	if (cap < 0)
		return cap;
	pci_cfg__set(&vp->pdev, cap + 2, cap_len, 1);
	pci_cfg__set(&vp->pdev, cap + 3, type, 1);
	pci_cfg__set(&vp->pdev, cap + 4, VIRTIO_PCI_BAR, 1);
	pci_cfg__set(&vp->pdev, cap + 8, off, 4);
	pci_cfg__set(&vp->pdev, cap + 12, len, 4);
	return cap;
}

static int virtio_pci__check_ops(const struct virtio_device_ops *ops)
{
	u16 s = ops->queue_max_size;

	if (!ops->notify || !ops->nr_queues ||
	    ops->nr_queues > VIRTIO_MAX_QUEUES || !s || (s & (s - 1)) ||
	    s > VIRTQ_MAX_SIZE ||
	    ops->config_size > VIRTIO_PCI_NOTIFY_OFF - VIRTIO_PCI_DEVCFG_OFF)
		return -EINVAL;
	return 0;
}

int virtio_pci__setup(struct virtio_pci *vp, struct virtio_device *vdev)
{
	const struct virtio_device_ops *ops = vdev->ops;
	struct pci_device *pdev = &vp->pdev;
	int ret, cap;

	ret = virtio_pci__check_ops(ops);
	if (ret)
		return ret;
	memset(vp, 0, sizeof(*vp));
	pci_dev__init(pdev, VIRTIO_PCI_VENDOR,
		      VIRTIO_PCI_DEVICE_BASE + ops->device_id, ops->class_code,
		      VIRTIO_PCI_REVISION);
	pci_dev__set_subsystem(pdev, VIRTIO_PCI_VENDOR, ops->device_id);
	pdev->ops = &virtio_pci_dev_ops;
	pdev->name = ops->name;
	pdev->priv = vp;
	pdev->dma = &vdev->dma;

	ret = pci_dev__set_bar(pdev, VIRTIO_PCI_BAR, PCI_BAR_MEM32,
			       VIRTIO_PCI_BAR_SIZE, false);
	if (ret)
		return ret;
	vp->nr_queues = ops->nr_queues;
	ret = msix__setup(pdev, virtio_pci__nr_vectors(vp), VIRTIO_PCI_BAR,
			  VIRTIO_PCI_MSIX_TABLE_OFF, VIRTIO_PCI_MSIX_PBA_OFF);
	if (ret)
		return ret;

	ret = virtio_pci__add_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG,
				  VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_LEN,
				  VIRTIO_PCI_CAP_LEN);
	if (ret < 0)
		goto err;
	cap = virtio_pci__add_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG,
				  VIRTIO_PCI_NOTIFY_OFF,
				  vp->nr_queues * VIRTIO_PCI_NOTIFY_MULT,
				  VIRTIO_PCI_NOTIFY_CAP_LEN);
	if (cap < 0) {
		ret = cap;
		goto err;
	}
	pci_cfg__set(pdev, cap + 16, VIRTIO_PCI_NOTIFY_MULT, 4);
	ret = virtio_pci__add_cap(vp, VIRTIO_PCI_CAP_ISR_CFG,
				  VIRTIO_PCI_ISR_OFF, 1, VIRTIO_PCI_CAP_LEN);
	if (ret < 0)
		goto err;
	if (ops->config_size) {
		ret = virtio_pci__add_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG,
					  VIRTIO_PCI_DEVCFG_OFF,
					  ops->config_size,
					  VIRTIO_PCI_CAP_LEN);
		if (ret < 0)
			goto err;
	}
	cap = virtio_pci__add_cap(vp, VIRTIO_PCI_CAP_PCI_CFG, 0, 0,
				  VIRTIO_PCI_CFG_CAP_LEN);
	if (cap < 0) {
		ret = cap;
		goto err;
	}
	/* The driver picks bar, offset and length, then uses the data. */
	pci_cfg__set(pdev, cap + 4, 0, 1);
	pci_cfg__set_wmask(pdev, cap + 4, 0xff, 1);
	pci_cfg__set_wmask(pdev, cap + 8, 0xffffffff, 4);
	pci_cfg__set_wmask(pdev, cap + 12, 0xffffffff, 4);
	pci_cfg__set_wmask(pdev, cap + 16, 0xffffffff, 4);
	vp->pci_cfg_cap = cap;

	vp->queues = calloc(vp->nr_queues, sizeof(*vp->queues));
	if (!vp->queues) {
		ret = -ENOMEM;
		goto err;
	}
	for (u16 i = 0; i < vp->nr_queues; i++) {
		vp->queues[i].vp = vp;
		vp->queues[i].idx = i;
	}
	pthread_mutex_init(&vp->lock, NULL);
	vp->vdev = vdev;
	vp->device_features = ops->features | BIT_ULL(VIRTIO_F_VERSION_1) |
			      BIT_ULL(VIRTIO_F_INDIRECT_DESC) |
			      BIT_ULL(VIRTIO_F_EVENT_IDX);
	vdev->trans = &virtio_pci_trans;
	vdev->transport = vp;
	virtio_pci__reset(vp);
	return 0;
err:
	msix__free(pdev);
	return ret;
}

struct pci_device *virtio_pci__pdev(struct virtio_device *vdev)
{
	struct virtio_pci *vp = vdev->transport;

	return vp ? &vp->pdev : NULL;
}

void virtio_pci__free(struct virtio_pci *vp)
{
	msix__free(&vp->pdev);
	if (vp->queues)
		pthread_mutex_destroy(&vp->lock);
	free(vp->queues);
	vp->queues = NULL;
}

int virtio_pci__init(struct vm *vm, struct virtio_device *vdev)
{
	struct virtio_pci *vp = calloc(1, sizeof(*vp));
	int ret;

	if (!vp)
		return -ENOMEM;
	if (!vdev->dma.mem)
		vdev->dma.mem = &vm->mem;	/* identity until a vIOMMU */
	ret = virtio_pci__setup(vp, vdev);
	if (!ret) {
		ret = pci__register(vm, &vp->pdev);
		if (ret)
			virtio_pci__free(vp);
	}
	if (ret) {
		pr_err("%s: cannot add virtio-pci device: %d", vdev->ops->name,
		       ret);
		free(vp);
	}
	return ret;
}
