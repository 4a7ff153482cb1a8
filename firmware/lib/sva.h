/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driver for vsva's emulated SVA DMA device (docs/sva-device.md; layouts
 * in include/vsva/sva-dev.h): finds it in the device tree, enables PASID
 * and PRI through ECAM, memory decoding and bus mastering, and submits
 * descriptors through the BAR0 portal. Completions are polled (the
 * COMPLETED counter and the completion records); no interrupts.
 */
#ifndef FW_SVA_H
#define FW_SVA_H

#include <vsva/sva-dev.h>

#include "dt.h"

#define SVA_DT_NAME		"sva-dev"

/* PASID extended capability */
#define PCI_PASID_CAP		0x04	/* u16 */
#define PCI_PASID_CAP_EXEC	0x0002
#define PCI_PASID_CAP_PRIV	0x0004
#define PCI_PASID_CAP_WIDTH(c)	(((c) >> 8) & 0x1f)
#define PCI_PASID_CTRL		0x06	/* u16 */
#define PCI_PASID_CTRL_ENABLE	0x0001
#define PCI_PASID_CTRL_EXEC	0x0002
#define PCI_PASID_CTRL_PRIV	0x0004

/* Page Request Interface extended capability */
#define PCI_PRI_CTRL		0x04	/* u16 */
#define PCI_PRI_CTRL_ENABLE	0x0001
#define PCI_PRI_CTRL_RESET	0x0002
#define PCI_PRI_STATUS		0x06	/* u16 */
#define PCI_PRI_STATUS_RF	0x0001
#define PCI_PRI_STATUS_UPRGI	0x0002
#define PCI_PRI_STATUS_STOPPED	0x0100
#define PCI_PRI_STATUS_PASID	0x8000
#define PCI_PRI_MAX_REQ		0x08	/* u32: capacity */
#define PCI_PRI_ALLOC_REQ	0x0c	/* u32: allocation */

struct sva {
	u16 bdf;
	u32 ep;			/* endpoint ID behind the vIOMMU */
	u8 *regs;		/* BAR0 */
	u16 pasid_cap, pri_cap;	/* extended capability offsets */
	u8 pasid_bits;
	bool priv;		/* privileged requests enabled */
	u32 prq_capacity;	/* outstanding page requests it may have */
	u32 prq_alloc;		/* what we allowed */
	u32 slots;		/* jobs in flight (CAPS) */
	u64 busy;		/* submissions that found every slot in use */
};

/* The /pci node whose vsva,name is "sva-dev" and that has an endpoint ID;
 * 0, -ENOENT, or -EINVAL (no vsva,iommu-endpoint). */
int sva__find(const void *fdt, struct dt_pci_dev *dev);

/*
 * Brings the device up: ECAM must be initialised (ecam__init()). Checks
 * IDs and registers, enables PASID (with privileged mode if `priv`), PRI
 * (reset, allocation = capacity, enable), memory and bus mastering, then
 * CTRL.ENABLE. Prints and returns a negative errno on failure.
 */
int sva__init(struct sva *s, const struct dt_pci_dev *dev, bool priv);

/* Writes the descriptor to DESC and SUBMIT; returns SVA_SUBMIT_* as read
 * back from SUBMIT (SVA_SUBMIT_BUSY: try again once a job ended). */
int sva__submit(struct sva *s, const struct sva_desc *d);

u32 sva__completed(const struct sva *s);
u32 sva__lost(const struct sva *s);
u16 sva__pri_status(const struct sva *s);

/*
 * CTRL.RESET: every job ends ABORTED (outstanding page requests answered
 * first); waits up to timeout_ms for the bit to clear, then enables again.
 * 0 or -ETIMEDOUT.
 */
int sva__reset(struct sva *s, u32 timeout_ms);

/* Stops the engine and turns PRI and PASID off. */
void sva__disable(struct sva *s);

const char *sva__status_str(u8 status);

#endif
