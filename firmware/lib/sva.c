// SPDX-License-Identifier: GPL-2.0
/* SVA DMA device driver: see sva.h. */
#include <errno.h>

#include "console.h"
#include "cpu.h"
#include "ecam.h"
#include "mmio.h"
#include "pci.h"
#include "sva.h"
#include "tsc.h"

#define sva_err(s, fmt, ...)						\
	printf("sva %02x:%02x.%x: " fmt "\n", PCI_BUS((s)->bdf),	\
	       PCI_DEV((s)->bdf), PCI_FN((s)->bdf), ##__VA_ARGS__)

int sva__find(const void *fdt, struct dt_pci_dev *dev)
{
	if (dt__pci_find(fdt, SVA_DT_NAME, dev))
		return -ENOENT;
	return dev->has_iommu_ep ? 0 : -EINVAL;
}

static u32 reg_read(const struct sva *s, u32 off)
{
	return readl(s->regs + off);
}

static void reg_write(struct sva *s, u32 off, u32 v)
{
	writel(s->regs + off, v);
}

static int map_bar0(struct sva *s)
{
	struct pci_bar bar;
	int ret = pci__bar(s->bdf, 0, &bar);

	if (ret || bar.io || bar.size < SVA_BAR0_SIZE || !bar.addr ||
	    bar.addr + bar.size > (4ULL << 30)) {
		sva_err(s, "BAR0 unusable (%d: addr %#llx size %#llx%s)", ret,
			(unsigned long long)bar.addr,
			(unsigned long long)bar.size, bar.io ? ", I/O" : "");
		return -ENODEV;
	}
	s->regs = mmio__ptr(bar.addr);
	return 0;
}

static int enable_pasid(struct sva *s, bool priv)
{
	u16 cap, ctrl = PCI_PASID_CTRL_ENABLE;

	s->pasid_cap = ecam__find_ext_cap(s->bdf, PCI_EXT_CAP_ID_PASID);
	if (!s->pasid_cap) {
		sva_err(s, "no PASID capability");
		return -ENODEV;
	}
	cap = ecam__read16(s->bdf, s->pasid_cap + PCI_PASID_CAP);
	s->pasid_bits = PCI_PASID_CAP_WIDTH(cap);
	if (!s->pasid_bits) {
		sva_err(s, "PASID width 0");
		return -ENODEV;
	}
	if (priv) {
		if (!(cap & PCI_PASID_CAP_PRIV)) {
			sva_err(s, "no privileged mode (PASID cap %#x)", cap);
			return -EOPNOTSUPP;
		}
		ctrl |= PCI_PASID_CTRL_PRIV;
	}
	ecam__write16(s->bdf, s->pasid_cap + PCI_PASID_CTRL, ctrl);
	if ((ecam__read16(s->bdf, s->pasid_cap + PCI_PASID_CTRL) & ctrl) !=
	    ctrl) {
		sva_err(s, "PASID control %#x did not stick", ctrl);
		return -EIO;
	}
	s->priv = priv;
	return 0;
}

static int enable_pri(struct sva *s)
{
	u16 base, sts;

	s->pri_cap = ecam__find_ext_cap(s->bdf, PCI_EXT_CAP_ID_PRI);
	if (!s->pri_cap) {
		sva_err(s, "no PRI capability");
		return -ENODEV;
	}
	base = s->pri_cap;
	/* Disabled, then reset: no stale RF/UPRGI or outstanding count. */
	ecam__write16(s->bdf, base + PCI_PRI_CTRL, 0);
	ecam__write16(s->bdf, base + PCI_PRI_CTRL, PCI_PRI_CTRL_RESET);
	s->prq_capacity = ecam__read32(s->bdf, base + PCI_PRI_MAX_REQ);
	if (!s->prq_capacity) {
		sva_err(s, "PRI capacity 0");
		return -ENODEV;
	}
	ecam__write32(s->bdf, base + PCI_PRI_ALLOC_REQ, s->prq_capacity);
	s->prq_alloc = ecam__read32(s->bdf, base + PCI_PRI_ALLOC_REQ);
	ecam__write16(s->bdf, base + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE);
	sts = ecam__read16(s->bdf, base + PCI_PRI_STATUS);
	if (s->prq_alloc != s->prq_capacity ||
	    !(ecam__read16(s->bdf, base + PCI_PRI_CTRL) &
	      PCI_PRI_CTRL_ENABLE) ||
	    (sts & (PCI_PRI_STATUS_RF | PCI_PRI_STATUS_UPRGI |
		    PCI_PRI_STATUS_STOPPED))) {
		sva_err(s, "PRI not running: allocation %u of %u, status %#x",
			s->prq_alloc, s->prq_capacity, sts);
		return -EIO;
	}
	return 0;
}

int sva__init(struct sva *s, const struct dt_pci_dev *dev, bool priv)
{
	u32 id;
	int ret;

	*s = (struct sva){ .bdf = dev->bdf, .ep = dev->iommu_ep };
	if (!ecam__ready()) {
		sva_err(s, "no ECAM window: cannot reach PASID and PRI");
		return -ENODEV;
	}
	id = ecam__read32(s->bdf, PCI_VENDOR_ID);
	if ((id & 0xffff) != SVA_VENDOR || id >> 16 != SVA_DEVICE) {
		sva_err(s, "IDs %04x:%04x, want %04x:%04x", id & 0xffff,
			id >> 16, SVA_VENDOR, SVA_DEVICE);
		return -ENODEV;
	}
	ret = map_bar0(s);
	if (ret)
		return ret;
	pci__write16(s->bdf, PCI_COMMAND, pci__read16(s->bdf, PCI_COMMAND) |
		     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (reg_read(s, SVA_REG_ID) != SVA_ID ||
	    reg_read(s, SVA_REG_VERSION) != 1) {
		sva_err(s, "registers: ID %#x version %u",
			reg_read(s, SVA_REG_ID), reg_read(s, SVA_REG_VERSION));
		return -ENODEV;
	}
	s->slots = reg_read(s, SVA_REG_CAPS) & 0xff;
	if (!s->slots) {
		sva_err(s, "CAPS says 0 jobs in flight");
		return -ENODEV;
	}
	ret = enable_pasid(s, priv);
	if (!ret)
		ret = enable_pri(s);
	if (ret)
		return ret;
	reg_write(s, SVA_REG_CTRL, SVA_CTRL_ENABLE);
	if (!(reg_read(s, SVA_REG_CTRL) & SVA_CTRL_ENABLE)) {
		sva_err(s, "CTRL.ENABLE did not stick");
		return -EIO;
	}
	return 0;
}

int sva__submit(struct sva *s, const struct sva_desc *d)
{
	const u32 *w = (const u32 *)d;
	int ret;

	for (unsigned int i = 0; i < sizeof(*d) / 4; i++)
		reg_write(s, SVA_REG_DESC + 4 * i, w[i]);
	reg_write(s, SVA_REG_SUBMIT, 1);
	ret = (int)reg_read(s, SVA_REG_SUBMIT);
	if (ret == SVA_SUBMIT_BUSY)
		s->busy++;
	return ret;
}

u32 sva__completed(const struct sva *s)
{
	return reg_read(s, SVA_REG_COMPLETED);
}

u32 sva__lost(const struct sva *s)
{
	return reg_read(s, SVA_REG_LOST);
}

u16 sva__pri_status(const struct sva *s)
{
	return ecam__read16(s->bdf, s->pri_cap + PCI_PRI_STATUS);
}

int sva__reset(struct sva *s, u32 timeout_ms)
{
	u64 deadline = tsc__deadline(timeout_ms);

	reg_write(s, SVA_REG_CTRL, SVA_CTRL_RESET);
	while (reg_read(s, SVA_REG_CTRL) & SVA_CTRL_RESET) {
		if (tsc__expired(deadline)) {
			sva_err(s, "reset did not finish in %u ms", timeout_ms);
			return -ETIMEDOUT;
		}
		cpu_relax();
	}
	reg_write(s, SVA_REG_CTRL, SVA_CTRL_ENABLE);
	return 0;
}

void sva__disable(struct sva *s)
{
	if (!s->regs)
		return;
	reg_write(s, SVA_REG_CTRL, 0);
	if (s->pri_cap)
		ecam__write16(s->bdf, s->pri_cap + PCI_PRI_CTRL, 0);
	if (s->pasid_cap)
		ecam__write16(s->bdf, s->pasid_cap + PCI_PASID_CTRL, 0);
}

const char *sva__status_str(u8 status)
{
	static const char *const names[] = {
		[0] = "none",
		[SVA_ST_SUCCESS] = "SUCCESS",
		[SVA_ST_PAGE_FAULT] = "PAGE_FAULT",
		[SVA_ST_BAD_DESC] = "BAD_DESC",
		[SVA_ST_MISMATCH] = "MISMATCH",
		[SVA_ST_XLATE_FAULT] = "XLATE_FAULT",
		[SVA_ST_ABORTED] = "ABORTED",
		[SVA_ST_PRI_FAILURE] = "PRI_FAILURE",
	};

	return status < ARRAY_SIZE(names) ? names[status] : "?";
}
