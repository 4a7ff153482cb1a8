// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's configuration space of a passthrough function, built from
 * the device's real one (include/vsva/vfio.h).  Pure: no vm, no ioctls.
 *
 * What the guest sees:
 *  - IDs, revision, class, subsystem: the device's (read-only);
 *  - header type 0, single function; no expansion ROM; interrupt pin 0
 *    (no INTx: MSI or MSI-X only);
 *  - BARs: type and size from the device, addresses vsva's;
 *  - command: I/O, memory, bus master (written through by pci.c), parity,
 *    SERR, INTx disable (emulated);
 *  - capabilities, rebuilt as a list of vsva's own: MSI (per-vector
 *    masking not offered), MSI-X (table and PBA emulated by msix.c, in one
 *    BAR), PCI Express (a read-only copy, device control emulated, FLR
 *    when VFIO can reset the device); extended: PASID, PRI and ATS when
 *    the device has them (control registers emulated: the host kernel
 *    enables the real ones).  Every other capability is hidden.
 */
#include <errno.h>
#include <string.h>

#include <vsva/log.h>
#include <vsva/msix.h>
#include <vsva/vfio.h>
#include <vsva/virtio-iommu-abi.h>

#define PCI_CAPID_MSI		0x05

#define MSI_CTRL_ENABLE		0x0001
#define MSI_CTRL_MMC_SHIFT	1
#define MSI_CTRL_MME_SHIFT	4
#define MSI_CTRL_64		0x0080

#define EXP_FLAGS		0x02
#define EXP_DEVCAP		0x04
#define EXP_DEVCTL		0x08
#define EXP_DEVSTA		0x0a
#define EXP_DEVCAP_FLR		(1U << 28)
#define EXP_DEVCTL_FLR		0x8000
#define EXP_V1_SIZE		0x24
#define EXP_V2_SIZE		0x3c

#define PASID_CAP		0x04
#define PASID_CTRL		0x06
#define PRI_CTRL		0x04
#define PRI_STATUS		0x06
#define PRI_CAPACITY		0x08
#define PRI_ALLOC		0x0c
#define PRI_STS_RF		0x0001
#define PRI_STS_UPRGI		0x0002
#define PRI_STS_STOPPED		0x0100
#define PRI_STS_PASID		0x8000
#define ATS_CAP			0x04
#define ATS_CTRL		0x06

static u32 get(const u8 *b, u32 off, u32 len)
{
	u32 v = 0;

	for (u32 i = 0; i < len; i++)
		v |= (u32)b[off + i] << (8 * i);
	return v;
}

bool vfio_cfg__touches(u16 off, u32 len, u16 at, u32 n)
{
	return off < at + n && at < off + len;
}

static int cfg__bars(struct pci_device *pdev, const u8 *real,
		     const struct vfio_device *vd)
{
	for (int i = 0; i < PCI_NR_BARS; i++) {
		u32 reg = get(real, PCI_REG_BAR0 + 4 * i, 4);
		u64 size = vd->regions[i].size;
		enum pci_bar_type type;
		int ret;

		if (!size)
			continue;
		if (reg & PCI_BAR_IO_FLAG)
			type = PCI_BAR_IO;
		else if ((reg & 0x6) == PCI_BAR_MEM_64)
			type = PCI_BAR_MEM64;
		else
			type = PCI_BAR_MEM32;
		ret = pci_dev__set_bar(pdev, i, type, size,
				       type != PCI_BAR_IO &&
				       (reg & PCI_BAR_PREFETCH));
		if (ret) {
			pr_warn("vfio: BAR%d (0x%llx bytes, type %d) cannot be offered: hidden",
				i, (unsigned long long)size, type);
			continue;
		}
		if (type == PCI_BAR_MEM64)
			i++;
	}
	return 0;
}

static u8 log2_floor(u32 x)
{
	u8 n = 0;

	while (x > 1) {
		x >>= 1;
		n++;
	}
	return n;
}

static int cfg__msi(struct pci_device *pdev, const u8 *real, u16 at,
		    const struct vfio_device *vd, struct vfio_cfg_layout *lay)
{
	u16 ctrl = get(real, at + 2, 2);
	u32 count = vd->irqs[VFIO_IRQ_MSI].count;
	bool is64 = ctrl & MSI_CTRL_64;
	u8 mmc = (ctrl >> MSI_CTRL_MMC_SHIFT) & 7;
	int off;

	if (!count)
		return 0;
	off = pci_dev__add_cap(pdev, PCI_CAPID_MSI, is64 ? 14 : 10);
	if (off < 0)
		return off;
	lay->msi = (u16)off;
	lay->real_msi = at;
	lay->msi_64 = is64;
	lay->msi_max_log2 = MIN(MIN(mmc, (u8)5),
				log2_floor(MIN(count,
					       (u32)VFIO_MSI_MAX_VECTORS)));
	pci_cfg__set(pdev, lay->msi + 2,
		     (u32)lay->msi_max_log2 << MSI_CTRL_MMC_SHIFT |
		     (is64 ? MSI_CTRL_64 : 0), 2);
	pci_cfg__set_wmask(pdev, lay->msi + 2,
			   MSI_CTRL_ENABLE | 7 << MSI_CTRL_MME_SHIFT, 2);
	pci_cfg__set_wmask(pdev, lay->msi + 4, 0xfffffffc, 4);
	if (is64)
		pci_cfg__set_wmask(pdev, lay->msi + 8, 0xffffffff, 4);
	pci_cfg__set_wmask(pdev, lay->msi + (is64 ? 12 : 8), 0xffff, 2);
	return 0;
}

static int cfg__msix(struct pci_device *pdev, const u8 *real, u16 at,
		     const struct vfio_device *vd, struct vfio_cfg_layout *lay)
{
	u16 nr = (get(real, at + 2, 2) & MSIX_CTRL_SIZE_MASK) + 1;
	u32 table = get(real, at + 4, 4), pba = get(real, at + 8, 4);
	int bar = table & 7, ret;

	nr = MIN(nr, (u16)MIN(vd->irqs[VFIO_IRQ_MSIX].count,
			      (u32)MSIX_MAX_VECTORS));
	if (!nr)
		return 0;
	if ((pba & 7) != (u32)bar) {
		pr_warn("vfio: MSI-X table (BAR%d) and PBA (BAR%u) in different BARs: MSI-X hidden",
			bar, pba & 7);
		return 0;
	}
	ret = msix__setup(pdev, nr, bar, table & ~7U, pba & ~7U);
	if (ret) {
		pr_warn("vfio: MSI-X (%u vectors in BAR%d at 0x%x/0x%x) cannot be offered: hidden",
			nr, bar, table & ~7U, pba & ~7U);
		return 0;
	}
	lay->msix = pdev->msix->cap;
	lay->real_msix = at;
	lay->msix_nr = nr;
	lay->msix_bar = bar;
	lay->msix_table_off = table & ~7U;
	lay->msix_pba_off = pba & ~7U;
	return 0;
}

static int cfg__exp(struct pci_device *pdev, const u8 *real, u16 at,
		    const struct vfio_device *vd, struct vfio_cfg_layout *lay)
{
	u32 size = (get(real, at + EXP_FLAGS, 2) & 0xf) >= 2 ? EXP_V2_SIZE :
							     EXP_V1_SIZE;
	bool flr = vfio_dev__can_reset(vd);
	u32 devcap;
	int off;

	if (at + size > PCI_CFG_CLASSIC_SIZE)
		size = PCI_CFG_CLASSIC_SIZE - at;
	if (size < EXP_DEVSTA + 2)
		return 0;
	off = pci_dev__add_cap(pdev, PCI_CAPID_EXP, size);
	if (off < 0)
		return off;
	lay->exp = (u16)off;
	lay->real_exp = at;
	for (u32 i = 2; i < size; i++)
		pci_cfg__set(pdev, lay->exp + i, real[at + i], 1);
	devcap = get(real, at + EXP_DEVCAP, 4) & ~EXP_DEVCAP_FLR;
	pci_cfg__set(pdev, lay->exp + EXP_DEVCAP,
		     devcap | (flr ? EXP_DEVCAP_FLR : 0), 4);
	pci_cfg__set(pdev, lay->exp + EXP_DEVCTL,
		     get(real, at + EXP_DEVCTL, 2) & ~EXP_DEVCTL_FLR, 2);
	pci_cfg__set_wmask(pdev, lay->exp + EXP_DEVCTL,
			   0x7fff | (flr ? EXP_DEVCTL_FLR : 0), 2);
	pci_cfg__set(pdev, lay->exp + EXP_DEVSTA, 0, 2);
	pci_cfg__set_w1cmask(pdev, lay->exp + EXP_DEVSTA, 0x000f, 2);
	return 0;
}

static int cfg__caps(struct pci_device *pdev, const u8 *real,
		     const struct vfio_device *vd, struct vfio_cfg_layout *lay)
{
	u16 at;
	int ret = 0;

	if (!(get(real, PCI_REG_STATUS, 2) & PCI_STS_CAP_LIST))
		return 0;
	at = real[PCI_REG_CAP_PTR] & ~3;
	for (int n = 0; at >= PCI_CAP_START && at <= PCI_CFG_CLASSIC_SIZE - 4
	     && n < 48 && !ret; n++) {
		switch (real[at]) {
		case PCI_CAPID_MSI:
			if (!lay->msi && at + 14 <= PCI_CFG_CLASSIC_SIZE)
				ret = cfg__msi(pdev, real, at, vd, lay);
			break;
		case PCI_CAPID_MSIX:
			if (!lay->msix && at + 12 <= PCI_CFG_CLASSIC_SIZE)
				ret = cfg__msix(pdev, real, at, vd, lay);
			break;
		case PCI_CAPID_EXP:
			if (!lay->exp)
				ret = cfg__exp(pdev, real, at, vd, lay);
			break;
		default:
			pr_debug("vfio: capability 0x%02x at 0x%02x hidden",
				 real[at], at);
			break;
		}
		at = real[at + 1] & ~3;
	}
	return ret;
}

static int cfg__pasid(struct pci_device *pdev, const u8 *real, u16 at,
		      struct vfio_cfg_layout *lay, struct viommu_ep_caps *caps)
{
	u16 cap = get(real, at + PASID_CAP, 2) & 0x1f06;
	int off = pci_dev__add_ext_cap(pdev, PCI_EXTCAPID_PASID, 1, 8);

	if (off < 0)
		return off;
	lay->pasid = (u16)off;
	pci_cfg__set(pdev, lay->pasid + PASID_CAP, cap, 2);
	/* Enable, and execute/privileged only where supported. */
	pci_cfg__set_wmask(pdev, lay->pasid + PASID_CTRL, 1 | (cap & 6), 2);
	caps->pasid_bits = MIN((cap >> 8) & 0x1f, 20);
	if (caps->pasid_bits) {
		caps->formats = VSVA_S1_FMT_X86_64_4LVL |
				VSVA_S1_FMT_X86_64_5LVL;
		caps->table_flags = VSVA_TABLE_F_MASK;
	}
	return 0;
}

static int cfg__pri(struct pci_device *pdev, const u8 *real, u16 at,
		    struct vfio_cfg_layout *lay, struct viommu_ep_caps *caps)
{
	u32 capacity = get(real, at + PRI_CAPACITY, 4);
	u16 sts = get(real, at + PRI_STATUS, 2) & PRI_STS_PASID;
	int off = pci_dev__add_ext_cap(pdev, PCI_EXTCAPID_PRI, 1, 16);

	if (off < 0)
		return off;
	lay->pri = (u16)off;
	pci_cfg__set_wmask(pdev, lay->pri + PRI_CTRL, 0x3, 2);
	pci_cfg__set(pdev, lay->pri + PRI_STATUS, sts | PRI_STS_STOPPED, 2);
	pci_cfg__set_w1cmask(pdev, lay->pri + PRI_STATUS,
			     PRI_STS_RF | PRI_STS_UPRGI, 2);
	pci_cfg__set(pdev, lay->pri + PRI_CAPACITY, capacity, 4);
	pci_cfg__set_wmask(pdev, lay->pri + PRI_ALLOC, 0xffffffff, 4);
	caps->page_req = capacity != 0;
	caps->prq_capacity = capacity;
	return 0;
}

static int cfg__ats(struct pci_device *pdev, const u8 *real, u16 at,
		    struct vfio_cfg_layout *lay)
{
	int off = pci_dev__add_ext_cap(pdev, PCI_EXTCAPID_ATS, 1, 8);

	if (off < 0)
		return off;
	lay->ats = (u16)off;
	pci_cfg__set(pdev, lay->ats + ATS_CAP, get(real, at + ATS_CAP, 2), 2);
	pci_cfg__set_wmask(pdev, lay->ats + ATS_CTRL, 0x801f, 2);
	return 0;
}

static int cfg__ext_caps(struct pci_device *pdev, const u8 *real, u32 len,
			 struct vfio_cfg_layout *lay,
			 struct viommu_ep_caps *caps)
{
	u16 at = PCI_CFG_EXT_START;
	int ret = 0;

	if (len < PCI_CFG_SIZE || !lay->exp)
		return 0;
	for (int n = 0; at >= PCI_CFG_EXT_START && at <= PCI_CFG_SIZE - 16 &&
	     n < 960 && !ret; n++) {
		u32 h = get(real, at, 4);

		if (!h || h == 0xffffffffU)
			break;
		switch (h & 0xffff) {
		case PCI_EXTCAPID_PASID:
			if (!lay->pasid)
				ret = cfg__pasid(pdev, real, at, lay, caps);
			break;
		case PCI_EXTCAPID_PRI:
			if (!lay->pri)
				ret = cfg__pri(pdev, real, at, lay, caps);
			break;
		case PCI_EXTCAPID_ATS:
			if (!lay->ats)
				ret = cfg__ats(pdev, real, at, lay);
			break;
		default:
			pr_debug("vfio: extended capability 0x%04x at 0x%03x hidden",
				 h & 0xffff, at);
			break;
		}
		at = (h >> 20) & ~3;
	}
	/* Page requests carry a PASID here: no PRI without PASID. */
	if (!caps->pasid_bits)
		caps->page_req = false;
	return ret;
}

int vfio_cfg__build(struct pci_device *pdev, const u8 *real, u32 len,
		    const struct vfio_device *vd, struct vfio_cfg_layout *lay,
		    struct viommu_ep_caps *caps)
{
	u8 hdr;
	int ret;

	if (len < PCI_CFG_CLASSIC_SIZE)
		return -EINVAL;
	hdr = real[PCI_REG_HEADER_TYPE] & 0x7f;
	if (hdr != 0) {
		pr_err("vfio: header type %u: only endpoints (type 0) are passed through",
		       hdr);
		return -ENOTSUP;
	}
	memset(lay, 0, sizeof(*lay));
	memset(caps, 0, sizeof(*caps));
	lay->msix_bar = -1;
	pci_dev__init(pdev, get(real, PCI_REG_VENDOR_ID, 2),
		      get(real, PCI_REG_DEVICE_ID, 2),
		      get(real, PCI_REG_CLASS, 3), real[PCI_REG_REVISION]);
	pci_dev__set_subsystem(pdev, get(real, PCI_REG_SUBSYS_VENDOR, 2),
			       get(real, PCI_REG_SUBSYS_ID, 2));
	/* 66 MHz, fast back-to-back, DEVSEL timing: informational. */
	pci_cfg__set(pdev, PCI_REG_STATUS,
		     get(real, PCI_REG_STATUS, 2) & 0x06a0, 2);
	ret = cfg__bars(pdev, real, vd);
	if (!ret)
		ret = cfg__caps(pdev, real, vd, lay);
	if (!ret)
		ret = cfg__ext_caps(pdev, real, len, lay, caps);
	if (ret)
		pr_err("vfio: no room for the capabilities: %s",
		       strerror(-ret));
	return ret;
}

void vfio_cfg__msi_state(const struct pci_device *pdev,
			 const struct vfio_cfg_layout *lay,
			 struct vfio_msi_state *st)
{
	u16 ctrl;
	u8 mme;

	memset(st, 0, sizeof(*st));
	if (!lay->msi)
		return;
	ctrl = pci_cfg__get(pdev, lay->msi + 2, 2);
	mme = MIN((u8)((ctrl >> MSI_CTRL_MME_SHIFT) & 7), lay->msi_max_log2);
	st->enabled = ctrl & MSI_CTRL_ENABLE;
	st->nvec = 1U << mme;
	st->addr = pci_cfg__get(pdev, lay->msi + 4, 4);
	if (lay->msi_64)
		st->addr |= (u64)pci_cfg__get(pdev, lay->msi + 8, 4) << 32;
	st->data = pci_cfg__get(pdev, lay->msi + (lay->msi_64 ? 12 : 8), 2);
}

u32 vfio_cfg__msi_data(const struct vfio_msi_state *st, u32 v)
{
	return (st->data & ~(st->nvec - 1)) | (v & (st->nvec - 1));
}

void vfio_cfg__reset(struct pci_device *pdev, const u8 *snap)
{
	struct msix *mx = pdev->msix;

	memcpy(pdev->cfg, snap, PCI_CFG_SIZE);
	if (!mx)
		return;
	pthread_mutex_lock(&mx->lock);
	for (u16 v = 0; v < mx->nr; v++) {
		memset(&mx->table[v * MSIX_ENTRY_SIZE], 0, MSIX_ENTRY_SIZE);
		mx->table[v * MSIX_ENTRY_SIZE + 12] = MSIX_VEC_MASKED;
	}
	memset(mx->pba, 0, ALIGN_UP((u32)mx->nr, 64U) / 8);
	pthread_mutex_unlock(&mx->lock);
	msix__ctrl_written(mx);
}
