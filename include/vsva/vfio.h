/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI passthrough: a VFIO device cdev (/dev/vfio/devices/vfioN) presented
 * to the guest as a PCI function on vsva's bus, behind the virtio-iommu
 * like the emulated devices.
 *
 *  - vfio/device.c: the device FD (GET_INFO, GET_REGION_INFO with the
 *    sparse-mmap capability, GET_IRQ_INFO, SET_IRQS, RESET, region
 *    read/write and mmap), every host call through struct vfio_sys so the
 *    unit tests can put a fake kernel behind it.
 *  - vfio/config.c: the guest's view of the configuration space, built
 *    from the real one: IDs and class copied, BARs virtualized (vsva
 *    assigns guest addresses), the command register's I/O, memory and
 *    bus-master bits written through, MSI and MSI-X emulated, the PCI
 *    Express capability copied (FLR through VFIO_DEVICE_RESET), PASID,
 *    PRI and ATS emulated when the device has them; everything else
 *    hidden.  No INTx (interrupt pin 0).
 *  - vfio/irq.c: MSI (the VFIO trigger eventfd is a KVM irqfd on a GSI
 *    routed to the guest's message: no vsva thread in the path) and MSI-X
 *    (VFIO eventfds watched by the event loop, fed to virtio/msix.c so the
 *    guest's vector masks and pending bits behave; delivery by its irqfds).
 *  - vfio/bar.c: BAR accesses: mmap'd areas become KVM memory slots while
 *    the BAR decodes (the MSI-X table and PBA pages stay trapped), the rest
 *    is trapped and done with pread/pwrite on the region.
 *  - vfio/pci.c: the function on a vm (the device's ops, reset); every
 *    vm-side effect goes through struct vfio_vm_ops.
 *  - vfio/host.c: the `--vfio` devices of a vm: open (path or BDF through
 *    sysfs), register, DMA without a vIOMMU (an IOAS of all guest RAM at
 *    IOVA = GPA), close.
 *
 * With --viommu on, binding to iommufd and attaching (VFIO_DEVICE_BIND_
 * IOMMUFD, ATTACH/DETACH_IOMMUFD_PT, per PASID too) are the iommufd
 * backend's (iommufd_be__add_vfio): the function only marks itself with
 * pdev->host.  VFIO answers nothing on a cdev that is not bound, yet the
 * function must be on the bus (BARs sized) before the vIOMMU binds it: so
 * host.c probes through a second open of the cdev bound to a scratch
 * iommufd (vfio_pci__probe), closes it, and the function is activated
 * (vfio_pci__activate: mmap, MSI-X eventfds) once the backend has bound
 * the FD it keeps.  Device reset: the vIOMMU first answers the endpoint's
 * outstanding page requests (virtio_iommu__ep_reset), then
 * VFIO_DEVICE_RESET.
 */
#ifndef VSVA_VFIO_H
#define VSVA_VFIO_H

#include <sys/types.h>

#include <vsva/guest-mem.h>
#include <vsva/pci.h>
#include <vsva/types.h>
#include <vsva/viommu.h>

struct vm;

/* --- host calls (the real ones, or a unit test's fake kernel) --- */

struct vfio_sys {
	/* 0 or -errno. */
	int (*ioctl)(void *opaque, int fd, unsigned long req, void *arg);
	/* Bytes done or -errno. */
	ssize_t (*pread)(void *opaque, int fd, void *buf, size_t len, u64 off);
	ssize_t (*pwrite)(void *opaque, int fd, const void *buf, size_t len,
			  u64 off);
	/* Shared read/write mapping of @len bytes at @off; NULL on failure. */
	void *(*mmap)(void *opaque, int fd, u64 off, size_t len);
	void (*munmap)(void *opaque, void *p, size_t len);
	/* A non-blocking eventfd, or -errno; read(2) on it. */
	int (*eventfd)(void *opaque);
	ssize_t (*read)(void *opaque, int fd, void *buf, size_t len);
	void (*close)(void *opaque, int fd);
	void *opaque;
};

extern const struct vfio_sys vfio_sys_host;

/* --- the device FD (device.c) --- */

#define VFIO_NR_REGIONS		9	/* BAR0-5, ROM, config, VGA */
#define VFIO_REGION_CONFIG	7
#define VFIO_REGION_ROM		6
#define VFIO_NR_IRQ_INDEXES	5	/* INTx, MSI, MSI-X, err, req */
#define VFIO_IRQ_INTX		0
#define VFIO_IRQ_MSI		1
#define VFIO_IRQ_MSIX		2
#define VFIO_MAX_AREAS		8	/* mmap-able areas of one region */

struct vfio_area {
	u64 off, size;		/* within the region, page-aligned */
	void *hva;		/* mapped, or NULL */
};

struct vfio_region {
	u32 flags;		/* VFIO_REGION_INFO_FLAG_* */
	u64 size;
	u64 offset;		/* in the device FD */
	int nr_areas;		/* mmap-able parts (whole region if no
				 * sparse-mmap capability) */
	struct vfio_area areas[VFIO_MAX_AREAS];
};

struct vfio_device {
	int fd;
	const struct vfio_sys *sys;
	u32 flags;		/* VFIO_DEVICE_FLAGS_* */
	u32 num_regions, num_irqs;
	struct vfio_region regions[VFIO_NR_REGIONS];
	struct {
		u32 flags;	/* VFIO_IRQ_INFO_* */
		u32 count;
	} irqs[VFIO_NR_IRQ_INDEXES];
};

/*
 * Learn what the device offers: GET_INFO (must be a vfio-pci device),
 * every PCI region (with its sparse-mmap areas) and IRQ index.  @fd stays
 * the caller's.  0 or -errno (logged).
 */
int vfio_dev__probe(struct vfio_device *vd, int fd, const struct vfio_sys *sys);
bool vfio_dev__can_reset(const struct vfio_device *vd);
/* Exactly @len bytes at @off of region @idx: 0, -EINVAL outside the
 * region or without the access flag, -EIO for a short transfer. */
int vfio_dev__read(struct vfio_device *vd, int idx, u64 off, void *buf,
		   u32 len);
int vfio_dev__write(struct vfio_device *vd, int idx, u64 off,
		    const void *buf, u32 len);
/* mmap every area of region @idx; the number mapped (0 if none may be). */
int vfio_dev__map(struct vfio_device *vd, int idx);
void vfio_dev__unmap_all(struct vfio_device *vd);
/* SET_IRQS ACTION_TRIGGER: @n eventfds from vector @start; @n = 0
 * disables the whole index. */
int vfio_dev__set_irqs(struct vfio_device *vd, u32 index, u32 start, u32 n,
		       const int *fds);
int vfio_dev__reset(struct vfio_device *vd);

/* --- the guest's configuration space (config.c) --- */

#define VFIO_MSI_MAX_VECTORS	32

/* Where the emulated pieces sit in the guest's view (0: absent). */
struct vfio_cfg_layout {
	u16 msi, msix, exp, pasid, pri, ats;
	u16 real_msi, real_msix, real_exp;	/* in the real space */
	bool msi_64;
	u8 msi_max_log2;	/* vectors the guest may enable, log2 */
	u16 msix_nr;
	int msix_bar;
	u32 msix_table_off, msix_pba_off;
};

/*
 * Build @pdev's configuration space from @real (@len bytes of the device's
 * real space: 256 or 4096) and the device's regions and IRQs: pci_dev__init
 * first, then BARs (pci_dev__set_bar, sizes from the BAR regions), the
 * capabilities listed above, @caps (what the endpoint offers a vIOMMU:
 * PASID width, PRI) and @lay filled.  0 or -errno (-ENOTSUP for a header
 * type vsva does not pass through).
 */
int vfio_cfg__build(struct pci_device *pdev, const u8 *real, u32 len,
		    const struct vfio_device *vd, struct vfio_cfg_layout *lay,
		    struct viommu_ep_caps *caps);
/* Did the guest's write [@off, @off + @len) touch [@at, @at + @n)? */
bool vfio_cfg__touches(u16 off, u32 len, u16 at, u32 n);
/* The guest's MSI capability, decoded. */
struct vfio_msi_state {
	bool enabled;
	u32 nvec;		/* enabled vectors (1 << MME, within limits) */
	u64 addr;
	u32 data;
};
void vfio_cfg__msi_state(const struct pci_device *pdev,
			 const struct vfio_cfg_layout *lay,
			 struct vfio_msi_state *st);
/* The message of MSI vector @v (multiple-message: data's low bits). */
u32 vfio_cfg__msi_data(const struct vfio_msi_state *st, u32 v);
/* Back to the values of @snap (the space as built) after a function
 * reset: every register, BARs included (0, as after an FLR); MSI-X vectors
 * masked, nothing pending. */
void vfio_cfg__reset(struct pci_device *pdev, const u8 *snap);

/* --- the function on a vm (pci.c, irq.c, bar.c) --- */

/* What the function needs from the vm: KVM and the event loop. */
struct vfio_vm_ops {
	/* @gsi < 0: a new GSI routed to (@addr, @data), returned; else
	 * re-route @gsi (0). */
	int (*msi_route)(void *vm, int gsi, u64 addr, u32 data);
	int (*irqfd)(void *vm, int efd, u32 gsi, bool assign);
	/* A slot number, or -errno. */
	int (*memslot_add)(void *vm, u64 gpa, u64 size, void *hva);
	int (*memslot_del)(void *vm, int slot);
	/* Call @fn on the event loop whenever @fd is readable. */
	int (*watch)(void *vm, int fd,
		     void (*fn)(struct vm *vm, int fd, u32 revents, void *arg),
		     void *arg);
	void (*unwatch)(void *vm, int fd);
	/* The vIOMMU answers @ep's outstanding page requests (before a
	 * reset); NULL when there is no vIOMMU. */
	void (*ep_reset)(void *vm, struct viommu_endpoint *ep);
};

/* A KVM slot over part of a mapped BAR area (bar.c). */
#define VFIO_MAX_SLOTS		16
struct vfio_slot {
	int bar;
	u64 off, size;		/* in the BAR */
	void *hva;
	int slot;		/* KVM slot, -1 while not installed */
};

struct vfio_pci_stats {
	u64 bar_traps;		/* BAR accesses vsva did (not mmap'd) */
	u64 bar_errors;		/* failed pread/pwrite */
	u64 slots;		/* KVM slots installed (cumulative) */
	u64 slot_errors;	/* slots KVM refused: the BAR stays trapped */
	u64 cmd_writes;		/* command register written through */
	u64 msi_programs;	/* SET_IRQS for MSI */
	u64 msix_programs;	/* SET_IRQS for MSI-X */
	u64 msix_relayed;	/* MSI-X vectors fed to the guest */
	u64 irq_errors;
	u64 resets;
	u64 reset_errors;
};

struct vfio_msi_vec {
	int efd;		/* -1: none yet */
	int gsi;		/* -1: no route yet */
	bool irqfd;		/* bound to gsi */
};

struct vfio_msix_vec {
	int efd;
	struct vfio_pci *vp;
	u16 v;
};

struct vfio_pci {
	struct pci_device pdev;
	struct vfio_device vd;
	const struct vfio_vm_ops *vmops;
	void *vm;
	char name[48];
	struct vfio_cfg_layout lay;
	struct viommu_ep_caps caps;
	struct dma_space dma;		/* DMA-capable: behind the vIOMMU */
	struct viommu_endpoint *ep;	/* set when a vIOMMU took it */
	bool active;			/* vfio_pci__activate() done */

	struct vfio_slot slots[VFIO_MAX_SLOTS];
	int nr_slots;

	/* MSI */
	struct vfio_msi_vec msi[VFIO_MSI_MAX_VECTORS];
	struct vfio_msi_state msi_st;	/* as programmed */
	u32 msi_live;			/* vectors given to VFIO, 0: off */
	/* MSI-X */
	struct vfio_msix_vec *msix;
	bool msix_live;

	struct vfio_pci_stats stats;
	u8 reset_cfg[PCI_CFG_SIZE];	/* the space as built */
};

/*
 * Learn the device on @fd (which stays the caller's; it must be bound to
 * an iommufd: VFIO answers nothing before) and build the guest's function:
 * configuration space, BARs, MSI-X table.  @vm is passed back to @vmops.
 * No host state is touched.  Not yet on a bus: pci__register() next.
 * 0 or -errno (logged).
 */
int vfio_pci__probe(struct vfio_pci *vp, int fd, const struct vfio_sys *sys,
		    const struct vfio_vm_ops *vmops, void *vm,
		    const char *name);
/*
 * Make it work on @fd (bound; the probe's FD or another open of the same
 * device): BAR areas mapped and KVM slots planned, MSI-X eventfds watched,
 * the device's command register in line with the guest's.  Called by the
 * iommu_attached hook when the vIOMMU's backend has bound @vp->vd.fd, or
 * directly.  0 or -errno (logged; the function is then torn down).
 */
int vfio_pci__activate(struct vfio_pci *vp, int fd);
/* Both, on one bound FD. */
int vfio_pci__setup(struct vfio_pci *vp, int fd, const struct vfio_sys *sys,
		    const struct vfio_vm_ops *vmops, void *vm,
		    const char *name);
/* Undo setup: interrupts off, slots removed, areas unmapped, eventfds
 * closed.  The FD stays open. */
void vfio_pci__teardown(struct vfio_pci *vp);
/* Function-level reset for the guest: drain (vmops->ep_reset), interrupts
 * off, VFIO_DEVICE_RESET, emulated registers to their reset values.
 * 0 or -errno. */
int vfio_pci__reset(struct vfio_pci *vp);

/* irq.c: the guest changed the MSI or MSI-X capability. */
void vfio_irq__msi_update(struct vfio_pci *vp);
void vfio_irq__msix_update(struct vfio_pci *vp);
int vfio_irq__msix_setup(struct vfio_pci *vp);
void vfio_irq__off(struct vfio_pci *vp);
void vfio_irq__free(struct vfio_pci *vp);

/* bar.c */
void vfio_bar__access(struct vfio_pci *vp, int bar, u64 off, u8 *data,
		      u32 len, bool is_write);
/*
 * The parts of BAR @bar's mapped areas that may become KVM slots: page
 * ranges with none of the MSI-X table and PBA pages.  Fills @vp->slots.
 */
int vfio_bar__plan_slots(struct vfio_pci *vp, int bar);
void vfio_bar__live(struct vfio_pci *vp, int bar, u64 addr, bool live);

/* --- the --vfio devices of a vm (host.c) --- */

/*
 * "/dev/vfio/devices/vfioN" from @arg: a path is taken as it is; a PCI
 * address (DDDD:BB:DD.F, or BB:DD.F in domain 0) is looked up under
 * @sysfs (NULL: /sys) in bus/pci/devices/BDF/vfio-dev/.  0 or -errno
 * (-ENOENT: not bound to vfio-pci).
 */
int vfio__resolve(const char *arg, const char *sysfs, char *path,
		  size_t size);
bool vfio__is_bdf(const char *arg);

/* Run steps: open the cdevs (before the bus exists; closed after it is
 * gone), then put them on the bus (before the vIOMMU). */
int vfio__open_all(struct vm *vm);
void vfio__close_all(struct vm *vm);
int vfio__init_all(struct vm *vm);

#endif
