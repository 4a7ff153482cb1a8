/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MSI-X: capability, vector table and pending-bit array in a BAR.
 *
 * msix.c is pure: it keeps the table, the mask state and the PBA, and
 * calls an irq backend to install a vector's message when the vector
 * becomes deliverable (enabled, function and vector unmasked) and to raise
 * it.  msix-kvm.c is the backend on a vm: one KVM GSI route per vector and
 * an irqfd, so raising is an eventfd write, safe from any thread.
 */
#ifndef VSVA_MSIX_H
#define VSVA_MSIX_H

#include <pthread.h>
#include <vsva/types.h>

struct pci_device;
struct msix;

#define MSIX_ENTRY_SIZE		16
#define MSIX_MAX_VECTORS	2048

/* Message control (capability offset 2). */
#define MSIX_CTRL_ENABLE	0x8000
#define MSIX_CTRL_FMASK		0x4000
#define MSIX_CTRL_SIZE_MASK	0x07ff
/* Vector control (entry offset 12). */
#define MSIX_VEC_MASKED		0x1

struct msix_irq_ops {
	/* @vec became deliverable, or its message changed while it was. */
	int (*install)(struct msix *mx, u16 vec, u64 addr, u32 data);
	/* Deliver @vec (installed with @addr/@data). */
	int (*raise)(struct msix *mx, u16 vec, u64 addr, u32 data);
	/* Tear down everything installed. */
	void (*release)(struct msix *mx);
};

struct msix_stats {
	u64 raised;		/* delivered at once */
	u64 pended;		/* masked: PBA bit set */
	u64 replayed;		/* pending delivered on unmask */
	u64 dropped;		/* MSI-X disabled */
	u64 errors;		/* backend install/raise failures */
};

struct msix {
	struct pci_device *pdev;
	pthread_mutex_t lock;
	u16 nr;
	u16 cap;		/* capability offset in config space */
	int bar;
	u32 table_off, pba_off;	/* in the BAR */
	u8 *table;		/* nr * 16 bytes */
	u64 *pba;
	bool *deliverable;	/* per vector, as last evaluated */
	bool enabled, fmask;

	const struct msix_irq_ops *irq_ops;
	void *irq_priv;
	struct msix_stats stats;
};

/*
 * Give @pdev an MSI-X capability with @nr vectors whose table and PBA live
 * in BAR @bar at @table_off and @pba_off (8-byte aligned, the BAR must be
 * declared first and large enough).  Vectors start masked, MSI-X disabled.
 */
int msix__setup(struct pci_device *pdev, u16 nr, int bar, u32 table_off,
		u32 pba_off);
void msix__free(struct pci_device *pdev);
void msix__set_irq_ops(struct msix *mx, const struct msix_irq_ops *ops,
		       void *priv);

/*
 * Signal @vector from any thread: delivered now if deliverable, else its
 * PBA bit is set (and it is delivered on unmask).  -EINVAL for a bad
 * vector, -EAGAIN when MSI-X is disabled (nothing is sent).
 */
int msix__notify(struct pci_device *pdev, u16 vector);

/* For pci-cfg.c: the message control register was written. */
void msix__ctrl_written(struct msix *mx);
/* For pci-cfg.c: true if [off, off + len) of BAR @bar is the table or
 * PBA (then the access is done). */
bool msix__bar_access(struct msix *mx, int bar, u64 off, u8 *data, u32 len,
		      bool is_write);
bool msix__pending(struct msix *mx, u16 vector);

/* msix-kvm.c: wire @pdev's MSI-X to KVM routes and irqfds on @pdev->vm. */
int msix_kvm__attach(struct pci_device *pdev);

#endif
