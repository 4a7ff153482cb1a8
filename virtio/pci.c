// SPDX-License-Identifier: GPL-2.0
/*
 * PCI bus 0 on a vm: configuration mechanism #1 (address register 0xCF8,
 * data window 0xCFC-0xCFF), the host bridge at 00:00.0, slot and BAR
 * assignment, and BAR regions that exist in the vm's MMIO/port tables only
 * while the device decodes them (command register enable bit set, sane
 * address).  A BAR the guest rewrites is moved.  All configuration
 * accesses and decode changes are serialized by the bus lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/io.h>
#include <vsva/log.h>
#include <vsva/msix.h>
#include <vsva/pci.h>
#include <vsva/vm.h>

#define PCI_PORT_ADDR		0xcf8
#define PCI_PORT_DATA		0xcfc
#define PCI_ADDR_ENABLE		0x80000000U

struct pci_bus {
	pthread_mutex_t lock;
	u32 addr;			/* 0xCF8 */
	struct pci_device *slot[PCI_MAX_DEVICES];
	struct pci_device host;
	u64 mmio_next;
	u32 io_next;
};

static void pci__bar_io(struct vcpu *cpu, u64 addr, u8 *data, u32 len,
			bool is_write, void *opaque)
{
	struct pci_bar *b = opaque;
	u64 base = __atomic_load_n(&b->live_addr, __ATOMIC_ACQUIRE);
	u64 off = addr - base;

	/* A racing move can leave us with an address outside the BAR. */
	if (addr < base || off >= b->size || len > b->size - off) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pci_dev__bar_access(b->pdev, b->idx, off, data, len, is_write);
}

static int pci__map_bar(struct vm *vm, struct pci_bar *b, u64 addr)
{
	if (b->type == PCI_BAR_IO)
		return ioport__register(vm, addr, b->size, pci__bar_io, b);
	return mmio__register(vm, addr, b->size, pci__bar_io, b);
}

static void pci__unmap_bar(struct vm *vm, struct pci_bar *b)
{
	if (b->type == PCI_BAR_IO)
		ioport__unregister(vm, b->live_addr);
	else
		mmio__unregister(vm, b->live_addr);
}

static int pci__move_bar(struct vm *vm, struct pci_bar *b, u64 old, u64 addr)
{
	if (b->type == PCI_BAR_IO)
		return ioport__move(vm, old, addr);
	return mmio__move(vm, old, addr);
}

static void pci__bar_live(struct pci_device *pdev, int i, u64 addr, bool live)
{
	pr_debug("pci 00:%02x.0 %s: BAR%d %s 0x%llx", pdev->dev, pdev->name,
		 i, live ? "at" : "off", (unsigned long long)addr);
	if (pdev->ops && pdev->ops->bar_live)
		pdev->ops->bar_live(pdev, i, addr, live);
}

/* Bring BAR @i's region in line with the config space.  Bus locked. */
static void pci__update_bar(struct pci_device *pdev, int i)
{
	struct pci_bar *b = &pdev->bar[i];
	struct vm *vm = pdev->vm;
	u64 addr = 0, old = b->live_addr;
	bool dec = pci_dev__bar_decodes(pdev, i, &addr);

	if (b->live && dec && addr == old)
		return;
	if (b->live && dec) {
		/* New base first: the handler then serves the new range. */
		__atomic_store_n(&b->live_addr, addr, __ATOMIC_RELEASE);
		if (!pci__move_bar(vm, b, old, addr)) {
			pci__bar_live(pdev, i, old, false);
			pci__bar_live(pdev, i, addr, true);
			return;
		}
		__atomic_store_n(&b->live_addr, old, __ATOMIC_RELEASE);
		pr_debug("pci 00:%02x.0: BAR%d cannot move to 0x%llx",
			 pdev->dev, i, (unsigned long long)addr);
	}
	if (b->live) {
		pci__unmap_bar(vm, b);
		b->live = false;
		pci__bar_live(pdev, i, old, false);
	}
	if (dec) {
		if (pci__map_bar(vm, b, addr)) {
			pr_debug("pci 00:%02x.0: BAR%d overlaps at 0x%llx",
				 pdev->dev, i, (unsigned long long)addr);
			return;
		}
		__atomic_store_n(&b->live_addr, addr, __ATOMIC_RELEASE);
		b->live = true;
		pci__bar_live(pdev, i, addr, true);
	}
}

static void pci__update_bars(struct pci_device *pdev)
{
	for (int i = 0; i < PCI_NR_BARS; i++)
		if (pdev->bar[i].type != PCI_BAR_NONE &&
		    pdev->bar[i].type != PCI_BAR_MEM64_HI)
			pci__update_bar(pdev, i);
}

static void pci__addr_port(struct vcpu *cpu, u64 port, u8 *data, u32 len,
			   bool is_write, void *opaque)
{
	struct pci_bus *bus = opaque;

	/* Only whole-dword accesses hit the address register. */
	if (port != PCI_PORT_ADDR || len != 4) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&bus->lock);
	if (is_write)
		memcpy(&bus->addr, data, 4);
	else
		memcpy(data, &bus->addr, 4);
	pthread_mutex_unlock(&bus->lock);
}

/* One configuration access to 00:dev.fn register @reg.  Under bus->lock. */
static void pci__cfg_access(struct pci_bus *bus, unsigned int dev,
			    unsigned int fn, u16 reg, u8 *data, u32 len,
			    bool is_write)
{
	struct pci_device *pdev = NULL;
	u32 val = 0xffffffffU;

	if (fn == 0 && dev < PCI_MAX_DEVICES && (len == 1 || len == 2 ||
						  len == 4) &&
	    reg + len <= PCI_CFG_SIZE && !(reg & (len - 1)))
		pdev = bus->slot[dev];
	if (pdev && is_write) {
		memcpy(&val, data, len);
		pci_cfg__write(pdev, reg, val, len);
		pci__update_bars(pdev);
	} else if (pdev) {
		val = pci_cfg__read(pdev, reg, len);
	}
	if (!is_write)
		memcpy(data, &val, MIN(len, 4U));
}

static void pci__data_port(struct vcpu *cpu, u64 port, u8 *data, u32 len,
			   bool is_write, void *opaque)
{
	struct pci_bus *bus = opaque;
	u32 k = port - PCI_PORT_DATA, a;

	pthread_mutex_lock(&bus->lock);
	a = bus->addr;
	if ((a & PCI_ADDR_ENABLE) && k + len <= 4 && ((a >> 16) & 0xff) == 0) {
		/* CF8 reaches the first 256 bytes only. */
		pci__cfg_access(bus, (a >> 11) & 0x1f, (a >> 8) & 7,
				(u16)((a & 0xfc) + k), data, len, is_write);
	} else if (!is_write) {
		memset(data, 0xff, MIN(len, 4U));
	}
	pthread_mutex_unlock(&bus->lock);
}

/* ECAM (PCIe enhanced configuration access): the whole 4 KiB per function. */
static void pci__ecam(struct vcpu *cpu, u64 addr, u8 *data, u32 len,
		      bool is_write, void *opaque)
{
	struct pci_bus *bus = opaque;
	u64 off = addr - PCI_ECAM_BASE;

	pthread_mutex_lock(&bus->lock);
	if (len <= 4)
		pci__cfg_access(bus, (off >> 15) & 0x1f, (off >> 12) & 7,
				(u16)(off & 0xfff), data, len, is_write);
	else if (!is_write)
		memset(data, 0xff, len);
	pthread_mutex_unlock(&bus->lock);
}

int pci__init(struct vm *vm)
{
	struct pci_bus *bus = calloc(1, sizeof(*bus));
	int ret;

	if (!bus)
		return -ENOMEM;
	pthread_mutex_init(&bus->lock, NULL);
	bus->mmio_next = PCI_MMIO_WINDOW_START;
	bus->io_next = PCI_IO_WINDOW_START;

	pci_dev__init(&bus->host, PCI_HOST_VENDOR, PCI_HOST_DEVICE,
		      PCI_HOST_CLASS, 0);
	bus->host.name = "host-bridge";
	bus->host.vm = vm;
	bus->host.dev = 0;
	bus->slot[0] = &bus->host;

	/* 0xCF9 (reset control) belongs to the power code. */
	ret = ioport__register(vm, PCI_PORT_ADDR, 1, pci__addr_port, bus);
	if (!ret)
		ret = ioport__register(vm, PCI_PORT_DATA, 4, pci__data_port,
				       bus);
	if (!ret)
		ret = mmio__register(vm, PCI_ECAM_BASE, PCI_ECAM_SIZE, pci__ecam,
				     bus);
	if (ret) {
		ioport__unregister(vm, PCI_PORT_ADDR);
		ioport__unregister(vm, PCI_PORT_DATA);
		free(bus);
		return ret;
	}
	vm->pci = bus;
	return 0;
}

void pci__exit(struct vm *vm)
{
	struct pci_bus *bus = vm->pci;

	if (!bus)
		return;
	for (int d = 1; d < PCI_MAX_DEVICES; d++) {
		struct pci_device *pdev = bus->slot[d];

		if (!pdev)
			continue;
		pthread_mutex_lock(&bus->lock);
		bus->slot[d] = NULL;
		for (int i = 0; i < PCI_NR_BARS; i++) {
			struct pci_bar *b = &pdev->bar[i];

			if (!b->live)
				continue;
			pci__unmap_bar(vm, b);
			b->live = false;
			pci__bar_live(pdev, i, b->live_addr, false);
		}
		msix__free(pdev);
		pthread_mutex_unlock(&bus->lock);
		if (pdev->ops && pdev->ops->release)
			pdev->ops->release(pdev);
	}
	ioport__unregister(vm, PCI_PORT_ADDR);
	ioport__unregister(vm, PCI_PORT_DATA);
	mmio__unregister(vm, PCI_ECAM_BASE);
	pthread_mutex_destroy(&bus->lock);
	free(bus);
	vm->pci = NULL;
}

static int pci__alloc_bar(struct pci_bus *bus, struct pci_bar *b, u64 *addr)
{
	u64 a;

	if (b->type == PCI_BAR_IO) {
		a = ALIGN_UP((u64)bus->io_next, b->size);
		if (a + b->size > PCI_IO_WINDOW_END)
			return -ENOSPC;
		bus->io_next = a + b->size;
	} else {
		/* Page granularity keeps every BAR in its own pages. */
		u64 align = MAX(b->size, SZ_4K);

		a = ALIGN_UP(bus->mmio_next, align);
		if (a + b->size > PCI_MMIO_WINDOW_END)
			return -ENOSPC;
		bus->mmio_next = a + MAX(b->size, SZ_4K);
	}
	*addr = a;
	return 0;
}

int pci__register(struct vm *vm, struct pci_device *pdev)
{
	struct pci_bus *bus = vm->pci;
	u64 saved_mmio, addr;
	u32 saved_io;
	int dev, ret;

	if (!bus)
		return -ENODEV;
	pthread_mutex_lock(&bus->lock);
	for (dev = 1; dev < PCI_MAX_DEVICES && bus->slot[dev]; dev++)
		;
	if (dev == PCI_MAX_DEVICES) {
		ret = -ENOSPC;
		goto out;
	}
	saved_mmio = bus->mmio_next;
	saved_io = bus->io_next;
	for (int i = 0; i < PCI_NR_BARS; i++) {
		struct pci_bar *b = &pdev->bar[i];

		if (b->type == PCI_BAR_NONE || b->type == PCI_BAR_MEM64_HI)
			continue;
		ret = pci__alloc_bar(bus, b, &addr);
		if (ret) {
			bus->mmio_next = saved_mmio;
			bus->io_next = saved_io;
			goto out;
		}
		pci_dev__set_bar_addr(pdev, i, addr);
	}
	pdev->vm = vm;
	pdev->dev = dev;
	ret = msix_kvm__attach(pdev);
	if (ret) {
		bus->mmio_next = saved_mmio;
		bus->io_next = saved_io;
		pdev->dev = -1;
		goto out;
	}
	bus->slot[dev] = pdev;
	pr_info("pci 00:%02x.0: %s [%04x:%04x]", dev,
		pdev->name ? pdev->name : "?",
		pci_cfg__get(pdev, PCI_REG_VENDOR_ID, 2),
		pci_cfg__get(pdev, PCI_REG_DEVICE_ID, 2));
out:
	pthread_mutex_unlock(&bus->lock);
	return ret;
}

struct pci_device *pci__next(struct vm *vm, struct pci_device *prev)
{
	struct pci_bus *bus = vm->pci;
	struct pci_device *pdev = NULL;
	int d = prev ? prev->dev + 1 : 0;

	if (!bus || d < 0)
		return NULL;
	pthread_mutex_lock(&bus->lock);
	for (; d < PCI_MAX_DEVICES && !pdev; d++)
		pdev = bus->slot[d];
	pthread_mutex_unlock(&bus->lock);
	return pdev;
}
