/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edu-dma: QEMU's `edu` PCI device passed through by vsva (--vfio), its
 * DMA through the virtio-iommu.  One PASS/FAIL/SKIP line per case; exit
 * 0 only if every case passed, 2 when there is no edu device.
 *
 * edu (QEMU docs/specs/edu.rst): BAR0 is 1 MiB of registers; DMA copies
 * between RAM (a bus address below 256 MiB) and a 4 KiB buffer inside the
 * device at device address 0x40000, count below 4096, about 100 ms each.
 */
#ifndef EDU_H
#define EDU_H

#include <vsva/types.h>

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8

#define EDU_REG_ID		0x00	/* 0xRRrr00ed */
#define EDU_REG_LIVE		0x04	/* reads back inverted */
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98

#define EDU_DMA_START		0x1
#define EDU_DMA_TO_RAM		0x2	/* else RAM -> device buffer */
#define EDU_DMA_IRQ		0x4
#define EDU_IRQ_DMA		0x100	/* status bit of a DMA interrupt */

#define EDU_BUF			0x40000ULL	/* device-side buffer */
#define EDU_BUF_SIZE		4096
#define EDU_DMA_LIMIT		(1ULL << 28)	/* 28-bit DMA mask */
#define EDU_DMA_TIMEOUT_MS	5000

struct edu {
	u16 bdf;
	u8 *regs;		/* BAR0 */
	u64 bar_size;
	u8 msi_cap;		/* 0: none */
};

/* BAR0, memory decoding and bus mastering on.  0 or -errno. */
int edu__init(struct edu *e, u16 bdf);
u32 edu__read(struct edu *e, u32 reg);
void edu__write(struct edu *e, u32 reg, u32 v);
/*
 * One DMA of @count bytes: to_ram copies the device buffer at @dev to the
 * bus address @bus, else @bus to @dev.  Waits for the device to finish:
 * 0, or -ETIMEDOUT; *@ms (may be NULL) gets how long it took.
 */
int edu__dma(struct edu *e, bool to_ram, u64 bus, u64 dev, u32 count,
	     bool irq, u32 *ms);
/* MSI with one vector: @vector to local APIC 0, fixed, edge. */
int edu__msi_enable(struct edu *e, u8 vector);

/* The local APIC: software-enabled, and whether @vector is requested. */
void lapic__enable(void);
bool lapic__irr(u8 vector);

#endif
