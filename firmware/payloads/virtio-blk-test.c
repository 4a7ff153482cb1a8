// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk-test: drives the first virtio-blk disk (virtio 1.x 5.2).
 *
 *  - GET_ID, and sector 0 must start with SECTOR0_SIG (the host lane
 *    writes it into the image);
 *  - requests the device must refuse: a read at the capacity, a read
 *    running past it (IOERR), an unknown type (UNSUPP);
 *  - read-write disk: writes the pattern to sector 1, FLUSHes, reads it
 *    back; writes sectors 2-9 with eight requests in flight at once, reads
 *    them back the same way, then WRITE_ZEROES over them and checks they
 *    read as zeroes (the host lane then checks the image file);
 *  - read-only disk (VIRTIO_BLK_F_RO): a write must fail with IOERR and
 *    leave sector 1 as it was.
 *
 * With a virtio-iommu present (--viommu on) the disk is attached to a
 * domain mapping IOVA [IOVA_BASE, +low RAM) onto guest-physical [0, low
 * RAM) and is given IOVAs only; a request whose buffers lie outside that
 * window must come back unwritten (the device cannot reach them).
 *
 * Exit 0 on success, 1 on failure, 2 if there is no virtio-blk device.
 */
#include <string.h>

#include "console.h"
#include "cpu.h"
#include "dt.h"
#include "fw.h"
#include "pci.h"
#include "tsc.h"
#include "viommu.h"
#include "virtio-pci.h"

#define VIRTIO_ID_BLOCK			2
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9
#define VIRTIO_BLK_F_WRITE_ZEROES	14

#define T_IN			0
#define T_OUT			1
#define T_FLUSH			4
#define T_GET_ID		8
#define T_WRITE_ZEROES		13
#define T_BOGUS			0x55

#define S_OK			0
#define S_IOERR			1
#define S_UNSUPP		2

#define CFG_CAPACITY		0
#define CFG_SEG_MAX		12
#define CFG_BLK_SIZE		20

#define SECTOR			512
#define ID_BYTES		20
#define BATCH			8
#define QUEUE_SIZE		32
#define TIMEOUT_MS		5000
#define SECTOR0_SIG		"vsva-blk-test sector 0\n"

#define IOVA_BASE		0x4000000000ULL	/* 256 GiB */
#define IOVA_UNMAPPED		0x8000000000ULL	/* 512 GiB: no mapping */

#define EXIT_FAIL		1
#define EXIT_ABSENT		2

struct blk_hdr {
	u32 type;
	u32 reserved;
	u64 sector;
};

struct blk_range {
	u64 sector;
	u32 num_sectors;
	u32 flags;
};

/* One request's memory: header, status, data (used for BATCH at once). */
struct blk_io {
	struct blk_hdr hdr;
	struct blk_range range;
	u8 status;
	u8 data[SECTOR * 2] __attribute__((aligned(SECTOR)));
};

static struct virtio_dev vd;
static struct virtq vq;
static struct blk_io io[BATCH];
static u64 capacity;
static bool iommu;

static int find_device(const void *fdt, struct dt_pci_dev *dev)
{
	if (!dt__pci_find(fdt, "virtio-blk", dev))
		return 0;
	*dev = (struct dt_pci_dev){ 0 };
	return pci__scan(VIRTIO_PCI_VENDOR,
			 VIRTIO_PCI_DEVICE_MODERN(VIRTIO_ID_BLOCK), &dev->bdf);
}

static u64 iova_of(void *ctx, u64 pa)
{
	return IOVA_BASE + pa;
}

static u64 iova_unmapped(void *ctx, u64 pa)
{
	return IOVA_UNMAPPED + pa;
}

/* Behind a vIOMMU: attach the disk, map low RAM at IOVA_BASE.  1 if there
 * is a vIOMMU, 0 if not, -1 on failure. */
static int viommu_setup(const void *fdt, const struct dt_pci_dev *dev)
{
	static struct viommu vi;
	struct dt_pci_dev idev;
	struct dt_region r[DT_MAX_REGIONS];
	u32 dom, ep = dev->has_iommu_ep ? dev->iommu_ep : dev->bdf;
	int nr, s;

	if (viommu__find(fdt, &idev))
		return 0;
	nr = dt__memory(fdt, r, DT_MAX_REGIONS);
	if (nr < 1 || r[0].base || viommu__init(&vi, idev.bdf) ||
	    !viommu__has(&vi, VIRTIO_IOMMU_F_MAP_UNMAP)) {
		puts("virtio-blk: FAIL: vIOMMU set-up");
		return -1;
	}
	dom = MAX(vi.cfg.domain_range.start, 1u);
	s = viommu__attach(&vi, dom, ep, 0);
	if (s == VIRTIO_IOMMU_S_OK)
		s = viommu__map(&vi, dom, IOVA_BASE, IOVA_BASE + r[0].size - 1,
				0, VIRTIO_IOMMU_MAP_F_READ |
				VIRTIO_IOMMU_MAP_F_WRITE);
	if (s != VIRTIO_IOMMU_S_OK) {
		printf("virtio-blk: FAIL: vIOMMU attach/map: %s\n",
		       viommu__status_str(s));
		return -1;
	}
	printf("virtio-blk: behind the vIOMMU: endpoint %#x, IOVA %#llx = PA 0\n",
	       ep, (unsigned long long)IOVA_BASE);
	return 1;
}

/* Queue request @r: header, then @len data bytes (written by the device if
 * @in), then the status byte; extra readable bytes for WRITE_ZEROES. */
static int queue_req(struct blk_io *r, u32 type, u64 sector, u32 len, bool in)
{
	struct virtq_buf b[3];
	int n = 0;

	r->hdr = (struct blk_hdr){ .type = type, .sector = sector };
	r->status = 0xff;
	b[n++] = (struct virtq_buf){ &r->hdr, sizeof(r->hdr), false };
	if (type == T_WRITE_ZEROES)
		b[n++] = (struct virtq_buf){ &r->range, sizeof(r->range),
					     false };
	else if (len)
		b[n++] = (struct virtq_buf){ r->data, len, in };
	b[n++] = (struct virtq_buf){ &r->status, 1, true };
	return virtq__add(&vq, b, n, r);
}

/* Wait for one completion; returns its request or NULL. */
static struct blk_io *wait_req(u32 *used)
{
	void *token = NULL;
	int ret = virtq__wait(&vq, &token, used, TIMEOUT_MS);

	if (ret) {
		printf("virtio-blk: queue error %d: %s\n", ret, vq.error);
		return NULL;
	}
	return token;
}

/* One request at a time; returns the status byte, or -1. */
static int do_req(u32 type, u64 sector, u32 len, bool in)
{
	struct blk_io *r = &io[0];
	u32 used;

	if (queue_req(r, type, sector, len, in)) {
		printf("virtio-blk: cannot queue: %s\n", vq.error);
		return -1;
	}
	if (wait_req(&used) != r) {
		puts("virtio-blk: completion for another request");
		return -1;
	}
	return r->status;
}

static bool expect(const char *what, int got, int want)
{
	if (got == want)
		return true;
	printf("virtio-blk: FAIL: %s: status %d, expected %d\n", what, got,
	       want);
	return false;
}

static void pattern(u8 *p, u64 sector)
{
	/* 32 lines of 16 bytes: "vsva-blk-SS-LL\n" padded with '.' */
	for (int l = 0; l < SECTOR / 16; l++) {
		u8 *q = p + 16 * l;
		static const char hex[] = "0123456789abcdef";

		memcpy(q, "vsva-blk-", 9);
		q[9] = hex[(sector >> 4) & 15];
		q[10] = hex[sector & 15];
		q[11] = '-';
		q[12] = hex[l >> 4];
		q[13] = hex[l & 15];
		q[14] = '.';
		q[15] = '\n';
	}
}

static bool is_zero(const u8 *p, u32 n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static bool check_identity(void)
{
	char id[ID_BYTES + 1] = { 0 };
	int st;

	st = do_req(T_GET_ID, 0, ID_BYTES, true);
	if (!expect("GET_ID", st, S_OK))
		return false;
	memcpy(id, io[0].data, ID_BYTES);
	printf("virtio-blk: id '%s'\n", id);

	memset(io[0].data, 0, SECTOR);
	st = do_req(T_IN, 0, SECTOR, true);
	if (!expect("read sector 0", st, S_OK))
		return false;
	if (memcmp(io[0].data, SECTOR0_SIG, sizeof(SECTOR0_SIG) - 1)) {
		puts("virtio-blk: FAIL: sector 0 does not hold the signature");
		return false;
	}
	printf("virtio-blk: sector 0: %s", (const char *)io[0].data);
	return true;
}

/* Behind the vIOMMU: a chain at IOVAs nothing maps comes back unwritten. */
static bool check_unmapped(void)
{
	struct blk_io *r = &io[0];
	u32 used = 1;

	vq.dma.addr = iova_unmapped;
	memset(r->data, 0xee, SECTOR);
	if (queue_req(r, T_IN, 0, SECTOR, true)) {
		printf("virtio-blk: cannot queue: %s\n", vq.error);
		return false;
	}
	vq.dma.addr = iova_of;
	if (wait_req(&used) != r)
		return false;
	if (used || r->status != 0xff || r->data[0] != 0xee) {
		printf("virtio-blk: FAIL: unmapped request: used %u, status %#x\n",
		       used, r->status);
		return false;
	}
	puts("virtio-blk: unmapped buffers refused by the vIOMMU");
	return true;
}

static bool check_refusals(void)
{
	return expect("read at capacity",
		      do_req(T_IN, capacity, SECTOR, true), S_IOERR) &&
	       expect("read past capacity",
		      do_req(T_IN, capacity - 1, 2 * SECTOR, true), S_IOERR) &&
	       expect("unknown type", do_req(T_BOGUS, 0, 0, false), S_UNSUPP) &&
	       (!iommu || check_unmapped());
}

static bool check_read_only(void)
{
	static u8 before[SECTOR];

	if (!expect("read sector 1", do_req(T_IN, 1, SECTOR, true), S_OK))
		return false;
	memcpy(before, io[0].data, SECTOR);
	pattern(io[0].data, 1);
	if (!expect("write to read-only disk",
		    do_req(T_OUT, 1, SECTOR, false), S_IOERR))
		return false;
	memset(io[0].data, 0, SECTOR);
	if (!expect("read sector 1", do_req(T_IN, 1, SECTOR, true), S_OK))
		return false;
	if (memcmp(before, io[0].data, SECTOR)) {
		puts("virtio-blk: FAIL: a refused write changed sector 1");
		return false;
	}
	puts("virtio-blk: read-only ok");
	return true;
}

/* BATCH requests on sectors 2.. in flight together, completed in any
 * order. */
static bool batch(u32 type, bool in)
{
	bool seen[BATCH] = { false };
	u32 used;

	for (int i = 0; i < BATCH; i++) {
		if (!in)
			pattern(io[i].data, 2 + i);
		else
			memset(io[i].data, 0xee, SECTOR);
		if (queue_req(&io[i], type, 2 + i, SECTOR, in)) {
			printf("virtio-blk: cannot queue: %s\n", vq.error);
			return false;
		}
	}
	for (int i = 0; i < BATCH; i++) {
		struct blk_io *r = wait_req(&used);
		int k = r ? (int)(r - io) : -1;

		if (k < 0 || k >= BATCH || seen[k]) {
			puts("virtio-blk: FAIL: bad or repeated completion");
			return false;
		}
		seen[k] = true;
		if (!expect(in ? "batched read" : "batched write", r->status,
			    S_OK))
			return false;
	}
	return true;
}

static bool check_read_write(void)
{
	static u8 want[SECTOR];
	u64 t0 = rdtsc();

	pattern(want, 1);
	memcpy(io[0].data, want, SECTOR);
	if (!expect("write sector 1", do_req(T_OUT, 1, SECTOR, false), S_OK) ||
	    !expect("flush", do_req(T_FLUSH, 0, 0, false), S_OK))
		return false;
	memset(io[0].data, 0, SECTOR);
	if (!expect("read sector 1", do_req(T_IN, 1, SECTOR, true), S_OK))
		return false;
	if (memcmp(io[0].data, want, SECTOR)) {
		puts("virtio-blk: FAIL: sector 1 reads back differently");
		return false;
	}
	puts("virtio-blk: sector 1 written, flushed and read back");

	if (!batch(T_OUT, false) || !batch(T_IN, true))
		return false;
	for (int i = 0; i < BATCH; i++) {
		pattern(want, 2 + i);
		if (memcmp(io[i].data, want, SECTOR)) {
			printf("virtio-blk: FAIL: sector %d reads back differently\n",
			       2 + i);
			return false;
		}
	}
	printf("virtio-blk: %d requests in flight: sectors 2-%d ok\n", BATCH,
	       1 + BATCH);

	if (virtio_pci__has_feature(&vd, VIRTIO_BLK_F_WRITE_ZEROES)) {
		io[0].range = (struct blk_range){ .sector = 2,
						  .num_sectors = BATCH };
		if (!expect("write zeroes", do_req(T_WRITE_ZEROES, 0, 0, false),
			    S_OK))
			return false;
		for (int i = 0; i < BATCH; i++) {
			memset(io[0].data, 0xee, SECTOR);
			if (!expect("read zeroed sector",
				    do_req(T_IN, 2 + i, SECTOR, true), S_OK))
				return false;
			if (!is_zero(io[0].data, SECTOR)) {
				printf("virtio-blk: FAIL: sector %d not zero after WRITE_ZEROES\n",
				       2 + i);
				return false;
			}
		}
		puts("virtio-blk: write zeroes ok");
	}
	printf("virtio-blk: read-write checks took %llu ms\n",
	       (unsigned long long)tsc__ms_since(t0));
	return true;
}

int payload__main(const void *fdt)
{
	struct dt_pci_dev dev;
	int vi;
	u8 gen;
	bool ok;

	if (find_device(fdt, &dev)) {
		puts("virtio-blk: no virtio-blk device (run vsva with --disk)");
		return EXIT_ABSENT;
	}
	printf("virtio-blk: device at %02x:%02x.%x\n", PCI_BUS(dev.bdf),
	       PCI_DEV(dev.bdf), PCI_FN(dev.bdf));
	vi = viommu_setup(fdt, &dev);
	if (vi < 0)
		goto fail;
	iommu = vi;
	if (virtio_pci__init(&vd, dev.bdf) ||
	    virtio_pci__negotiate(&vd, BIT_ULL(VIRTIO_BLK_F_SEG_MAX) |
				  BIT_ULL(VIRTIO_BLK_F_RO) |
				  BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) |
				  BIT_ULL(VIRTIO_BLK_F_FLUSH) |
				  BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES)))
		goto fail;
	if (iommu)
		virtio_pci__set_dma(&vd, iova_of, NULL);
	if (virtio_pci__setup_queue(&vd, &vq, 0, QUEUE_SIZE) ||
	    virtio_pci__driver_ok(&vd))
		goto fail;
	do {
		gen = virtio_pci__config_generation(&vd);
		capacity = virtio_pci__config_read64(&vd, CFG_CAPACITY);
	} while (gen != virtio_pci__config_generation(&vd));
	printf("virtio-blk: features %#llx, %llu sectors, seg_max %u, blk_size %u\n",
	       (unsigned long long)vd.features, (unsigned long long)capacity,
	       virtio_pci__config_read32(&vd, CFG_SEG_MAX),
	       virtio_pci__config_read32(&vd, CFG_BLK_SIZE));
	if (capacity < 2 + BATCH) {
		puts("virtio-blk: FAIL: the disk is too small for the test");
		goto fail;
	}

	ok = check_identity() && check_refusals();
	if (ok && virtio_pci__has_feature(&vd, VIRTIO_BLK_F_RO))
		ok = check_read_only();
	else if (ok)
		ok = check_read_write();
	if (!ok)
		goto fail;
	virtio_pci__reset(&vd);
	puts("virtio-blk: ok");
	return 0;
fail:
	if (vd.common)
		virtio_pci__fail(&vd);
	puts("virtio-blk: FAIL");
	return EXIT_FAIL;
}
