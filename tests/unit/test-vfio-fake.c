// SPDX-License-Identifier: GPL-2.0
/* The fake vfio-pci device and vm of the vfio/ unit tests (see the .h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/vfio.h>

#include "test-vfio-fake.h"

#define FV_SHIFT	40	/* region index -> device FD offset */

static struct fv_call *fv__log(struct fake_vfio *f, enum fv_op op)
{
	struct fv_call *c;

	cr_assert_lt(f->nr, FV_LOG, "fake: call log full");
	c = &f->log[f->nr++];
	memset(c, 0, sizeof(*c));
	c->op = op;
	return c;
}

static void put(u8 *b, u32 off, u32 v, u32 len)
{
	for (u32 i = 0; i < len; i++)
		b[off + i] = v >> (8 * i);
}

static int fv__region_info(struct fake_vfio *f, struct vfio_region_info *ri)
{
	struct fv_call *c = fv__log(f, FV_REGION_INFO);
	const struct fv_region *r;
	struct vfio_region_info_cap_sparse_mmap *sp;
	u32 need = sizeof(*ri);

	c->index = ri->index;
	c->argsz = ri->argsz;
	if (ri->argsz < sizeof(*ri) || ri->index >= f->num_regions)
		return -EINVAL;
	if (f->region_err && ri->index == (u32)f->region_err_index)
		return f->region_err;
	r = &f->regions[ri->index];
	if (r->nr_sparse)
		need += sizeof(*sp) + r->nr_sparse * sizeof(sp->areas[0]);
	ri->flags = r->flags | (r->nr_sparse ? VFIO_REGION_INFO_FLAG_CAPS : 0);
	ri->size = r->size;
	ri->offset = (u64)ri->index << FV_SHIFT;
	ri->cap_offset = 0;
	if (!r->nr_sparse)
		return 0;
	if (ri->argsz < need) {
		ri->argsz = need;	/* ask again with room */
		return 0;
	}
	sp = (void *)(ri + 1);
	sp->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	sp->header.version = 1;
	sp->header.next = 0;
	sp->nr_areas = r->nr_sparse;
	for (int i = 0; i < r->nr_sparse; i++) {
		sp->areas[i].offset = r->sparse[i].off;
		sp->areas[i].size = r->sparse[i].size;
	}
	ri->cap_offset = sizeof(*ri);
	return 0;
}

static int fv__set_irqs(struct fake_vfio *f, struct vfio_irq_set *s)
{
	struct fv_call *c = fv__log(f, FV_SET_IRQS);
	u32 want;

	c->index = s->index;
	c->start = s->start;
	c->count = s->count;
	c->flags = s->flags;
	c->argsz = s->argsz;
	want = sizeof(*s) + ((s->flags & VFIO_IRQ_SET_DATA_EVENTFD) ?
			     s->count * sizeof(s32) : 0);
	cr_assert_eq(s->argsz, want, "SET_IRQS argsz %u, want %u", s->argsz,
		     want);
	cr_assert(s->flags & VFIO_IRQ_SET_ACTION_TRIGGER);
	if (s->index >= f->num_irqs || s->count > f->irq_count[s->index])
		return -EINVAL;
	for (u32 i = 0; i < s->count && i < 16; i++)
		memcpy(&c->fds[i], s->data + 4 * i, 4);
	if (f->set_irqs_err)
		return f->set_irqs_err;
	if (s->index == VFIO_IRQ_MSI)
		f->msi_live = s->count;
	if (s->index == VFIO_IRQ_MSIX)
		f->msix_live = s->count;
	return 0;
}

static int fv__ioctl(void *opaque, int fd, unsigned long req, void *arg)
{
	struct fake_vfio *f = opaque;
	struct fv_call *c;

	cr_assert_eq(fd, 7, "ioctl on fd %d, not the device's", fd);
	switch (req) {
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info *i = arg;

		fv__log(f, FV_GET_INFO)->argsz = i->argsz;
		if (f->info_err)
			return f->info_err;
		i->flags = f->dev_flags;
		i->num_regions = f->num_regions;
		i->num_irqs = f->num_irqs;
		return 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO:
		return fv__region_info(f, arg);
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info *ii = arg;

		c = fv__log(f, FV_IRQ_INFO);
		c->index = ii->index;
		if (f->irq_info_err)
			return f->irq_info_err;
		if (ii->index >= f->num_irqs ||
		    (f->irq_einval & (1U << ii->index)))
			return -EINVAL;
		ii->count = f->irq_count[ii->index];
		ii->flags = VFIO_IRQ_INFO_EVENTFD |
			    (ii->index == VFIO_IRQ_INTX ?
			     VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED :
			     VFIO_IRQ_INFO_NORESIZE);
		return 0;
	}
	case VFIO_DEVICE_SET_IRQS:
		return fv__set_irqs(f, arg);
	case VFIO_DEVICE_RESET:
		fv__log(f, FV_RESET);
		if (f->reset_err)
			return f->reset_err;
		put(f->cfg, PCI_REG_COMMAND, 0, 2);
		f->msi_live = f->msix_live = 0;
		return 0;
	default:
		cr_assert_fail("fake: unexpected ioctl %#lx", req);
		return -ENOTTY;
	}
}

/* Region @idx and the offset in it of device-FD offset @off. */
static int fv__where(u64 off, u64 *in)
{
	*in = off & ((1ULL << FV_SHIFT) - 1);
	return (int)(off >> FV_SHIFT);
}

static ssize_t fv__pread(void *opaque, int fd, void *buf, size_t len,
			 u64 off)
{
	struct fake_vfio *f = opaque;
	struct fv_call *c = fv__log(f, FV_PREAD);
	u64 in;
	int idx = fv__where(off, &in);

	c->index = (u32)idx;
	c->off = in;
	c->len = len;
	if (f->pread_fails)
		return -EIO;
	if (idx == VFIO_REGION_CONFIG) {
		if (in + len > PCI_CFG_SIZE)
			return -EINVAL;
		memcpy(buf, f->cfg + in, len);
		return (ssize_t)len;
	}
	if (idx < PCI_NR_BARS && in + len <= FV_BAR_MEM) {
		memcpy(buf, f->bar_mem + in, len);
		return (ssize_t)len;
	}
	return -EINVAL;
}

static ssize_t fv__pwrite(void *opaque, int fd, const void *buf, size_t len,
			  u64 off)
{
	struct fake_vfio *f = opaque;
	struct fv_call *c = fv__log(f, FV_PWRITE);
	u64 in;
	int idx = fv__where(off, &in);

	c->index = (u32)idx;
	c->off = in;
	c->len = len;
	if (len <= 4)
		memcpy(&c->data, buf, len);
	if (idx == VFIO_REGION_CONFIG) {
		/* Like vfio-pci: only the command register reaches it. */
		if (in == PCI_REG_COMMAND && len == 2)
			memcpy(f->cfg + in, buf, 2);
		return (ssize_t)len;
	}
	if (idx < PCI_NR_BARS && in + len <= FV_BAR_MEM) {
		memcpy(f->bar_mem + in, buf, len);
		return (ssize_t)len;
	}
	return -EINVAL;
}

static void *fv__mmap(void *opaque, int fd, u64 off, size_t len)
{
	struct fake_vfio *f = opaque;
	struct fv_call *c = fv__log(f, FV_MMAP);
	void *p;

	c->index = (u32)fv__where(off, &c->off);
	c->len = len;
	if (f->mmap_fails)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(p, MAP_FAILED);
	c->hva = p;
	f->mapped++;
	return p;
}

static void fv__munmap(void *opaque, void *p, size_t len)
{
	struct fake_vfio *f = opaque;

	fv__log(f, FV_MUNMAP)->hva = p;
	munmap(p, len);
	f->mapped--;
}

static int fv__eventfd(void *opaque)
{
	struct fake_vfio *f = opaque;
	struct fv_call *c = fv__log(f, FV_EVENTFD);

	if (f->eventfd_fails)
		return -EMFILE;
	c->fd = f->next_fd++;
	f->open_fds++;
	return c->fd;
}

static ssize_t fv__read(void *opaque, int fd, void *buf, size_t len)
{
	u64 one = 1;

	cr_assert_eq(len, 8);
	memcpy(buf, &one, 8);
	return 8;
}

static void fv__close(void *opaque, int fd)
{
	struct fake_vfio *f = opaque;

	fv__log(f, FV_CLOSE)->fd = fd;
	f->open_fds--;
}

static const struct vfio_sys fv_sys_template = {
	.ioctl = fv__ioctl,
	.pread = fv__pread,
	.pwrite = fv__pwrite,
	.mmap = fv__mmap,
	.munmap = fv__munmap,
	.eventfd = fv__eventfd,
	.read = fv__read,
	.close = fv__close,
};

/* --- the vm --- */

static int fv__route(void *vm, int gsi, u64 addr, u32 data)
{
	struct fake_vfio *f = vm;
	struct fv_call *c = fv__log(f, FV_ROUTE);

	c->gsi = gsi;
	c->gpa = addr;
	c->data = data;
	return gsi < 0 ? f->next_gsi++ : 0;
}

static int fv__irqfd(void *vm, int efd, u32 gsi, bool assign)
{
	struct fv_call *c = fv__log(vm, FV_IRQFD);

	c->fd = efd;
	c->gsi = (int)gsi;
	c->assign = assign;
	return 0;
}

static int fv__slot_add(void *vm, u64 gpa, u64 size, void *hva)
{
	struct fake_vfio *f = vm;
	struct fv_call *c = fv__log(f, FV_SLOT_ADD);

	c->gpa = gpa;
	c->len = size;
	c->hva = hva;
	if (f->slot_err)
		return f->slot_err;
	c->slot = f->next_slot++;
	return c->slot;
}

static int fv__slot_del(void *vm, int slot)
{
	fv__log(vm, FV_SLOT_DEL)->slot = slot;
	return 0;
}

static int fv__watch(void *vm, int fd,
		     void (*fn)(struct vm *vm, int fd, u32 ev, void *arg),
		     void *arg)
{
	struct fake_vfio *f = vm;

	fv__log(f, FV_WATCH)->fd = fd;
	cr_assert_lt(f->nr_watch, 64);
	f->watch[f->nr_watch].fd = fd;
	f->watch[f->nr_watch].fn = fn;
	f->watch[f->nr_watch].arg = arg;
	f->nr_watch++;
	return 0;
}

static void fv__unwatch(void *vm, int fd)
{
	fv__log(vm, FV_UNWATCH)->fd = fd;
}

static void fv__ep_reset(void *vm, struct viommu_endpoint *ep)
{
	fv__log(vm, FV_EP_RESET)->index = ep->id;
}

const struct vfio_vm_ops fv_vm_ops = {
	.msi_route = fv__route,
	.irqfd = fv__irqfd,
	.memslot_add = fv__slot_add,
	.memslot_del = fv__slot_del,
	.watch = fv__watch,
	.unwatch = fv__unwatch,
	.ep_reset = fv__ep_reset,
};

/* --- devices --- */

void fv__init(struct fake_vfio *f)
{
	memset(f, 0, sizeof(*f));
	f->bar_mem = aligned_alloc(4096, FV_BAR_MEM);
	cr_assert_not_null(f->bar_mem);
	memset(f->bar_mem, 0, FV_BAR_MEM);
	f->next_fd = 100;
	f->next_gsi = 24;
	f->next_slot = 2;
	f->region_err_index = -1;
	f->sys = fv_sys_template;
	f->sys.opaque = f;
}

void fv__free(struct fake_vfio *f)
{
	free(f->bar_mem);
}

void fv__cap(struct fake_vfio *f, u16 prev, u16 at, u8 id)
{
	f->cfg[at] = id;
	f->cfg[at + 1] = 0;
	if (prev)
		f->cfg[prev + 1] = (u8)at;
	else
		f->cfg[PCI_REG_CAP_PTR] = (u8)at;
	f->cfg[PCI_REG_STATUS] |= PCI_STS_CAP_LIST;
}

static void fv__common(struct fake_vfio *f, u16 vendor, u16 device,
		       u32 class_code, u32 cfg_size)
{
	put(f->cfg, PCI_REG_VENDOR_ID, vendor, 2);
	put(f->cfg, PCI_REG_DEVICE_ID, device, 2);
	put(f->cfg, PCI_REG_REVISION, 0x10, 1);
	put(f->cfg, PCI_REG_CLASS, class_code, 3);
	put(f->cfg, PCI_REG_SUBSYS_VENDOR, 0x1af4, 2);
	put(f->cfg, PCI_REG_SUBSYS_ID, 0x1100, 2);
	put(f->cfg, PCI_REG_INT_PIN, 1, 1);
	/* vfio-pci's enable leaves memory decoding on, SERR as it was. */
	put(f->cfg, PCI_REG_COMMAND, PCI_CMD_MEM | PCI_CMD_SERR, 2);
	f->dev_flags = VFIO_DEVICE_FLAGS_PCI;
	f->num_regions = VFIO_NR_REGIONS;
	f->num_irqs = VFIO_NR_IRQ_INDEXES;
	f->regions[VFIO_REGION_CONFIG].size = cfg_size;
	f->regions[VFIO_REGION_CONFIG].flags = VFIO_REGION_INFO_FLAG_READ |
					       VFIO_REGION_INFO_FLAG_WRITE;
	f->irq_count[VFIO_IRQ_INTX] = 1;
	f->irq_count[3] = 1;	/* error */
	f->irq_count[4] = 1;	/* request */
}

#define RW_MMAP	(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | \
		 VFIO_REGION_INFO_FLAG_MMAP)

void fv__edu(struct fake_vfio *f)
{
	fv__common(f, 0x1234, 0x11e8, 0x00ff00, PCI_CFG_CLASSIC_SIZE);
	f->irq_einval = 1U << 3;	/* vfio-pci: no error IRQ without PCIe */
	put(f->cfg, PCI_REG_BAR0, 0xfea00000, 4);	/* 32-bit memory */
	f->regions[0].size = 1 << 20;
	f->regions[0].flags = RW_MMAP;
	fv__cap(f, 0, 0x40, 0x05);			/* MSI */
	put(f->cfg, 0x42, 0x0080, 2);			/* 64-bit, 1 vector */
	f->irq_count[VFIO_IRQ_MSI] = 1;
}

void fv__sva(struct fake_vfio *f)
{
	fv__common(f, 0x8086, 0x0b25, 0x088000, PCI_CFG_SIZE);
	put(f->cfg, PCI_REG_BAR0, 0xfe000000, 4);
	f->regions[0].size = 0x4000;
	f->regions[0].flags = RW_MMAP;
	put(f->cfg, PCI_REG_BAR0 + 8, 0x0000000c, 4);	/* 64-bit prefetch */
	put(f->cfg, PCI_REG_BAR0 + 12, 0x00000040, 4);
	f->regions[2].size = 1 << 20;
	f->regions[2].flags = RW_MMAP;
	put(f->cfg, PCI_REG_BAR0 + 16, 0x0000e001, 4);	/* I/O */
	f->regions[4].size = 0x20;
	f->regions[4].flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
	f->dev_flags |= VFIO_DEVICE_FLAGS_RESET;
	f->irq_count[VFIO_IRQ_MSIX] = 8;

	fv__cap(f, 0, 0x40, 0x10);			/* PCIe v2 endpoint */
	put(f->cfg, 0x42, 0x0002, 2);
	put(f->cfg, 0x44, 0x10008fc2, 4);		/* DevCap, FLR set */
	put(f->cfg, 0x48, 0x2810, 2);			/* DevCtl */
	put(f->cfg, 0x4c, 0x00437d03, 4);		/* LinkCap */
	fv__cap(f, 0x40, 0x80, 0x09);			/* vendor */
	f->cfg[0x82] = 8;
	fv__cap(f, 0x80, 0x90, 0x11);			/* MSI-X */
	put(f->cfg, 0x92, 7, 2);			/* 8 vectors */
	put(f->cfg, 0x94, 0x2000 | 0, 4);
	put(f->cfg, 0x98, 0x3000 | 0, 4);

	/* extended: AER, PASID, PRI, ATS */
	put(f->cfg, 0x100, 0x0001 | 1 << 16 | 0x148u << 20, 4);
	put(f->cfg, 0x148, 0x001b | 1 << 16 | 0x150u << 20, 4);
	put(f->cfg, 0x14c, 0x1406, 2);		/* 20 bits, exec, priv */
	put(f->cfg, 0x150, 0x0013 | 1 << 16 | 0x160u << 20, 4);
	put(f->cfg, 0x156, 0x8100, 2);			/* PASID required */
	put(f->cfg, 0x158, 512, 4);
	put(f->cfg, 0x160, 0x000f | 1 << 16, 4);
	put(f->cfg, 0x164, 0x0020, 2);
}

int fv__setup(struct fake_vfio *f, struct vfio_pci *vp)
{
	memset(vp, 0, sizeof(*vp));
	return vfio_pci__setup(vp, 7, &f->sys, &fv_vm_ops, f, "fake");
}

const struct fv_call *fv__find(const struct fake_vfio *f, enum fv_op op,
			       int n)
{
	for (int i = 0; i < f->nr; i++)
		if (f->log[i].op == op && n-- == 0)
			return &f->log[i];
	return NULL;
}

int fv__count(const struct fake_vfio *f, enum fv_op op)
{
	int n = 0;

	for (int i = 0; i < f->nr; i++)
		n += f->log[i].op == op;
	return n;
}

int fv__pos(const struct fake_vfio *f, enum fv_op op)
{
	for (int i = 0; i < f->nr; i++)
		if (f->log[i].op == op)
			return i;
	return -1;
}

u16 fv__cmd(const struct fake_vfio *f)
{
	return (u16)(f->cfg[PCI_REG_COMMAND] | f->cfg[PCI_REG_COMMAND + 1] << 8);
}
