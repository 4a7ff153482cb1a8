// SPDX-License-Identifier: GPL-2.0
/*
 * A passthrough function on vsva's PCI bus (include/vsva/vfio.h): set-up
 * from the device, the guest's configuration writes, reset, tear-down.
 * Configuration accesses arrive serialized by the bus lock; BAR accesses
 * may come from any vCPU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/log.h>
#include <vsva/msix.h>
#include <vsva/vfio.h>

#define CMD_THROUGH	(PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER)

#define EXP_DEVCTL		0x08
#define EXP_DEVCTL_FLR		0x8000
#define PRI_CTRL		0x04
#define PRI_STATUS		0x06
#define PRI_CTRL_ENABLE		0x0001
#define PRI_CTRL_RESET		0x0002
#define PRI_STS_RF		0x0001
#define PRI_STS_UPRGI		0x0002
#define PRI_STS_STOPPED		0x0100

static struct vfio_pci *to_vp(struct pci_device *pdev)
{
	return container_of(pdev, struct vfio_pci, pdev);
}

/* Remove every installed KVM slot (before memory decoding goes off). */
static void pci__slots_off(struct vfio_pci *vp)
{
	for (int i = 0; i < PCI_NR_BARS; i++)
		vfio_bar__live(vp, i, 0, false);
}

/*
 * The device's I/O, memory and bus-master enables follow the guest's.
 * Slots go before memory decoding stops; they come back when the bus sees
 * the BAR decode again (bar_live), after this.
 */
static void pci__cmd_through(struct vfio_pci *vp)
{
	u16 guest = pci_cfg__get(&vp->pdev, PCI_REG_COMMAND, 2), real, want;
	int ret;

	ret = vfio_dev__read(&vp->vd, VFIO_REGION_CONFIG, PCI_REG_COMMAND,
			     &real, 2);
	if (ret) {
		pr_warn("%s: command register: read: %s", vp->name,
			strerror(-ret));
		return;
	}
	want = (real & ~CMD_THROUGH) | (guest & CMD_THROUGH);
	if (want == real)
		return;
	if (!(guest & PCI_CMD_MEM))
		pci__slots_off(vp);
	ret = vfio_dev__write(&vp->vd, VFIO_REGION_CONFIG, PCI_REG_COMMAND,
			      &want, 2);
	if (ret)
		pr_warn("%s: command register: write 0x%04x: %s", vp->name,
			want, strerror(-ret));
	else
		vp->stats.cmd_writes++;
}

/* PRI control: Reset clears Response Failure and UPRGI; Stopped follows
 * the enable bit (the host owns the real interface). */
static void pci__pri(struct vfio_pci *vp)
{
	struct pci_device *pdev = &vp->pdev;
	u16 at = vp->lay.pri;
	u16 ctrl = pci_cfg__get(pdev, at + PRI_CTRL, 2);
	u16 sts = pci_cfg__get(pdev, at + PRI_STATUS, 2);

	if (ctrl & PRI_CTRL_RESET) {
		sts &= (u16)~(PRI_STS_RF | PRI_STS_UPRGI);
		pci_cfg__set(pdev, at + PRI_CTRL, ctrl & ~PRI_CTRL_RESET, 2);
	}
	if (ctrl & PRI_CTRL_ENABLE)
		sts &= (u16)~PRI_STS_STOPPED;
	else
		sts |= PRI_STS_STOPPED;
	pci_cfg__set(pdev, at + PRI_STATUS, sts, 2);
}

static void pci__cfg_write(struct pci_device *pdev, u16 off, u32 len)
{
	struct vfio_pci *vp = to_vp(pdev);
	const struct vfio_cfg_layout *l = &vp->lay;

	if (vfio_cfg__touches(off, len, PCI_REG_COMMAND, 2))
		pci__cmd_through(vp);
	if (l->msi && vfio_cfg__touches(off, len, l->msi, l->msi_64 ? 14 : 10))
		vfio_irq__msi_update(vp);
	if (l->msix && vfio_cfg__touches(off, len, l->msix + 2, 2))
		vfio_irq__msix_update(vp);
	if (l->pri && vfio_cfg__touches(off, len, l->pri + PRI_CTRL, 2))
		pci__pri(vp);
	if (l->exp && vfio_cfg__touches(off, len, l->exp + EXP_DEVCTL, 2) &&
	    (pci_cfg__get(pdev, l->exp + EXP_DEVCTL, 2) & EXP_DEVCTL_FLR))
		vfio_pci__reset(vp);
}

static void pci__bar_access(struct pci_device *pdev, int bar, u64 off,
			    u8 *data, u32 len, bool is_write)
{
	vfio_bar__access(to_vp(pdev), bar, off, data, len, is_write);
}

static void pci__bar_live(struct pci_device *pdev, int bar, u64 addr,
			  bool live)
{
	vfio_bar__live(to_vp(pdev), bar, addr, live);
}

/* With a vIOMMU its backend has just bound the device: VFIO answers
 * now, so the BARs can be mapped and the interrupts prepared. */
static void pci__iommu_attached(struct pci_device *pdev,
				struct viommu_endpoint *ep)
{
	struct vfio_pci *vp = to_vp(pdev);

	vp->ep = ep;
	if (!vp->active && vfio_pci__activate(vp, vp->vd.fd))
		pr_err("%s: the guest gets a device that does not work",
		       vp->name);
}

static void pci__release(struct pci_device *pdev)
{
	struct vfio_pci *vp = to_vp(pdev);

	pr_info("%s: %llu BAR accesses trapped (%llu failed), %llu KVM slots (%llu refused), MSI set %llu times, MSI-X %llu (%llu relayed), %llu resets, %llu interrupt errors",
		vp->name, (unsigned long long)vp->stats.bar_traps,
		(unsigned long long)vp->stats.bar_errors,
		(unsigned long long)vp->stats.slots,
		(unsigned long long)vp->stats.slot_errors,
		(unsigned long long)vp->stats.msi_programs,
		(unsigned long long)vp->stats.msix_programs,
		(unsigned long long)vp->stats.msix_relayed,
		(unsigned long long)vp->stats.resets,
		(unsigned long long)vp->stats.irq_errors);
	vfio_pci__teardown(vp);
	free(vp);
}

static const struct pci_device_ops vfio_pci_ops = {
	.bar_access = pci__bar_access,
	.bar_live = pci__bar_live,
	.cfg_write = pci__cfg_write,
	.iommu_attached = pci__iommu_attached,
	.release = pci__release,
};

int vfio_pci__reset(struct vfio_pci *vp)
{
	int ret;

	vp->stats.resets++;
	/* The vIOMMU answers what the device still waits for first: after
	 * the reset those page requests have no one to answer. */
	if (vp->ep && vp->vmops->ep_reset)
		vp->vmops->ep_reset(vp->vm, vp->ep);
	pci__slots_off(vp);
	vfio_irq__off(vp);
	ret = vfio_dev__reset(&vp->vd);
	if (ret) {
		vp->stats.reset_errors++;
		pr_warn("%s: VFIO_DEVICE_RESET: %s", vp->name, strerror(-ret));
	}
	vfio_cfg__reset(&vp->pdev, vp->reset_cfg);
	pci__cmd_through(vp);
	pr_debug("%s: function reset -> %d", vp->name, ret);
	return ret;
}

static int pci__read_config(struct vfio_pci *vp, u8 *real, u32 *len)
{
	u64 size = vp->vd.regions[VFIO_REGION_CONFIG].size;
	int ret;

	if (size < PCI_CFG_CLASSIC_SIZE) {
		pr_err("%s: configuration region of %llu bytes", vp->name,
		       (unsigned long long)size);
		return -ENODEV;
	}
	memset(real, 0, PCI_CFG_SIZE);
	ret = vfio_dev__read(&vp->vd, VFIO_REGION_CONFIG, 0, real,
			     PCI_CFG_CLASSIC_SIZE);
	if (ret) {
		pr_err("%s: reading the configuration space: %s", vp->name,
		       strerror(-ret));
		return ret;
	}
	*len = PCI_CFG_CLASSIC_SIZE;
	if (size >= PCI_CFG_SIZE &&
	    !vfio_dev__read(&vp->vd, VFIO_REGION_CONFIG, PCI_CFG_EXT_START,
			    real + PCI_CFG_EXT_START,
			    PCI_CFG_SIZE - PCI_CFG_EXT_START))
		*len = PCI_CFG_SIZE;
	return 0;
}

int vfio_pci__probe(struct vfio_pci *vp, int fd, const struct vfio_sys *sys,
		    const struct vfio_vm_ops *vmops, void *vm,
		    const char *name)
{
	struct pci_device *pdev = &vp->pdev;
	u8 real[PCI_CFG_SIZE];
	u32 len;
	int ret;

	vp->vmops = vmops;
	vp->vm = vm;
	snprintf(vp->name, sizeof(vp->name), "%s", name);
	for (int v = 0; v < VFIO_MSI_MAX_VECTORS; v++) {
		vp->msi[v].efd = -1;
		vp->msi[v].gsi = -1;
	}
	ret = vfio_dev__probe(&vp->vd, fd, sys);
	if (!ret)
		ret = pci__read_config(vp, real, &len);
	if (!ret)
		ret = vfio_cfg__build(pdev, real, len, &vp->vd, &vp->lay,
				      &vp->caps);
	if (ret) {
		msix__free(pdev);
		return ret;
	}
	pdev->ops = &vfio_pci_ops;
	pdev->priv = vp;
	pdev->name = vp->name;
	pdev->dma = &vp->dma;
	pdev->iommu_caps = &vp->caps;
	memcpy(vp->reset_cfg, pdev->cfg, PCI_CFG_SIZE);
	return 0;
}

int vfio_pci__activate(struct vfio_pci *vp, int fd)
{
	struct pci_device *pdev = &vp->pdev;
	int ret = 0;

	if (vp->active)
		return 0;
	vp->vd.fd = fd;
	for (int i = 0; i < PCI_NR_BARS && !ret; i++) {
		if (pdev->bar[i].type != PCI_BAR_MEM32 &&
		    pdev->bar[i].type != PCI_BAR_MEM64)
			continue;
		if (vfio_dev__map(&vp->vd, i) > 0)
			ret = vfio_bar__plan_slots(vp, i);
	}
	if (!ret)
		ret = vfio_irq__msix_setup(vp);
	if (ret) {
		pr_err("%s: %s", vp->name, strerror(-ret));
		vfio_pci__teardown(vp);
		return ret;
	}
	vp->active = true;
	/* The device decodes and masters only when the guest says so. */
	pci__cmd_through(vp);
	pr_info("%s: [%04x:%04x] class %06x, %d KVM slot(s) planned, MSI %s, MSI-X %u, PCIe %s, PASID %u bits%s%s, reset %s",
		vp->name, pci_cfg__get(pdev, PCI_REG_VENDOR_ID, 2),
		pci_cfg__get(pdev, PCI_REG_DEVICE_ID, 2),
		pci_cfg__get(pdev, PCI_REG_CLASS, 3), vp->nr_slots,
		vp->lay.msi ? "yes" : "no", vp->lay.msix_nr,
		vp->lay.exp ? "yes" : "no", vp->caps.pasid_bits,
		vp->lay.pri ? ", PRI" : "", vp->lay.ats ? ", ATS" : "",
		vfio_dev__can_reset(&vp->vd) ? "yes" : "no");
	return 0;
}

int vfio_pci__setup(struct vfio_pci *vp, int fd, const struct vfio_sys *sys,
		    const struct vfio_vm_ops *vmops, void *vm,
		    const char *name)
{
	int ret = vfio_pci__probe(vp, fd, sys, vmops, vm, name);

	return ret ? ret : vfio_pci__activate(vp, fd);
}

void vfio_pci__teardown(struct vfio_pci *vp)
{
	vp->active = false;
	pci__slots_off(vp);
	vfio_irq__free(vp);
	vp->nr_slots = 0;
	vfio_dev__unmap_all(&vp->vd);
	msix__free(&vp->pdev);
}
