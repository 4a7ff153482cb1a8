// SPDX-License-Identifier: GPL-2.0
/* mock-pri: the mock SVA device's driver (see mp.h). */
#include <errno.h>

#include "console.h"
#include "ecam.h"
#include "mmio.h"
#include "mp.h"
#include "pci.h"
#include "sva.h"		/* PASID and PRI register names */

#define dev_err(d, fmt, ...)						\
	printf(MP_PROG ": mock-sva %02x:%02x.%x: " fmt "\n",		\
	       PCI_BUS((d)->bdf), PCI_DEV((d)->bdf), PCI_FN((d)->bdf),	\
	       ##__VA_ARGS__)

static u32 reg_read(const struct mp_dev *d, u32 off)
{
	return readl(d->regs + off);
}

static void reg_write(struct mp_dev *d, u32 off, u32 v)
{
	writel(d->regs + off, v);
}

int mp_dev__find(const void *fdt, struct dt_pci_dev *dev)
{
	if (dt__pci_find(fdt, "mock-sva", dev))
		return -ENOENT;
	return dev->has_iommu_ep ? 0 : -EINVAL;
}

static int map_bar0(struct mp_dev *d)
{
	struct pci_bar bar;
	int ret = pci__bar(d->bdf, 0, &bar);

	if (ret || bar.io || bar.size < MSVA_BAR0_SIZE || !bar.addr ||
	    bar.addr + bar.size > (4ULL << 30)) {
		dev_err(d, "BAR0 unusable (%d: addr %#llx size %#llx)", ret,
			(unsigned long long)bar.addr,
			(unsigned long long)bar.size);
		return -ENODEV;
	}
	d->regs = mmio__ptr(bar.addr);
	return 0;
}

static int enable_pasid(struct mp_dev *d)
{
	u16 want = PCI_PASID_CTRL_ENABLE | PCI_PASID_CTRL_EXEC |
		   PCI_PASID_CTRL_PRIV, cap;

	d->pasid_cap = ecam__find_ext_cap(d->bdf, PCI_EXT_CAP_ID_PASID);
	if (!d->pasid_cap) {
		dev_err(d, "no PASID capability");
		return -ENODEV;
	}
	cap = ecam__read16(d->bdf, d->pasid_cap + PCI_PASID_CAP);
	if (PCI_PASID_CAP_WIDTH(cap) != MSVA_PASID_BITS ||
	    !(cap & PCI_PASID_CAP_EXEC) || !(cap & PCI_PASID_CAP_PRIV)) {
		dev_err(d, "PASID capability %#x", cap);
		return -ENODEV;
	}
	ecam__write16(d->bdf, d->pasid_cap + PCI_PASID_CTRL, want);
	if (ecam__read16(d->bdf, d->pasid_cap + PCI_PASID_CTRL) != want) {
		dev_err(d, "PASID control did not take %#x", want);
		return -EIO;
	}
	return 0;
}

static int enable_pri(struct mp_dev *d)
{
	u32 cap;
	u16 sts;

	d->pri_cap = ecam__find_ext_cap(d->bdf, PCI_EXT_CAP_ID_PRI);
	if (!d->pri_cap) {
		dev_err(d, "no PRI capability");
		return -ENODEV;
	}
	ecam__write16(d->bdf, d->pri_cap + PCI_PRI_CTRL, 0);
	ecam__write16(d->bdf, d->pri_cap + PCI_PRI_CTRL, PCI_PRI_CTRL_RESET);
	cap = ecam__read32(d->bdf, d->pri_cap + PCI_PRI_MAX_REQ);
	ecam__write32(d->bdf, d->pri_cap + PCI_PRI_ALLOC_REQ, cap);
	d->prq_alloc = ecam__read32(d->bdf, d->pri_cap + PCI_PRI_ALLOC_REQ);
	ecam__write16(d->bdf, d->pri_cap + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE);
	sts = mp_dev__pri_status(d);
	if (cap != MSVA_PRQ_CAPACITY || d->prq_alloc != cap ||
	    (sts & (PCI_PRI_STATUS_RF | PCI_PRI_STATUS_UPRGI |
		    PCI_PRI_STATUS_STOPPED))) {
		dev_err(d, "PRI: capacity %u, allocation %u, status %#x", cap,
			d->prq_alloc, sts);
		return -EIO;
	}
	return 0;
}

int mp_dev__init(struct mp_dev *d, const struct dt_pci_dev *dev)
{
	u32 id, caps;
	int ret;

	*d = (struct mp_dev){ .bdf = dev->bdf, .ep = dev->iommu_ep };
	if (!ecam__ready()) {
		dev_err(d, "no ECAM window: cannot reach PASID and PRI");
		return -ENODEV;
	}
	id = ecam__read32(d->bdf, PCI_VENDOR_ID);
	if ((id & 0xffff) != MSVA_VENDOR || id >> 16 != MSVA_DEVICE) {
		dev_err(d, "IDs %04x:%04x", id & 0xffff, id >> 16);
		return -ENODEV;
	}
	ret = map_bar0(d);
	if (ret)
		return ret;
	pci__write16(d->bdf, PCI_COMMAND, pci__read16(d->bdf, PCI_COMMAND) |
		     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (reg_read(d, MSVA_REG_ID) != MSVA_ID ||
	    reg_read(d, MSVA_REG_VERSION) != MSVA_VERSION) {
		dev_err(d, "registers: ID %#x version %u",
			reg_read(d, MSVA_REG_ID),
			reg_read(d, MSVA_REG_VERSION));
		return -ENODEV;
	}
	caps = reg_read(d, MSVA_REG_CAPS);
	d->host_dev = reg_read(d, MSVA_REG_HOST_DEV);
	if (!(caps & MSVA_CAPS_HOST) || !d->host_dev) {
		dev_err(d, "no kernel mock device behind it (CAPS %#x): is vsva's vIOMMU on the iommufd backend?",
			caps);
		return -ENODEV;
	}
	if (reg_read(d, MSVA_REG_DB_RING) != MSVA_DB_IDLE) {
		dev_err(d, "DB_RING reads %u before any ring",
			reg_read(d, MSVA_REG_DB_RING));
		return -EIO;
	}
	ret = enable_pasid(d);
	if (!ret)
		ret = enable_pri(d);
	if (ret)
		return ret;
	mp_dev__ctrl(d, true);
	if (!(reg_read(d, MSVA_REG_CTRL) & MSVA_CTRL_ENABLE)) {
		dev_err(d, "CTRL.ENABLE did not stick");
		return -EIO;
	}
	printf(MP_PROG ": mock-sva at %02x:%02x.%x, endpoint %#x, host device %u, %u records per group, PRI allocation %u\n",
	       PCI_BUS(d->bdf), PCI_DEV(d->bdf), PCI_FN(d->bdf), d->ep,
	       d->host_dev, (caps >> MSVA_CAPS_GROUP_SHIFT) & 0xff,
	       d->prq_alloc);
	return 0;
}

void mp_dev__ctrl(struct mp_dev *d, bool enable)
{
	reg_write(d, MSVA_REG_CTRL, enable ? MSVA_CTRL_ENABLE : 0);
}

u32 mp_dev__ring(struct mp_dev *d, u32 pasid_reg, u32 access, u64 addr,
		 u32 group, u32 flags)
{
	reg_write(d, MSVA_REG_DB_PASID, pasid_reg);
	reg_write(d, MSVA_REG_DB_ACCESS, access);
	reg_write(d, MSVA_REG_DB_ADDR_LO, (u32)addr);
	reg_write(d, MSVA_REG_DB_ADDR_HI, (u32)(addr >> 32));
	reg_write(d, MSVA_REG_DB_GROUP, group);
	reg_write(d, MSVA_REG_DB_FLAGS, flags);
	reg_write(d, MSVA_REG_DB_RING, 1);
	return reg_read(d, MSVA_REG_DB_RING);
}

void mp_dev__snapshot(struct mp_dev *d)
{
	reg_write(d, MSVA_REG_SNAPSHOT, 1);
	for (u32 i = 0; i < MSVA_C__COUNT; i++) {
		u32 lo = reg_read(d, MSVA_REG_COUNTERS + 8 * i);
		u32 hi = reg_read(d, MSVA_REG_COUNTERS + 8 * i + 4);

		d->c[i] = (u64)hi << 32 | lo;
	}
}

u16 mp_dev__pri_status(const struct mp_dev *d)
{
	return ecam__read16(d->bdf, d->pri_cap + PCI_PRI_STATUS);
}

void mp_dev__pri_reset(struct mp_dev *d)
{
	ecam__write16(d->bdf, d->pri_cap + PCI_PRI_CTRL,
		      PCI_PRI_CTRL_ENABLE | PCI_PRI_CTRL_RESET);
}

void mp_dev__disable(struct mp_dev *d)
{
	if (!d->regs)
		return;
	mp_dev__ctrl(d, false);
	if (d->pri_cap)
		ecam__write16(d->bdf, d->pri_cap + PCI_PRI_CTRL, 0);
	if (d->pasid_cap)
		ecam__write16(d->bdf, d->pasid_cap + PCI_PASID_CTRL, 0);
}

const char *mp_dev__status_str(u32 st)
{
	static const char *const names[] = {
		[MSVA_DB_OK] = "OK",
		[MSVA_DB_BAD] = "BAD",
		[MSVA_DB_DISABLED] = "DISABLED",
		[MSVA_DB_UNSUPP] = "UNSUPP",
		[MSVA_DB_HOST_ERROR] = "HOST_ERROR",
		[MSVA_DB_NO_HOST] = "NO_HOST",
		[MSVA_DB_IDLE] = "IDLE",
	};

	return st < ARRAY_SIZE(names) ? names[st] : "?";
}
