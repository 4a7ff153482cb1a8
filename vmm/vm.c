// SPDX-License-Identifier: GPL-2.0
/*
 * The VM: /dev/kvm, guest RAM (memfd, 32-bit hole), in-kernel irqchip and
 * PIT, the dispatch tables, and the exit request that stops everything.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include <vsva/evloop.h>
#include <vsva/io.h>
#include <vsva/irq.h>
#include <vsva/log.h>
#include <vsva/vcpu.h>
#include <vsva/vm.h>

#define KVM_TSS_ADDR		0xfffbd000
#define KVM_IDENTITY_MAP_ADDR	0xfffbc000

static int vm__check_caps(struct vm *vm)
{
	static const struct { int cap; const char *name; } caps[] = {
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
		{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
		{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
		{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
		{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD" },
		{ KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI" },
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(caps); i++) {
		if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, caps[i].cap) <= 0) {
			pr_err("KVM lacks %s", caps[i].name);
			return -ENOTSUP;
		}
	}
	return 0;
}

static int vm__init_ram(struct vm *vm, u64 size)
{
	vm->ram_fd = memfd_create("vsva-ram", MFD_CLOEXEC);
	if (vm->ram_fd < 0)
		return -errno;
	if (ftruncate(vm->ram_fd, (off_t)size) < 0)
		return -errno;
	vm->ram = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->ram_fd, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		return -errno;
	}
	madvise(vm->ram, size, MADV_MERGEABLE);
	vm->ram_size = size;
	guest_mem__layout(&vm->mem, vm->ram, size);

	for (int i = 0; i < vm->mem.nr_regions; i++) {
		struct guest_mem_region *r = &vm->mem.regions[i];
		struct kvm_userspace_memory_region kr = {
			.slot = (u32)i,
			.guest_phys_addr = r->gpa,
			.memory_size = r->size,
			.userspace_addr = (u64)(unsigned long)r->hva,
		};

		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &kr) < 0)
			return -errno;
		vm->slots_used |= 1ULL << i;
	}
	return 0;
}

int vm__add_mmio_memslot(struct vm *vm, u64 gpa, u64 size, void *hva)
{
	struct kvm_userspace_memory_region kr = {
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (u64)(unsigned long)hva,
	};
	int slot, ret = 0;

	if (!size || !IS_ALIGNED(gpa | size | kr.userspace_addr, SZ_4K))
		return -EINVAL;
	pthread_mutex_lock(&vm->slot_lock);
	for (slot = 0; slot < 64 && (vm->slots_used & (1ULL << slot)); slot++)
		;
	if (slot == 64) {
		ret = -ENOSPC;
	} else {
		kr.slot = (u32)slot;
		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &kr) < 0)
			ret = -errno;
		else
			vm->slots_used |= 1ULL << slot;
	}
	pthread_mutex_unlock(&vm->slot_lock);
	return ret ? ret : slot;
}

int vm__del_memslot(struct vm *vm, int slot)
{
	struct kvm_userspace_memory_region kr = { .slot = (u32)slot };
	int ret = 0;

	if (slot < vm->mem.nr_regions || slot >= 64)
		return -EINVAL;
	pthread_mutex_lock(&vm->slot_lock);
	if (!(vm->slots_used & (1ULL << slot)))
		ret = -ENOENT;
	else if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &kr) < 0)
		ret = -errno;	/* size 0 deletes */
	else
		vm->slots_used &= ~(1ULL << slot);
	pthread_mutex_unlock(&vm->slot_lock);
	return ret;
}

/*
 * Leave both 8259s masked, as PC firmware does.  A guest that never
 * programs them (Linux with hardware-reduced ACPI has no legacy PIC) must
 * not get the PIT's IRQ 0 through an unprogrammed PIC, whose vector base
 * would turn it into an exception vector (a "double fault" at vector 8).
 * The local APICs' LINT0 stays masked too (KVM's reset state).
 */
static void vm__mask_pic(struct vm *vm)
{
	for (u32 chip = KVM_IRQCHIP_PIC_MASTER; chip <= KVM_IRQCHIP_PIC_SLAVE;
	     chip++) {
		struct kvm_irqchip ic = { .chip_id = chip };

		if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &ic) < 0)
			die_perror("KVM_GET_IRQCHIP");
		ic.chip.pic.imr = 0xff;
		if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &ic) < 0)
			die_perror("KVM_SET_IRQCHIP");
	}
}

struct vm *vm__create(struct vm_config *cfg)
{
	struct kvm_pit_config pit = { .flags = 0 };
	struct vm *vm = calloc(1, sizeof(*vm));
	int ret;

	if (!vm)
		die("out of memory");
	vm->cfg = cfg;
	vm->ram_fd = -1;
	pthread_mutex_init(&vm->exit_lock, NULL);
	pthread_mutex_init(&vm->slot_lock, NULL);

	vm->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0)
		die("cannot open /dev/kvm: %s", strerror(errno));
	ret = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION)
		die("KVM API version %d, need %d", ret, KVM_API_VERSION);
	if (vm__check_caps(vm))
		die("this KVM lacks a capability vsva needs");
	vm->vcpu_mmap_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_mmap_size <= 0)
		die_perror("KVM_GET_VCPU_MMAP_SIZE");

	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		die_perror("KVM_CREATE_VM");
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0)
		die_perror("KVM_SET_TSS_ADDR");
	{
		u64 idmap = KVM_IDENTITY_MAP_ADDR;

		if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
			die_perror("KVM_SET_IDENTITY_MAP_ADDR");
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP) < 0)
		die_perror("KVM_CREATE_IRQCHIP");
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		die_perror("KVM_CREATE_PIT2");
	vm__mask_pic(vm);

	ret = vm__init_ram(vm, cfg->ram_mib << 20);
	if (ret)
		die("cannot set up %llu MiB of guest RAM: %s",
		    (unsigned long long)cfg->ram_mib, strerror(-ret));

	vm->pio = io_table__new("pio");
	vm->mmio = io_table__new("mmio");
	if (!vm->pio || !vm->mmio)
		die("out of memory");
	ret = irq__init(vm);
	if (ret)
		die("cannot set up interrupt routing: %s", strerror(-ret));
	ret = evloop__init(vm);
	if (ret)
		die("cannot set up the event loop: %s", strerror(-ret));
	return vm;
}

void vm__destroy(struct vm *vm)
{
	evloop__exit(vm);
	vcpu__destroy_all(vm);
	irq__exit(vm);
	io_table__free(vm->pio);
	io_table__free(vm->mmio);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->ram_fd >= 0)
		close(vm->ram_fd);
	close(vm->vm_fd);
	close(vm->sys_fd);
	free(vm);
}

void vm__request_exit(struct vm *vm, enum vm_exit_reason why, int status)
{
	pthread_mutex_lock(&vm->exit_lock);
	if (!vm->exiting) {
		vm->exit_reason = why;
		vm->exit_status = status;
		__atomic_store_n(&vm->exiting, 1, __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&vm->exit_lock);
	vcpu__kick_all(vm);
	/* Wake the main thread, which waits in sigwaitinfo(). */
	if (vm->main_thread_set)
		pthread_kill(vm->main_thread, SIGUSR2);
}
