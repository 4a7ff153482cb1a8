/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake vfio-pci device and a fake vm for the vfio/ unit tests: the
 * device answers VFIO's ioctls from a description (configuration space,
 * regions with optional sparse-mmap areas, IRQ counts), keeps a real
 * configuration space whose command register and BAR memory react to
 * pread/pwrite, hands out eventfd numbers and mappings, and can be told
 * to refuse things.  Every host and vm call is appended to one log so a
 * test can check the order (e.g. the drain before the reset).
 */
#ifndef TEST_VFIO_FAKE_H
#define TEST_VFIO_FAKE_H

#include <vsva/vfio.h>

#define FV_LOG		256
#define FV_BAR_MEM	0x10000

enum fv_op {
	FV_GET_INFO = 1, FV_REGION_INFO, FV_IRQ_INFO, FV_SET_IRQS, FV_RESET,
	FV_PREAD, FV_PWRITE, FV_MMAP, FV_MUNMAP, FV_EVENTFD, FV_CLOSE,
	FV_ROUTE, FV_IRQFD, FV_SLOT_ADD, FV_SLOT_DEL, FV_WATCH, FV_UNWATCH,
	FV_EP_RESET,
};

struct fv_call {
	enum fv_op op;
	u32 index, start, count, flags, argsz;
	int fds[16];
	u64 off, len, gpa;
	u32 data;
	int gsi, fd, slot;
	bool assign;
	void *hva;
};

struct fv_region {
	u64 size;
	u32 flags;		/* VFIO_REGION_INFO_FLAG_* (CAPS added) */
	int nr_sparse;		/* > 0: a sparse-mmap capability */
	struct { u64 off, size; } sparse[4];
};

struct fake_vfio {
	/* the device */
	u32 dev_flags;
	u32 num_regions, num_irqs;
	struct fv_region regions[VFIO_NR_REGIONS];
	u32 irq_count[VFIO_NR_IRQ_INDEXES];
	u8 cfg[PCI_CFG_SIZE];
	u8 *bar_mem;			/* FV_BAR_MEM bytes, page-aligned */
	/* refusals */
	int info_err, region_err, irq_info_err, set_irqs_err, reset_err;
	int region_err_index;
	u32 irq_einval;			/* GET_IRQ_INFO indexes refused */
	bool mmap_fails, eventfd_fails, pread_fails;
	int slot_err;			/* memslot_add */
	/* state */
	int next_fd, open_fds;
	int next_gsi, next_slot;
	int mapped;
	u32 msi_live, msix_live;	/* vectors enabled by SET_IRQS */
	struct { int fd; void (*fn)(struct vm *, int, u32, void *);
		 void *arg; } watch[64];
	int nr_watch;
	struct fv_call log[FV_LOG];
	int nr;
	struct vfio_sys sys;		/* opaque: this fake */
};

/* The vm side; its opaque (vfio_pci's vm) is the fake. */
extern const struct vfio_vm_ops fv_vm_ops;

/* A fresh fake: zeroed, BAR memory allocated, fds from 100. */
void fv__init(struct fake_vfio *f);
void fv__free(struct fake_vfio *f);
/* QEMU's edu: 1234:11e8, class 00ff00, BAR0 1 MiB mmap-able, MSI with
 * one 64-bit vector, INTx; no PCIe. */
void fv__edu(struct fake_vfio *f);
/* A PCIe SVA device: 8086:0b25, BAR0 16 KiB (MSI-X 8 vectors: table at
 * 0x2000, PBA at 0x3000), BAR2 64-bit prefetchable 1 MiB, an I/O BAR4;
 * PCIe v2 capability, MSI-X, a vendor capability; PASID (20 bits, exec,
 * priv), PRI (capacity 512), ATS, AER; resettable. */
void fv__sva(struct fake_vfio *f);
/* Link a classic capability @id at @at after @prev (0: the list head). */
void fv__cap(struct fake_vfio *f, u16 prev, u16 at, u8 id);

/* Set up @vp on the fake (name "fake"). */
int fv__setup(struct fake_vfio *f, struct vfio_pci *vp);

/* The @n-th call with @op (0: first), or NULL. */
const struct fv_call *fv__find(const struct fake_vfio *f, enum fv_op op,
			       int n);
int fv__count(const struct fake_vfio *f, enum fv_op op);
/* Index of the first call with @op in the log, -1 if none. */
int fv__pos(const struct fake_vfio *f, enum fv_op op);
/* The device's real command register. */
u16 fv__cmd(const struct fake_vfio *f);

#endif
