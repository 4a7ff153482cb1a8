// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration space of one device: pure logic, no vm, no ioctls.
 *
 * Every byte has a write mask (bits the guest may change) and an RW1C mask
 * (bits a guest 1 clears); everything else is read-only.  BAR sizing falls
 * out of the masks: a BAR's writable bits are the address bits above its
 * size, so writing all ones reads back the size mask with the type bits.
 */
#include <errno.h>
#include <string.h>

#include <vsva/msix.h>
#include <vsva/pci.h>

void pci_dev__init(struct pci_device *pdev, u16 vendor, u16 device,
		   u32 class_code, u8 revision)
{
	memset(pdev, 0, sizeof(*pdev));
	pdev->dev = -1;
	pdev->cap_free = PCI_CAP_START;
	pdev->ext_free = PCI_CFG_EXT_START;
	for (int i = 0; i < PCI_NR_BARS; i++) {
		pdev->bar[i].pdev = pdev;
		pdev->bar[i].idx = i;
	}

	pci_cfg__set(pdev, PCI_REG_VENDOR_ID, vendor, 2);
	pci_cfg__set(pdev, PCI_REG_DEVICE_ID, device, 2);
	pci_cfg__set(pdev, PCI_REG_REVISION, revision, 1);
	pci_cfg__set(pdev, PCI_REG_CLASS, class_code & 0xffffff, 3);
	pci_cfg__set(pdev, PCI_REG_HEADER_TYPE, 0, 1);

	pci_cfg__set_wmask(pdev, PCI_REG_COMMAND,
			   PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER |
			   PCI_CMD_PARITY | PCI_CMD_SERR |
			   PCI_CMD_INTX_DISABLE, 2);
	pci_cfg__set_w1cmask(pdev, PCI_REG_STATUS, PCI_STS_ERR_MASK, 2);
	pci_cfg__set_wmask(pdev, PCI_REG_CACHE_LINE, 0xff, 1);
	pci_cfg__set_wmask(pdev, PCI_REG_INT_LINE, 0xff, 1);
}

void pci_dev__set_subsystem(struct pci_device *pdev, u16 vendor, u16 id)
{
	pci_cfg__set(pdev, PCI_REG_SUBSYS_VENDOR, vendor, 2);
	pci_cfg__set(pdev, PCI_REG_SUBSYS_ID, id, 2);
}

static bool pci_cfg__in_range(u32 off, u32 len)
{
	return len >= 1 && len <= 4 && off + len <= PCI_CFG_SIZE;
}

u32 pci_cfg__get(const struct pci_device *pdev, u16 off, u32 len)
{
	u32 v = 0;

	if (!pci_cfg__in_range(off, len))
		return 0;
	for (u32 i = 0; i < len; i++)
		v |= (u32)pdev->cfg[off + i] << (8 * i);
	return v;
}

static void pci_cfg__put(u8 *arr, u16 off, u32 val, u32 len)
{
	if (!pci_cfg__in_range(off, len))
		return;
	for (u32 i = 0; i < len; i++)
		arr[off + i] = val >> (8 * i);
}

void pci_cfg__set(struct pci_device *pdev, u16 off, u32 val, u32 len)
{
	pci_cfg__put(pdev->cfg, off, val, len);
}

void pci_cfg__set_wmask(struct pci_device *pdev, u16 off, u32 mask, u32 len)
{
	pci_cfg__put(pdev->wmask, off, mask, len);
}

void pci_cfg__set_w1cmask(struct pci_device *pdev, u16 off, u32 mask,
			  u32 len)
{
	pci_cfg__put(pdev->w1cmask, off, mask, len);
}

static bool pci_cfg__guest_len_ok(u16 off, u32 len)
{
	return (len == 1 || len == 2 || len == 4) && off + len <= PCI_CFG_SIZE;
}

u32 pci_cfg__read(struct pci_device *pdev, u16 off, u32 len)
{
	if (!pci_cfg__guest_len_ok(off, len))
		return 0xffffffffU;
	if (pdev->ops && pdev->ops->cfg_read)
		pdev->ops->cfg_read(pdev, off, len);
	return pci_cfg__get(pdev, off, len);
}

static bool overlaps(u32 a, u32 alen, u32 b, u32 blen)
{
	return a < b + blen && b < a + alen;
}

void pci_cfg__write(struct pci_device *pdev, u16 off, u32 val, u32 len)
{
	if (!pci_cfg__guest_len_ok(off, len))
		return;
	for (u32 i = 0; i < len; i++) {
		u8 b = val >> (8 * i);
		u8 wm = pdev->wmask[off + i];
		u8 c = pdev->cfg[off + i];

		c = (c & ~wm) | (b & wm);
		c &= ~(b & pdev->w1cmask[off + i]);
		pdev->cfg[off + i] = c;
	}
	if (pdev->msix && overlaps(off, len, pdev->msix->cap + 2, 2))
		msix__ctrl_written(pdev->msix);
	if (pdev->ops && pdev->ops->cfg_write)
		pdev->ops->cfg_write(pdev, off, len);
}

int pci_dev__add_cap(struct pci_device *pdev, u8 id, u32 len)
{
	u16 off = pdev->cap_free;

	if (len < 2)
		return -EINVAL;
	len = ALIGN_UP(len, 4U);
	if (off + len > PCI_CFG_CLASSIC_SIZE)
		return -ENOSPC;

	memset(&pdev->cfg[off], 0, len);
	memset(&pdev->wmask[off], 0, len);
	memset(&pdev->w1cmask[off], 0, len);
	pci_cfg__set(pdev, off, id, 1);
	pci_cfg__set(pdev, off + 1, 0, 1);
	if (pdev->cap_last)
		pci_cfg__set(pdev, pdev->cap_last + 1, off, 1);
	else
		pci_cfg__set(pdev, PCI_REG_CAP_PTR, off, 1);
	pci_cfg__set(pdev, PCI_REG_STATUS,
		     pci_cfg__get(pdev, PCI_REG_STATUS, 2) | PCI_STS_CAP_LIST,
		     2);
	pdev->cap_last = off;
	pdev->cap_free = off + len;
	return off;
}

int pci_dev__add_ext_cap(struct pci_device *pdev, u16 id, u8 version,
			 u32 len)
{
	u16 off = pdev->ext_free;

	if (len < 4 || version > 0xf)
		return -EINVAL;
	len = ALIGN_UP(len, 4U);
	if (off + len > PCI_CFG_SIZE)
		return -ENOSPC;

	memset(&pdev->cfg[off], 0, len);
	memset(&pdev->wmask[off], 0, len);
	memset(&pdev->w1cmask[off], 0, len);
	pci_cfg__set(pdev, off, id | (u32)version << 16, 4);
	if (pdev->ext_last) {
		u32 h = pci_cfg__get(pdev, pdev->ext_last, 4);

		pci_cfg__set(pdev, pdev->ext_last,
			     (h & 0x000fffff) | (u32)off << 20, 4);
	}
	pdev->ext_last = off;
	pdev->ext_free = off + len;
	return off;
}

u16 pci_dev__find_cap(const struct pci_device *pdev, u8 id)
{
	u16 off;
	int n;

	if (!(pci_cfg__get(pdev, PCI_REG_STATUS, 2) & PCI_STS_CAP_LIST))
		return 0;
	off = pci_cfg__get(pdev, PCI_REG_CAP_PTR, 1) & ~3;
	for (n = 0; off >= PCI_CAP_START && n < 48; n++) {
		if (pci_cfg__get(pdev, off, 1) == id)
			return off;
		off = pci_cfg__get(pdev, off + 1, 1) & ~3;
	}
	return 0;
}

u16 pci_dev__find_ext_cap(const struct pci_device *pdev, u16 id)
{
	u16 off = PCI_CFG_EXT_START;
	int n;

	for (n = 0; off >= PCI_CFG_EXT_START && n < 960; n++) {
		u32 h = pci_cfg__get(pdev, off, 4);

		if (!h || h == 0xffffffffU)
			return 0;
		if ((h & 0xffff) == id)
			return off;
		off = (h >> 20) & ~3;
	}
	return 0;
}

static bool is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

int pci_dev__set_bar(struct pci_device *pdev, int bar, enum pci_bar_type type,
		     u64 size, bool prefetch)
{
	u16 reg = PCI_REG_BAR0 + 4 * bar;
	u64 mask = ~(size - 1);
	u32 flags;

	if (bar < 0 || bar >= PCI_NR_BARS || !is_pow2(size) ||
	    pdev->bar[bar].type != PCI_BAR_NONE)
		return -EINVAL;

	switch (type) {
	case PCI_BAR_IO:
		if (size < 4 || size > 256 || prefetch)
			return -EINVAL;
		flags = PCI_BAR_IO_FLAG;
		pci_cfg__set_wmask(pdev, reg, (u32)mask & ~3U, 4);
		break;
	case PCI_BAR_MEM32:
		if (size < 16 || size > (1ULL << 31))
			return -EINVAL;
		flags = prefetch ? PCI_BAR_PREFETCH : 0;
		pci_cfg__set_wmask(pdev, reg, (u32)mask & ~0xfU, 4);
		break;
	case PCI_BAR_MEM64:
		if (size < 16 || bar == PCI_NR_BARS - 1 ||
		    pdev->bar[bar + 1].type != PCI_BAR_NONE)
			return -EINVAL;
		flags = PCI_BAR_MEM_64 | (prefetch ? PCI_BAR_PREFETCH : 0);
		pci_cfg__set_wmask(pdev, reg, (u32)mask & ~0xfU, 4);
		pci_cfg__set_wmask(pdev, reg + 4, (u32)(mask >> 32), 4);
		pci_cfg__set(pdev, reg + 4, 0, 4);
		pdev->bar[bar + 1].type = PCI_BAR_MEM64_HI;
		break;
	default:
		return -EINVAL;
	}
	pci_cfg__set(pdev, reg, flags, 4);
	pdev->bar[bar].type = type;
	pdev->bar[bar].size = size;
	pdev->bar[bar].prefetch = prefetch;
	return 0;
}

u64 pci_dev__bar_addr(const struct pci_device *pdev, int bar)
{
	u16 reg = PCI_REG_BAR0 + 4 * bar;

	if (bar < 0 || bar >= PCI_NR_BARS)
		return 0;
	switch (pdev->bar[bar].type) {
	case PCI_BAR_IO:
		return pci_cfg__get(pdev, reg, 4) & ~3U;
	case PCI_BAR_MEM32:
		return pci_cfg__get(pdev, reg, 4) & ~0xfU;
	case PCI_BAR_MEM64:
		return (pci_cfg__get(pdev, reg, 4) & ~0xfU) |
		       (u64)pci_cfg__get(pdev, reg + 4, 4) << 32;
	default:
		return 0;
	}
}

void pci_dev__set_bar_addr(struct pci_device *pdev, int bar, u64 addr)
{
	u16 reg = PCI_REG_BAR0 + 4 * bar;
	u32 lo;

	if (bar < 0 || bar >= PCI_NR_BARS)
		return;
	switch (pdev->bar[bar].type) {
	case PCI_BAR_IO:
		lo = pci_cfg__get(pdev, reg, 4) & 3U;
		pci_cfg__set(pdev, reg, lo | ((u32)addr & ~3U), 4);
		break;
	case PCI_BAR_MEM32:
		lo = pci_cfg__get(pdev, reg, 4) & 0xfU;
		pci_cfg__set(pdev, reg, lo | ((u32)addr & ~0xfU), 4);
		break;
	case PCI_BAR_MEM64:
		lo = pci_cfg__get(pdev, reg, 4) & 0xfU;
		pci_cfg__set(pdev, reg, lo | ((u32)addr & ~0xfU), 4);
		pci_cfg__set(pdev, reg + 4, (u32)(addr >> 32), 4);
		break;
	default:
		break;
	}
}

bool pci_dev__bar_decodes(const struct pci_device *pdev, int bar, u64 *addr)
{
	const struct pci_bar *b;
	u16 cmd = pci_cfg__get(pdev, PCI_REG_COMMAND, 2);
	u64 a;

	if (bar < 0 || bar >= PCI_NR_BARS)
		return false;
	b = &pdev->bar[bar];
	switch (b->type) {
	case PCI_BAR_IO:
		if (!(cmd & PCI_CMD_IO))
			return false;
		break;
	case PCI_BAR_MEM32:
	case PCI_BAR_MEM64:
		if (!(cmd & PCI_CMD_MEM))
			return false;
		break;
	default:
		return false;
	}
	a = pci_dev__bar_addr(pdev, bar);
	if (!a || b->size > PCI_MEM_LIMIT || a > PCI_MEM_LIMIT - b->size)
		return false;
	if (b->type == PCI_BAR_IO && a + b->size > 0x10000)
		return false;
	*addr = a;
	return true;
}

void pci_dev__bar_access(struct pci_device *pdev, int bar, u64 off, u8 *data,
			 u32 len, bool is_write)
{
	if (pdev->msix && msix__bar_access(pdev->msix, bar, off, data, len,
					   is_write))
		return;
	if (pdev->ops && pdev->ops->bar_access) {
		pdev->ops->bar_access(pdev, bar, off, data, len, is_write);
		return;
	}
	if (!is_write)
		memset(data, 0, len);
}

int pci_dev__add_pasid_pri(struct pci_device *pdev, u8 pasid_bits,
			   u32 prq_capacity, u16 *pasid_off, u16 *pri_off)
{
	int off;

	/* PCI Express endpoint: the extended space exists. */
	off = pci_dev__add_cap(pdev, PCI_CAPID_EXP, 0x3c);
	if (off < 0)
		return off;
	pci_cfg__set(pdev, (u16)off + 2, 0x0002, 2);	/* v2, endpoint */

	off = pci_dev__add_ext_cap(pdev, PCI_EXTCAPID_PASID, 1, 8);
	if (off < 0)
		return off;
	*pasid_off = (u16)off;
	pci_cfg__set(pdev, (u16)off + PCI_PASID_CAP_REG,
		     ((u32)pasid_bits << 8) | 0x6, 2);
	pci_cfg__set_wmask(pdev, (u16)off + PCI_PASID_CTRL_REG, 0x7, 2);

	off = pci_dev__add_ext_cap(pdev, PCI_EXTCAPID_PRI, 1, 16);
	if (off < 0)
		return off;
	*pri_off = (u16)off;
	pci_cfg__set_wmask(pdev, (u16)off + PCI_PRI_CTRL_REG, 0x3, 2);
	pci_cfg__set(pdev, (u16)off + PCI_PRI_STATUS_REG,
		     PCI_PRI_STS_STOPPED | PCI_PRI_STS_PASID, 2);
	pci_cfg__set_w1cmask(pdev, (u16)off + PCI_PRI_STATUS_REG,
			     PCI_PRI_STS_RF | PCI_PRI_STS_UPRGI, 2);
	pci_cfg__set(pdev, (u16)off + PCI_PRI_CAPACITY_REG, prq_capacity, 4);
	pci_cfg__set_wmask(pdev, (u16)off + PCI_PRI_ALLOC_REG, 0xffffffff, 4);
	return 0;
}

bool pci_dev__pri_written(struct pci_device *pdev, u16 pri_off, u16 off,
			  u32 len, u32 outstanding)
{
	u16 ctrl, sts;

	if (!pri_off || off + len <= pri_off || off >= pri_off + 16)
		return false;
	ctrl = (u16)pci_cfg__get(pdev, pri_off + PCI_PRI_CTRL_REG, 2);
	sts = (u16)pci_cfg__get(pdev, pri_off + PCI_PRI_STATUS_REG, 2);
	if (ctrl & 0x2) {		/* Reset */
		sts &= (u16)~(PCI_PRI_STS_RF | PCI_PRI_STS_UPRGI);
		pci_cfg__set(pdev, pri_off + PCI_PRI_CTRL_REG,
			     ctrl & ~0x2U, 2);
	}
	if (!(ctrl & 0x1) && !outstanding)	/* disabled, nothing out */
		sts |= PCI_PRI_STS_STOPPED;
	else
		sts &= (u16)~PCI_PRI_STS_STOPPED;
	pci_cfg__set(pdev, pri_off + PCI_PRI_STATUS_REG, sts, 2);
	return true;
}
