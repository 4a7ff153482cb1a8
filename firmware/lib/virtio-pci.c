// SPDX-License-Identifier: GPL-2.0
/* virtio 1.x modern PCI transport (virtio spec 1.x, section 4.1). */
#include <errno.h>

#include "console.h"
#include "cpu.h"
#include "mmio.h"
#include "pages.h"
#include "pci.h"
#include "tsc.h"
#include "virtio-pci.h"

/* struct virtio_pci_cap, in config space */
#define CAP_CFG_TYPE		3
#define CAP_BAR			4
#define CAP_OFFSET		8
#define CAP_LENGTH		12
#define CAP_NOTIFY_MULT		16

#define CFG_COMMON		1
#define CFG_NOTIFY		2
#define CFG_ISR			3
#define CFG_DEVICE		4

/* struct virtio_pci_common_cfg */
#define COMMON_DFSELECT		0x00
#define COMMON_DF		0x04
#define COMMON_GFSELECT		0x08
#define COMMON_GF		0x0c
#define COMMON_NUMQ		0x12
#define COMMON_STATUS		0x14
#define COMMON_CFG_GEN		0x15
#define COMMON_Q_SELECT		0x16
#define COMMON_Q_SIZE		0x18
#define COMMON_Q_ENABLE		0x1c
#define COMMON_Q_NOFF		0x1e
#define COMMON_Q_DESC		0x20
#define COMMON_Q_AVAIL		0x28
#define COMMON_Q_USED		0x30
#define COMMON_LEN		0x38

#define RESET_TIMEOUT_MS	1000

#define vd_err(vd, fmt, ...)						\
	printf("virtio-pci %02x:%02x.%x: " fmt "\n", PCI_BUS((vd)->bdf), \
	       PCI_DEV((vd)->bdf), PCI_FN((vd)->bdf), ##__VA_ARGS__)

static void *common(const struct virtio_dev *vd, u32 off)
{
	return (char *)vd->common + off;
}

u8 virtio_pci__status(const struct virtio_dev *vd)
{
	return readb(common(vd, COMMON_STATUS));
}

static void set_status(struct virtio_dev *vd, u8 bits)
{
	writeb(common(vd, COMMON_STATUS), virtio_pci__status(vd) | bits);
}

void virtio_pci__fail(struct virtio_dev *vd)
{
	set_status(vd, VIRTIO_STATUS_FAILED);
}

int virtio_pci__reset(struct virtio_dev *vd)
{
	u64 deadline = tsc__deadline(RESET_TIMEOUT_MS);

	writeb(common(vd, COMMON_STATUS), 0);
	while (virtio_pci__status(vd)) {
		if (tsc__expired(deadline)) {
			vd_err(vd, "reset did not complete (status %#x)",
			       virtio_pci__status(vd));
			return -ETIMEDOUT;
		}
		cpu_relax();
	}
	return 0;
}

/* Resolves one virtio_pci_cap to a pointer, checking it lies in its BAR. */
static void *map_cap(struct virtio_dev *vd, u8 cap, u32 min_len, u32 *len)
{
	u8 bar_no = pci__read8(vd->bdf, cap + CAP_BAR);
	u32 off = pci__read32(vd->bdf, cap + CAP_OFFSET);
	u32 length = pci__read32(vd->bdf, cap + CAP_LENGTH);
	struct pci_bar bar;

	if (bar_no >= PCI_NUM_BARS || pci__bar(vd->bdf, bar_no, &bar) ||
	    bar.io || !bar.size) {
		vd_err(vd, "capability at %#x: BAR %u is not a memory BAR",
		       cap, bar_no);
		return NULL;
	}
	if (length < min_len || (u64)off + length > bar.size) {
		vd_err(vd, "capability at %#x: [%#x, +%#x) outside BAR %u "
		       "(size %#llx) or shorter than %#x", cap, off, length,
		       bar_no, (unsigned long long)bar.size, min_len);
		return NULL;
	}
	if (!bar.addr || bar.addr + bar.size > FW_MAPPED_LIMIT) {
		vd_err(vd, "BAR %u at %#llx is unassigned or above 4 GiB",
		       bar_no, (unsigned long long)bar.addr);
		return NULL;
	}
	if (len)
		*len = length;
	return mmio__ptr(bar.addr + off);
}

static int find_caps(struct virtio_dev *vd)
{
	u8 cap = 0;

	while ((cap = pci__find_cap(vd->bdf, PCI_CAP_ID_VNDR, cap))) {
		u8 type = pci__read8(vd->bdf, cap + CAP_CFG_TYPE);
		u32 len;

		/* The first capability of each type is the one to use. */
		if (type == CFG_COMMON && !vd->common) {
			vd->common = map_cap(vd, cap, COMMON_LEN, NULL);
			if (!vd->common)
				return -EINVAL;
		} else if (type == CFG_NOTIFY && !vd->notify_base) {
			vd->notify_base = map_cap(vd, cap, 2, &len);
			if (!vd->notify_base)
				return -EINVAL;
			vd->notify_len = len;
			vd->notify_mult = pci__read32(vd->bdf,
						      cap + CAP_NOTIFY_MULT);
		} else if (type == CFG_ISR && !vd->isr) {
			vd->isr = map_cap(vd, cap, 1, NULL);
			if (!vd->isr)
				return -EINVAL;
		} else if (type == CFG_DEVICE && !vd->device_cfg) {
			vd->device_cfg = map_cap(vd, cap, 1, &len);
			if (!vd->device_cfg)
				return -EINVAL;
			vd->device_cfg_len = len;
		}
	}
	if (!vd->common || !vd->notify_base || !vd->isr) {
		vd_err(vd, "missing capability:%s%s%s",
		       vd->common ? "" : " common", vd->notify_base ? "" :
		       " notify", vd->isr ? "" : " isr");
		return -ENODEV;
	}
	return 0;
}

int virtio_pci__init(struct virtio_dev *vd, u16 bdf)
{
	u16 cmd;
	int ret;

	*vd = (struct virtio_dev){ .bdf = bdf };
	if (pci__read16(bdf, PCI_VENDOR_ID) != VIRTIO_PCI_VENDOR) {
		vd_err(vd, "not a virtio device");
		return -ENODEV;
	}
	ret = find_caps(vd);
	if (ret)
		return ret;
	cmd = pci__read16(bdf, PCI_COMMAND);
	pci__write16(bdf, PCI_COMMAND,
		     cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ret = virtio_pci__reset(vd);
	if (ret)
		return ret;
	set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(vd, VIRTIO_STATUS_DRIVER);
	return 0;
}

static u64 device_features(struct virtio_dev *vd)
{
	u32 lo, hi;

	writel(common(vd, COMMON_DFSELECT), 0);
	lo = readl(common(vd, COMMON_DF));
	writel(common(vd, COMMON_DFSELECT), 1);
	hi = readl(common(vd, COMMON_DF));
	return (u64)hi << 32 | lo;
}

int virtio_pci__negotiate(struct virtio_dev *vd, u64 wanted)
{
	u64 offered = device_features(vd);

	if (!(offered & BIT_ULL(VIRTIO_F_VERSION_1))) {
		vd_err(vd, "device does not offer VERSION_1 (features %#llx)",
		       (unsigned long long)offered);
		virtio_pci__fail(vd);
		return -EOPNOTSUPP;
	}
	vd->features = offered & (wanted | BIT_ULL(VIRTIO_F_VERSION_1) |
				  BIT_ULL(VIRTIO_F_ACCESS_PLATFORM));
	writel(common(vd, COMMON_GFSELECT), 0);
	writel(common(vd, COMMON_GF), (u32)vd->features);
	writel(common(vd, COMMON_GFSELECT), 1);
	writel(common(vd, COMMON_GF), (u32)(vd->features >> 32));
	set_status(vd, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_pci__status(vd) & VIRTIO_STATUS_FEATURES_OK)) {
		vd_err(vd, "device refused features %#llx",
		       (unsigned long long)vd->features);
		virtio_pci__fail(vd);
		return -EIO;
	}
	return 0;
}

static void write64(void *p, u64 v)
{
	writel(p, (u32)v);
	writel((char *)p + 4, (u32)(v >> 32));
}

static void notify(struct virtq *vq)
{
	writew(vq->transport, vq->index);
}

bool virtio_pci__has_feature(const struct virtio_dev *vd, unsigned int bit)
{
	return bit < 64 && (vd->features & BIT_ULL(bit));
}

void virtio_pci__set_dma(struct virtio_dev *vd,
			 u64 (*addr)(void *ctx, u64 pa), void *ctx)
{
	vd->dma = (struct virtq_dma){ .addr = addr, .ctx = ctx };
}

u16 virtio_pci__num_queues(const struct virtio_dev *vd)
{
	return readw(common(vd, COMMON_NUMQ));
}

/* Selects queue `index` and picks its size; 0 or a negative errno. */
static int select_queue(struct virtio_dev *vd, u16 index, u16 max_size,
			u16 *size_out)
{
	u16 dev_size, size;

	if (index >= virtio_pci__num_queues(vd)) {
		vd_err(vd, "queue %u: device has only %u queues", index,
		       virtio_pci__num_queues(vd));
		return -ENOENT;
	}
	writew(common(vd, COMMON_Q_SELECT), index);
	dev_size = readw(common(vd, COMMON_Q_SIZE));
	if (!dev_size) {
		vd_err(vd, "queue %u is not available", index);
		return -ENOENT;
	}
	for (size = VIRTQ_MAX_SIZE; size > MIN(dev_size, max_size); size /= 2)
		;
	if (!size || readw(common(vd, COMMON_Q_ENABLE))) {
		vd_err(vd, "queue %u: bad size %u or already enabled", index,
		       dev_size);
		return -EINVAL;
	}
	*size_out = size;
	return 0;
}

/* Queue `index` is selected and size valid; the ring is ours to use. */
static int enable_queue(struct virtio_dev *vd, struct virtq *vq, u16 index,
			u16 size, void *ring)
{
	u16 noff = readw(common(vd, COMMON_Q_NOFF));
	u64 notify_off = (u64)noff * vd->notify_mult;
	int ret;

	if (notify_off + 2 > vd->notify_len) {
		vd_err(vd, "queue %u: notify offset %#llx outside the notify "
		       "area (%#llx bytes)", index,
		       (unsigned long long)notify_off,
		       (unsigned long long)vd->notify_len);
		return -EINVAL;
	}
	ret = virtq__init(vq, index, size, ring);
	if (ret)
		return ret;
	vq->notify = notify;
	vq->transport = (char *)vd->notify_base + notify_off;
	vq->dma = vd->dma;

	writew(common(vd, COMMON_Q_SIZE), size);
	write64(common(vd, COMMON_Q_DESC), virtq__desc_addr(vq));
	write64(common(vd, COMMON_Q_AVAIL), virtq__avail_addr(vq));
	write64(common(vd, COMMON_Q_USED), virtq__used_addr(vq));
	writew(common(vd, COMMON_Q_ENABLE), 1);
	if (!readw(common(vd, COMMON_Q_ENABLE))) {
		vd_err(vd, "queue %u: the device did not enable it", index);
		return -EIO;
	}
	return 0;
}

int virtio_pci__setup_queue(struct virtio_dev *vd, struct virtq *vq,
			    u16 index, u16 max_size)
{
	unsigned long pages;
	void *ring;
	u16 size;
	int ret;

	ret = select_queue(vd, index, max_size, &size);
	if (ret)
		return ret;
	pages = ALIGN_UP(virtq__ring_bytes(size), PAGE_SIZE) / PAGE_SIZE;
	ring = pages__alloc(pages);
	if (!ring) {
		vd_err(vd, "queue %u: out of memory", index);
		return -ENOMEM;
	}
	ret = enable_queue(vd, vq, index, size, ring);
	if (ret)
		pages__free(ring, pages);
	return ret;
}

int virtio_pci__setup_queue_ring(struct virtio_dev *vd, struct virtq *vq,
				 u16 index, u16 max_size, void *ring,
				 u64 ring_len)
{
	u16 size;
	int ret;

	ret = select_queue(vd, index, max_size, &size);
	if (ret)
		return ret;
	if (virtq__ring_bytes(size) > ring_len) {
		vd_err(vd, "queue %u: %#llx bytes of ring memory is too "
		       "small for %u entries", index,
		       (unsigned long long)ring_len, size);
		return -ENOSPC;
	}
	return enable_queue(vd, vq, index, size, ring);
}

int virtio_pci__driver_ok(struct virtio_dev *vd)
{
	u8 status;

	set_status(vd, VIRTIO_STATUS_DRIVER_OK);
	status = virtio_pci__status(vd);
	if (status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED) ||
	    !(status & VIRTIO_STATUS_DRIVER_OK)) {
		vd_err(vd, "device not running after DRIVER_OK (status %#x)",
		       status);
		return -EIO;
	}
	return 0;
}

static bool cfg_ok(const struct virtio_dev *vd, u32 off, u32 size)
{
	return vd->device_cfg && (u64)off + size <= vd->device_cfg_len;
}

static void *cfg(const struct virtio_dev *vd, u32 off)
{
	return (char *)vd->device_cfg + off;
}

u8 virtio_pci__config_read8(const struct virtio_dev *vd, u32 off)
{
	return cfg_ok(vd, off, 1) ? readb(cfg(vd, off)) : 0;
}

u16 virtio_pci__config_read16(const struct virtio_dev *vd, u32 off)
{
	return cfg_ok(vd, off, 2) ? readw(cfg(vd, off)) : 0;
}

u32 virtio_pci__config_read32(const struct virtio_dev *vd, u32 off)
{
	return cfg_ok(vd, off, 4) ? readl(cfg(vd, off)) : 0;
}

u64 virtio_pci__config_read64(const struct virtio_dev *vd, u32 off)
{
	u32 lo = virtio_pci__config_read32(vd, off);

	return (u64)virtio_pci__config_read32(vd, off + 4) << 32 | lo;
}

void virtio_pci__config_write8(struct virtio_dev *vd, u32 off, u8 v)
{
	if (cfg_ok(vd, off, 1))
		writeb(cfg(vd, off), v);
}

u8 virtio_pci__config_generation(const struct virtio_dev *vd)
{
	return readb(common(vd, COMMON_CFG_GEN));
}
