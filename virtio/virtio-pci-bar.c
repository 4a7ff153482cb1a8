// SPDX-License-Identifier: GPL-2.0
/*
 * How the driver reaches the virtio-pci registers.  BAR 0 decodes into
 * its regions (layout in <vsva/virtio-pci.h>): common config, ISR (read
 * to clear), device config (the device's config_read/config_write), and
 * notify (MMIO kicks when no ioeventfd caught them).  Config space adds
 * the VIRTIO_PCI_CAP_PCI_CFG window into the BAR, and a command register
 * write that turns bus mastering on replays held kicks.
 */
#include <string.h>

#include "virtio-pci-priv.h"

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

void virtio_pci__bar_access(struct pci_device *pdev, int bar, u64 off,
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

void virtio_pci__cfg_read(struct pci_device *pdev, u16 off, u32 len)
{
	struct virtio_pci *vp = to_vp(pdev);
	u8 buf[4] = { 0 };
	u32 o, l;

	if (!virtio_pci__cfg_window(vp, off, len, &o, &l))
		return;
	pci_dev__bar_access(pdev, VIRTIO_PCI_BAR, o, buf, l, false);
	memcpy(&pdev->cfg[vp->pci_cfg_cap + 16], buf, 4);
}

void virtio_pci__cfg_write(struct pci_device *pdev, u16 off, u32 len)
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
