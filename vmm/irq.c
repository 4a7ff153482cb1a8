// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt routing on KVM's in-kernel irqchip: legacy lines, MSI routes
 * (GSI >= 24) and irqfds.  KVM_SET_GSI_ROUTING replaces the whole table,
 * so vsva keeps it: the PC wiring for GSI 0-23 plus one entry per MSI.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include <vsva/irq.h>
#include <vsva/log.h>
#include <vsva/vm.h>

#define IRQ_MAX_ROUTES	1024
#define IRQ_NR_IOAPIC_PINS 24

static void irq__add_chip(struct kvm_irq_routing *r, u32 gsi, u32 chip, u32 pin)
{
	struct kvm_irq_routing_entry *e = &r->entries[r->nr++];

	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

int irq__init(struct vm *vm)
{
	struct kvm_irq_routing *r;

	r = calloc(1, sizeof(*r) + IRQ_MAX_ROUTES * sizeof(r->entries[0]));
	if (!r)
		return -ENOMEM;
	/* PIC: ISA IRQs 0-15 except the cascade. */
	for (u32 i = 0; i < 16; i++) {
		if (i == 2)
			continue;
		irq__add_chip(r, i, i < 8 ? KVM_IRQCHIP_PIC_MASTER :
			      KVM_IRQCHIP_PIC_SLAVE, i % 8);
	}
	/* IOAPIC: the timer (ISA IRQ 0) is wired to pin 2, as on a PC. */
	for (u32 i = 0; i < IRQ_NR_IOAPIC_PINS; i++) {
		if (i == 2)
			continue;
		irq__add_chip(r, i, KVM_IRQCHIP_IOAPIC, i == 0 ? 2 : i);
	}
	vm->routing = r;
	vm->next_gsi = IRQ_NR_IOAPIC_PINS;
	pthread_mutex_init(&vm->gsi_lock, NULL);
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, r) < 0)
		return -errno;
	return 0;
}

void irq__exit(struct vm *vm)
{
	free(vm->routing);
	vm->routing = NULL;
}

int irq__line(struct vm *vm, u32 gsi, int level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0)
		return -errno;
	return 0;
}

int irq__signal_msi(struct vm *vm, u64 addr, u32 data)
{
	struct kvm_msi msi = {
		.address_lo = (u32)addr,
		.address_hi = (u32)(addr >> 32),
		.data = data,
	};
	int ret = ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi);

	return ret < 0 ? -errno : 0;
}

static void irq__fill_msi(struct kvm_irq_routing_entry *e, u32 gsi, u64 addr,
			  u32 data)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_MSI;
	e->u.msi.address_lo = (u32)addr;
	e->u.msi.address_hi = (u32)(addr >> 32);
	e->u.msi.data = data;
}

int irq__add_msi_route(struct vm *vm, u64 addr, u32 data)
{
	struct kvm_irq_routing *r = vm->routing;
	int gsi;

	pthread_mutex_lock(&vm->gsi_lock);
	if (r->nr >= IRQ_MAX_ROUTES) {
		pthread_mutex_unlock(&vm->gsi_lock);
		return -ENOSPC;
	}
	gsi = vm->next_gsi++;
	irq__fill_msi(&r->entries[r->nr++], gsi, addr, data);
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, r) < 0) {
		int err = -errno;

		r->nr--;
		vm->next_gsi--;
		pthread_mutex_unlock(&vm->gsi_lock);
		return err;
	}
	pthread_mutex_unlock(&vm->gsi_lock);
	return gsi;
}

int irq__update_msi_route(struct vm *vm, u32 gsi, u64 addr, u32 data)
{
	struct kvm_irq_routing *r = vm->routing;
	int ret = -ENOENT;

	pthread_mutex_lock(&vm->gsi_lock);
	for (u32 i = 0; i < r->nr; i++) {
		struct kvm_irq_routing_entry *e = &r->entries[i];

		if (e->gsi != gsi || e->type != KVM_IRQ_ROUTING_MSI)
			continue;
		if (e->u.msi.address_lo == (u32)addr &&
		    e->u.msi.address_hi == (u32)(addr >> 32) &&
		    e->u.msi.data == data) {
			ret = 0;
			break;
		}
		irq__fill_msi(e, gsi, addr, data);
		ret = ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, r) < 0 ? -errno : 0;
		break;
	}
	pthread_mutex_unlock(&vm->gsi_lock);
	return ret;
}

int irq__irqfd(struct vm *vm, int fd, u32 gsi, bool assign)
{
	struct kvm_irqfd irqfd = {
		.fd = (u32)fd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0)
		return -errno;
	return 0;
}
