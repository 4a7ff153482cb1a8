// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-pci notifications, both ways.  Driver to device: a queue kick
 * arrives through the queue's ioeventfd (event loop thread) or as an MMIO
 * write into the notify region, and reaches the device only while
 * DRIVER_OK is set and bus mastering is on; kicks held back meanwhile are
 * replayed when bus mastering comes on.  Device to driver: the ISR bits
 * and the MSI-X vector of the queue or of configuration changes.
 */
#include <errno.h>

#include <vsva/log.h>
#include <vsva/msix.h>
#include <vsva/vm.h>

#include "virtio-pci-priv.h"

/* --- device to driver (any thread) --- */

int virtio_pci__signal_vq(struct virtio_device *vdev, u16 q)
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

int virtio_pci__signal_config(struct virtio_device *vdev)
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

/* --- driver to device (vCPU or event loop thread) --- */

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

bool virtio_pci__bus_master(struct virtio_pci *vp)
{
	return pci_cfg__get(&vp->pdev, PCI_REG_COMMAND, 2) & PCI_CMD_MASTER;
}

void virtio_pci__kick(struct virtio_pci *vp, struct virtio_pci_queue *q)
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

/* Bus mastering switched on: look at what was queued meanwhile. */
void virtio_pci__master_on(struct virtio_pci *vp)
{
	pthread_mutex_lock(&vp->lock);
	for (u16 i = 0; i < vp->nr_queues; i++)
		if (vp->queues[i].enabled)
			virtio_pci__kick(vp, &vp->queues[i]);
	pthread_mutex_unlock(&vp->lock);
}

/* --- ioeventfds follow the BAR --- */

static void virtio_pci__ioevent(struct vm *vm, void *opaque)
{
	struct virtio_pci_queue *q = opaque;

	virtio_pci__notify(q->vp, q->idx);
}

void virtio_pci__bar_live(struct pci_device *pdev, int bar, u64 addr,
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
