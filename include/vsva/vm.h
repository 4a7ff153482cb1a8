/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_VM_H
#define VSVA_VM_H

#include <pthread.h>
#include <vsva/types.h>
#include <vsva/guest-mem.h>

struct vcpu;
struct vm;
struct pci_bus;
struct net_dev;
struct vfio_set;

/*
 * Port I/O and MMIO dispatch.  A handler gets the absolute address, the
 * access width (1, 2, 4 or 8) and the data in little-endian order; for a
 * read it fills @data.  Handlers are registered during set-up, before the
 * vCPUs run, and may run concurrently on several vCPU threads.
 */
typedef void (*io_handler_fn)(struct vcpu *cpu, u64 addr, u8 *data, u32 len,
			      bool is_write, void *opaque);

int ioport__register(struct vm *vm, u16 port, u16 len, io_handler_fn fn,
		     void *opaque);
int mmio__register(struct vm *vm, u64 gpa, u64 len, io_handler_fn fn,
		   void *opaque);
/* Change the base of a registered MMIO range (PCI BAR moves); -ENOENT. */
int mmio__move(struct vm *vm, u64 old_gpa, u64 new_gpa);
int ioport__move(struct vm *vm, u16 old_port, u16 new_port);
void mmio__unregister(struct vm *vm, u64 gpa);

/* Interrupts (in-kernel irqchip). */
int irq__line(struct vm *vm, u32 gsi, int level);
int irq__signal_msi(struct vm *vm, u64 addr, u32 data);
/* Allocate a GSI routed to an MSI message; returns the GSI or -errno. */
int irq__add_msi_route(struct vm *vm, u64 addr, u32 data);
int irq__update_msi_route(struct vm *vm, u32 gsi, u64 addr, u32 data);
int irq__irqfd(struct vm *vm, int fd, u32 gsi, bool assign);

/*
 * ioeventfd: a guest write to @addr (of @len bytes, any value) signals an
 * eventfd in the kernel; vsva's event loop then calls @fn(opaque).
 */
int ioeventfd__add(struct vm *vm, u64 addr, u32 len, bool pio,
		   void (*fn)(struct vm *vm, void *opaque), void *opaque);
int ioeventfd__del(struct vm *vm, u64 addr, bool pio);

/* The event loop: one thread, epoll.  @fn runs on that thread. */
int evloop__add(struct vm *vm, int fd, u32 events,
		void (*fn)(struct vm *vm, int fd, u32 revents, void *opaque),
		void *opaque);
int evloop__del(struct vm *vm, int fd);

enum vm_exit_reason {
	VM_RUNNING = 0,
	VM_EXIT_POWEROFF,	/* clean power-off / firmware exit */
	VM_EXIT_RESET,		/* guest asked for a reset */
	VM_EXIT_ERROR,		/* internal error, shutdown, triple fault */
	VM_EXIT_SIGNAL,		/* Ctrl-C / SIGTERM */
};

/* Stop the VM: every vCPU leaves KVM_RUN, run() returns @status. */
void vm__request_exit(struct vm *vm, enum vm_exit_reason why, int status);

/*
 * Device memory as guest memory (a VFIO BAR mapped with mmap): a KVM slot
 * of its own, so guest accesses to [@gpa, @gpa + @size) reach @hva without
 * an exit.  Page-aligned.  Returns the slot number or -errno; the slot is
 * taken back with vm__del_memslot().  Safe while vCPUs run.
 */
int vm__add_mmio_memslot(struct vm *vm, u64 gpa, u64 size, void *hva);
int vm__del_memslot(struct vm *vm, int slot);

#define VM_MAX_DISKS	4
#define VM_MAX_VFIO	4

/* --iommu-backend: AUTO is iommufd when a host device (--vfio,
 * --mock-sva-dev) sits behind the vIOMMU, else emul. */
enum vm_iommu_backend {
	VM_IOMMU_AUTO = 0,
	VM_IOMMU_EMUL,
	VM_IOMMU_IOMMUFD,
};

struct vm_config {
	u64 ram_mib;
	int nr_cpus;
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *firmware;	/* path or payload name */
	bool rng;
	bool viommu;		/* --viommu on */
	bool sva_dev;		/* --sva-dev */
	bool mock_sva_dev;	/* --mock-sva-dev */
	u32 sva_dev_prq_timeout_ms;	/* --sva-dev=prq-timeout=MS */
	u32 mock_sva_dev_prq_timeout_ms;	/* --mock-sva-dev=prq-timeout=MS */
	enum vm_iommu_backend iommu_backend;	/* --iommu-backend */
	bool relay_poll;	/* --relay poll (baseline) */
	u32 prq_timeout_ms;	/* --prq-timeout: answer for a silent guest */
	const char *fw_args;	/* firmware /chosen/bootargs */
	const char *network;	/* --network SPEC (virtio-net), or NULL */
	const char *console;	/* --console: "serial" (default) or "virtio" */
	int nr_disks;		/* --disk PATH[,ro][,iommu=off], in order */
	struct vm_disk {
		const char *arg;	/* the option's argument */
		size_t path_len;	/* the path is arg[0, path_len) */
		bool ro;
		bool no_iommu;		/* ,iommu=off: not behind --viommu */
	} disks[VM_MAX_DISKS];
	int nr_vfio;		/* --vfio PATH|BDF, in order */
	const char *vfio[VM_MAX_VFIO];
	u32 vfio_prq_timeout_ms[VM_MAX_VFIO];	/* ,prq-timeout=MS */
};

struct vm {
	int sys_fd;
	int vm_fd;
	int vcpu_mmap_size;
	struct vm_config *cfg;

	u8 *ram;		/* host mapping of all guest RAM */
	u64 ram_size;
	int ram_fd;		/* memfd */
	struct guest_mem mem;

	int nr_cpus;
	struct vcpu **cpus;

	struct io_table *pio;
	struct io_table *mmio;

	pthread_mutex_t gsi_lock;
	u32 next_gsi;
	struct kvm_irq_routing *routing;

	pthread_mutex_t slot_lock;
	u64 slots_used;		/* KVM memory slots 0-63 in use */

	struct evloop *evloop;
	struct pci_bus *pci;
	struct viommu_dev *viommu;
	struct net_dev *net;	/* virtio-net, for its exit step */

	/* where the guest got entered */
	u64 entry_rip;
	u64 entry_rsi, entry_rdi;
	bool entry_long_mode;	/* firmware or Linux 64-bit boot */
	u64 boot_cr3;

	/* exit */
	pthread_mutex_t exit_lock;
	enum vm_exit_reason exit_reason;
	int exit_status;
	volatile int exiting;
	pthread_t main_thread;
	bool main_thread_set;
	u64 fw_report_gpa;	/* firmware results (include/vsva/fw-report.h) */
	const struct run_hooks *hooks;
	struct sva_dev *sva;
	struct vfio_set *vfio;	/* passthrough devices (vfio/) */
};

struct vm *vm__create(struct vm_config *cfg);
void vm__destroy(struct vm *vm);
/* Runs the guest until it exits; returns vsva's exit status. */
int vm__run(struct vm *vm);

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	pthread_t thread;
	struct kvm_run *run;
	bool started;
};

#endif
