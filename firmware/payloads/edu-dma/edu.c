// SPDX-License-Identifier: GPL-2.0
/* edu-dma: the edu device's registers, DMA and MSI; the local APIC's IRR. */
#include <errno.h>

#include "cpu.h"
#include "edu.h"
#include "mmio.h"
#include "pci.h"
#include "tsc.h"

#define PCI_CAP_ID_MSI		0x05
#define MSI_CTRL		2
#define MSI_ADDR		4
#define MSI_CTRL_ENABLE		0x0001
#define MSI_CTRL_64		0x0080

#define LAPIC_BASE		0xfee00000ULL
#define LAPIC_SVR		0xf0
#define LAPIC_SVR_ENABLE	0x100
#define LAPIC_IRR		0x200

int edu__init(struct edu *e, u16 bdf)
{
	struct pci_bar bar;
	int ret;

	e->bdf = bdf;
	ret = pci__bar(bdf, 0, &bar);
	if (ret)
		return ret;
	if (bar.io || !bar.addr || bar.size < 0x100)
		return -ENODEV;
	e->regs = mmio__ptr(bar.addr);
	e->bar_size = bar.size;
	e->msi_cap = pci__find_cap(bdf, PCI_CAP_ID_MSI, 0);
	pci__write16(bdf, PCI_COMMAND, pci__read16(bdf, PCI_COMMAND) |
		     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return 0;
}

u32 edu__read(struct edu *e, u32 reg)
{
	return readl(e->regs + reg);
}

void edu__write(struct edu *e, u32 reg, u32 v)
{
	writel(e->regs + reg, v);
}

int edu__dma(struct edu *e, bool to_ram, u64 bus, u64 dev, u32 count,
	     bool irq, u32 *ms)
{
	u64 start = rdtsc(), deadline = tsc__deadline(EDU_DMA_TIMEOUT_MS);
	int ret = -ETIMEDOUT;

	writeq(e->regs + EDU_REG_DMA_SRC, to_ram ? dev : bus);
	writeq(e->regs + EDU_REG_DMA_DST, to_ram ? bus : dev);
	writeq(e->regs + EDU_REG_DMA_COUNT, count);
	writel(e->regs + EDU_REG_DMA_CMD, EDU_DMA_START |
	       (to_ram ? EDU_DMA_TO_RAM : 0) | (irq ? EDU_DMA_IRQ : 0));
	while (!tsc__expired(deadline)) {
		if (!(readl(e->regs + EDU_REG_DMA_CMD) & EDU_DMA_START)) {
			ret = 0;
			break;
		}
		cpu_relax();
	}
	if (ms)
		*ms = (u32)tsc__ms_since(start);
	return ret;
}

int edu__msi_enable(struct edu *e, u8 vector)
{
	u8 c = e->msi_cap;
	u16 ctrl;

	if (!c)
		return -ENODEV;
	ctrl = pci__read16(e->bdf, c + MSI_CTRL);
	pci__write32(e->bdf, c + MSI_ADDR, (u32)LAPIC_BASE);
	if (ctrl & MSI_CTRL_64) {
		pci__write32(e->bdf, c + MSI_ADDR + 4, 0);
		pci__write16(e->bdf, c + 12, vector);
	} else {
		pci__write16(e->bdf, c + 8, vector);
	}
	/* One vector (MME 0), enabled. */
	pci__write16(e->bdf, c + MSI_CTRL,
		     (ctrl & ~0x70) | MSI_CTRL_ENABLE);
	return pci__read16(e->bdf, c + MSI_CTRL) & MSI_CTRL_ENABLE ? 0 : -EIO;
}

void lapic__enable(void)
{
	u8 *apic = mmio__ptr(LAPIC_BASE);

	writel(apic + LAPIC_SVR, readl(apic + LAPIC_SVR) | LAPIC_SVR_ENABLE |
	       0xff);
}

bool lapic__irr(u8 vector)
{
	u8 *apic = mmio__ptr(LAPIC_BASE);

	return readl(apic + LAPIC_IRR + 0x10 * (vector / 32)) &
	       (1U << (vector % 32));
}
