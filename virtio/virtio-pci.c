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
 *
 * This file builds the PCI function (BAR 0, MSI-X, the virtio
 * capabilities that map BAR 0's regions, the queues) and tears it down;
 * each other virtio/virtio-pci*.c file has one job:
 *   virtio-pci-bar.c	   register access paths: BAR 0 regions, config space
 *   virtio-pci-common.c   the common configuration register file
 *   virtio-pci-status.c   device status and queue life cycle
 *   virtio-pci-notify.c   kicks to the device, interrupts to the driver
 * virtio-pci-priv.h holds what they share.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/log.h>
#include <vsva/msix.h>
#include <vsva/vm.h>

#include "virtio-pci-priv.h"

#define VIRTIO_PCI_CAP_LEN		16
#define VIRTIO_PCI_NOTIFY_CAP_LEN	20
#define VIRTIO_PCI_CFG_CAP_LEN		20

static const struct virtio_transport_ops virtio_pci_trans = {
	.signal_vq = virtio_pci__signal_vq,
	.signal_config = virtio_pci__signal_config,
};

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
