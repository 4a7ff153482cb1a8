/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI: bus 0 behind configuration mechanism #1 (0xCF8/0xCFC), a host
 * bridge at 00:00.0, and devices with a 4 KiB (PCIe-sized) configuration
 * space.
 *
 * Two layers:
 *  - pci-cfg.c (pure, no vm, no ioctls): configuration space with per-byte
 *    write masks and RW1C masks, capability and extended capability lists,
 *    BARs (sizing, decode state), the BAR access dispatch (MSI-X table/PBA
 *    first, then the device).  Unit-tested directly.
 *  - pci.c: the bus on a vm: config ports, slot and BAR assignment, BAR
 *    regions registered as MMIO/port ranges only while decoding is enabled,
 *    moved when the guest rewrites a BAR.
 */
#ifndef VSVA_PCI_H
#define VSVA_PCI_H

#include <vsva/types.h>
#include <vsva/vm.h>

#define PCI_CFG_SIZE		4096	/* PCIe: classic 256 + extended */
#define PCI_CFG_CLASSIC_SIZE	256
#define PCI_CFG_EXT_START	0x100
#define PCI_CAP_START		0x40
#define PCI_NR_BARS		6
#define PCI_MAX_DEVICES		32	/* device numbers on bus 0 */

/* Type 0 header registers. */
#define PCI_REG_VENDOR_ID	0x00
#define PCI_REG_DEVICE_ID	0x02
#define PCI_REG_COMMAND		0x04
#define PCI_REG_STATUS		0x06
#define PCI_REG_REVISION	0x08
#define PCI_REG_CLASS		0x09	/* 3 bytes: prog-if, subclass, class */
#define PCI_REG_CACHE_LINE	0x0c
#define PCI_REG_LATENCY		0x0d
#define PCI_REG_HEADER_TYPE	0x0e
#define PCI_REG_BAR0		0x10
#define PCI_REG_SUBSYS_VENDOR	0x2c
#define PCI_REG_SUBSYS_ID	0x2e
#define PCI_REG_ROM		0x30
#define PCI_REG_CAP_PTR		0x34
#define PCI_REG_INT_LINE	0x3c
#define PCI_REG_INT_PIN		0x3d

#define PCI_CMD_IO		0x0001
#define PCI_CMD_MEM		0x0002
#define PCI_CMD_MASTER		0x0004
#define PCI_CMD_PARITY		0x0040
#define PCI_CMD_SERR		0x0100
#define PCI_CMD_INTX_DISABLE	0x0400

#define PCI_STS_INTX		0x0008
#define PCI_STS_CAP_LIST	0x0010
/* Error bits, write 1 to clear. */
#define PCI_STS_ERR_MASK	0xf900

#define PCI_BAR_IO_FLAG		0x1
#define PCI_BAR_MEM_64		0x4
#define PCI_BAR_PREFETCH	0x8

/* Capability IDs. */
#define PCI_CAPID_VENDOR	0x09
#define PCI_CAPID_EXP		0x10
#define PCI_CAPID_MSIX		0x11
/* Extended capability IDs. */
#define PCI_EXTCAPID_ATS	0x000f
#define PCI_EXTCAPID_PRI	0x0013
#define PCI_EXTCAPID_PASID	0x001b

/* Where vsva places memory BARs (32-bit window below 4 GiB). */
#define PCI_MMIO_WINDOW_START	0xc0000000ULL
#define PCI_MMIO_WINDOW_END	0xe0000000ULL
/* No BAR decodes beyond the x86 physical address space. */
#define PCI_MEM_LIMIT		(1ULL << 52)
/* ECAM for bus 0 (1 MiB), in the window reserved for it. */
#define PCI_ECAM_BASE		0xe0000000ULL
#define PCI_ECAM_SIZE		0x100000ULL
/* Where vsva places I/O BARs. */
#define PCI_IO_WINDOW_START	0xc000
#define PCI_IO_WINDOW_END	0x10000

#define PCI_HOST_VENDOR		0x8086
#define PCI_HOST_DEVICE		0x29c0
#define PCI_HOST_CLASS		0x060000

struct pci_device;
struct msix;
struct viommu_ep_caps;
struct viommu_endpoint;

/* What backs a device on the host.  With --viommu on and the iommufd
 * backend, the vIOMMU registers host devices with the kernel before their
 * endpoints exist (virtio/iommu.c). */
enum pci_host_kind {
	PCI_HOST_NONE = 0,	/* emulated by vsva */
	PCI_HOST_VFIO,		/* a VFIO device cdev: fd */
	PCI_HOST_MOCK,		/* an IOMMUFD selftest mock device */
};

struct pci_host {
	enum pci_host_kind kind;
	int fd;			/* PCI_HOST_VFIO: the cdev (the device's) */
};

enum pci_bar_type {
	PCI_BAR_NONE = 0,
	PCI_BAR_IO,
	PCI_BAR_MEM32,
	PCI_BAR_MEM64,
	PCI_BAR_MEM64_HI,	/* upper half of the BAR below it */
};

struct pci_bar {
	enum pci_bar_type type;
	bool prefetch;
	u64 size;		/* power of two; 0 = not implemented */
	/* Decode state, kept by pci.c. */
	bool live;		/* registered at live_addr */
	u64 live_addr;
	struct pci_device *pdev;
	int idx;
};

struct pci_device_ops {
	/* An access to BAR @bar at @off from its base (MSI-X aside). */
	void (*bar_access)(struct pci_device *pdev, int bar, u64 off, u8 *data,
			   u32 len, bool is_write);
	/* Optional: BAR @bar now decodes at @addr (live) or stopped. */
	void (*bar_live)(struct pci_device *pdev, int bar, u64 addr, bool live);
	/* Optional: the guest is about to read config bytes [off, off+len):
	 * a chance to refresh them. */
	void (*cfg_read)(struct pci_device *pdev, u16 off, u32 len);
	/* Optional: the guest wrote config bytes [off, off + len). */
	void (*cfg_write)(struct pci_device *pdev, u16 off, u32 len);
	/* Optional: pci__exit() is done with the device (BARs off, MSI-X
	 * freed); free it. */
	void (*release)(struct pci_device *pdev);
	/* Optional: a vIOMMU now translates this device's DMA, as @ep. */
	void (*iommu_attached)(struct pci_device *pdev,
			       struct viommu_endpoint *ep);
};

struct pci_device {
	u8 cfg[PCI_CFG_SIZE];
	u8 wmask[PCI_CFG_SIZE];		/* bits the guest may write */
	u8 w1cmask[PCI_CFG_SIZE];	/* bits the guest clears with a 1 */
	u16 cap_free, cap_last;		/* classic capability list */
	u16 ext_free, ext_last;		/* extended capability list */
	struct pci_bar bar[PCI_NR_BARS];
	struct msix *msix;
	/* How the device's DMA reaches guest RAM; NULL if it does no DMA.
	 * A vIOMMU installs its translate hook here. */
	struct dma_space *dma;
	/* What the device offers a vIOMMU (PASID, page requests); NULL for
	 * none.  Set by the device before the vIOMMU is created. */
	const struct viommu_ep_caps *iommu_caps;
	/* Keep the device out of the vIOMMU (--disk ...,iommu=off): its DMA
	 * stays untranslated.  Set before the vIOMMU is created. */
	bool no_iommu;
	/* Answer Invalid Request for the device's page requests the guest
	 * leaves unanswered this long (ms; 0: the VM's --prq-timeout).
	 * Set before the vIOMMU is created. */
	u32 prq_timeout_ms;
	/* Host-backed devices (PCI_HOST_NONE: emulated).  Set before the
	 * vIOMMU is created. */
	struct pci_host host;

	const struct pci_device_ops *ops;
	void *priv;
	const char *name;

	/* Set by pci__register(). */
	struct vm *vm;
	int dev;			/* device number on bus 0, -1 if none */
	struct pci_device *next;
};

/* --- pci-cfg.c: pure configuration-space logic --- */

/* Blank type 0 header: IDs, class, revision, default write masks. */
void pci_dev__init(struct pci_device *pdev, u16 vendor, u16 device,
		   u32 class_code, u8 revision);
void pci_dev__set_subsystem(struct pci_device *pdev, u16 vendor, u16 id);

/* Raw accessors (device side: no masks).  Little endian. */
u32 pci_cfg__get(const struct pci_device *pdev, u16 off, u32 len);
void pci_cfg__set(struct pci_device *pdev, u16 off, u32 val, u32 len);
void pci_cfg__set_wmask(struct pci_device *pdev, u16 off, u32 mask, u32 len);
void pci_cfg__set_w1cmask(struct pci_device *pdev, u16 off, u32 mask,
			  u32 len);

/*
 * Guest accesses (len 1, 2 or 4, within the 4 KiB space; others read all
 * ones and are ignored on write).  A write changes only writable bits,
 * clears RW1C bits written as 1, then lets MSI-X and the device react.
 */
u32 pci_cfg__read(struct pci_device *pdev, u16 off, u32 len);
void pci_cfg__write(struct pci_device *pdev, u16 off, u32 val, u32 len);

/*
 * Append a capability of @len bytes (header included, rounded up to 4) to
 * the classic list; returns its offset, or -ENOSPC.  The header (ID, next)
 * is read-only; the caller fills the body and sets its write masks.
 */
int pci_dev__add_cap(struct pci_device *pdev, u8 id, u32 len);
/* Same in extended space (0x100-0xfff), header = ID, @version, next. */
int pci_dev__add_ext_cap(struct pci_device *pdev, u16 id, u8 version,
			 u32 len);
/*
 * A PCI Express endpoint capability plus PASID (@pasid_bits wide, Execute
 * and Privileged supported; Control writable) and PRI (Outstanding Page
 * Request Capacity @prq_capacity; Control writable; Status with "PRG
 * Response PASID Required" and Stopped set, RF/UPRGI write-1-to-clear;
 * Allocation writable) extended capabilities: what a device that takes
 * page requests offers a vIOMMU.  Offsets in *pasid_off and *pri_off.
 */
#define PCI_PASID_CAP_REG	0x04
#define PCI_PASID_CTRL_REG	0x06
#define PCI_PRI_CTRL_REG	0x04
#define PCI_PRI_STATUS_REG	0x06
#define PCI_PRI_CAPACITY_REG	0x08
#define PCI_PRI_ALLOC_REG	0x0c
#define PCI_PRI_STS_RF		0x0001
#define PCI_PRI_STS_UPRGI	0x0002
#define PCI_PRI_STS_STOPPED	0x0100
#define PCI_PRI_STS_PASID	0x8000
int pci_dev__add_pasid_pri(struct pci_device *pdev, u8 pasid_bits,
			   u32 prq_capacity, u16 *pasid_off, u16 *pri_off);
/*
 * The guest wrote config bytes [off, off + len).  If that touched the PRI
 * capability at @pri_off: Control.Reset clears Status.RF and .UPRGI (and
 * reads back 0), and Status.Stopped is "PRI disabled and nothing
 * outstanding" (@outstanding: page requests the device has out).  Returns
 * true if the PRI capability was touched.  The caller serialises.
 */
bool pci_dev__pri_written(struct pci_device *pdev, u16 pri_off, u16 off,
			  u32 len, u32 outstanding);

/* Offset of the first capability @id, or 0 (walks are bounded). */
u16 pci_dev__find_cap(const struct pci_device *pdev, u8 id);
u16 pci_dev__find_ext_cap(const struct pci_device *pdev, u16 id);

/*
 * Declare BAR @bar: @size is a power of two (memory >= 16, I/O 4..256);
 * a 64-bit BAR also takes @bar + 1.  -EINVAL on a bad request.
 */
int pci_dev__set_bar(struct pci_device *pdev, int bar, enum pci_bar_type type,
		     u64 size, bool prefetch);
/* The address the BAR holds now (type bits stripped). */
u64 pci_dev__bar_addr(const struct pci_device *pdev, int bar);
/* Program a BAR's address (vsva's allocator; bypasses the masks). */
void pci_dev__set_bar_addr(struct pci_device *pdev, int bar, u64 addr);
/*
 * Should BAR @bar decode now?  True when implemented, its enable bit in
 * the command register is set, and the address is sane (non-zero, below
 * PCI_MEM_LIMIT, I/O below 64 KiB); *@addr gets its base.
 */
bool pci_dev__bar_decodes(const struct pci_device *pdev, int bar, u64 *addr);
/* An access to a BAR's region: MSI-X table/PBA if it is theirs, else the
 * device's bar_access. */
void pci_dev__bar_access(struct pci_device *pdev, int bar, u64 off, u8 *data,
			 u32 len, bool is_write);

/* --- pci.c: the bus on a vm --- */

/* Host bridge and the 0xCF8/0xCFC ports. */
int pci__init(struct vm *vm);
/*
 * Stop every BAR (MMIO/port ranges and ioeventfds), free MSI-X and release
 * the devices.  vCPUs and the event loop must be stopped already.
 */
void pci__exit(struct vm *vm);
/*
 * Add @pdev to bus 0: next free device number, BARs assigned (naturally
 * aligned) from the PCI windows, MSI-X wired to KVM.  Decoding stays off
 * until the guest sets the command register.
 */
int pci__register(struct vm *vm, struct pci_device *pdev);
/* Iterate devices in slot order: NULL gives the first (the host bridge). */
struct pci_device *pci__next(struct vm *vm, struct pci_device *prev);
/* 0xCF8-style address of a device's function 0 (bus 0). */
static inline u32 pci__devfn(const struct pci_device *pdev)
{
	return (u32)pdev->dev << 3;
}

#endif
