// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-rng: drives the entropy device through the virtio core, reads two
 * 64-byte blocks and checks they look random (not all zero, not equal).
 * Exit 0 on success, 1 on failure, 2 if there is no such device.
 */
#include <string.h>

#include "console.h"
#include "dt.h"
#include "fw.h"
#include "pci.h"
#include "virtio-pci.h"
#include "virtio-rng.h"

#define BLOCK		64
#define TIMEOUT_MS	5000

#define EXIT_FAIL	1
#define EXIT_ABSENT	2

static int find_device(const void *fdt, u16 *bdf)
{
	struct dt_pci_dev dev;

	if (!dt__pci_find(fdt, "virtio-rng", &dev)) {
		*bdf = dev.bdf;
		return 0;
	}
	return pci__scan(VIRTIO_PCI_VENDOR,
			 VIRTIO_PCI_DEVICE_MODERN(VIRTIO_ID_RNG), bdf);
}

/* Fills buf completely; the device may return fewer bytes per request. */
static int read_entropy(struct virtio_rng *r, u8 *buf, u32 size)
{
	u32 got = 0;

	while (got < size) {
		u32 len = 0;
		int ret;

		ret = virtio_rng__request(r, buf + got, size - got, TIMEOUT_MS,
					  &len);
		if (ret) {
			printf("virtio-rng: queue error %d: %s\n", ret,
			       r->vq.error);
			return ret;
		}
		if (!len) {
			puts("virtio-rng: bad completion (len 0)");
			return -1;
		}
		got += len;
	}
	return 0;
}

static bool all_zero(const u8 *p, u32 n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void dump(const char *what, const u8 *p)
{
	printf("virtio-rng: %s:", what);
	for (int i = 0; i < 16; i++)
		printf(" %02x", p[i]);
	printf(" ...\n");
}

int payload__main(const void *fdt)
{
	static u8 a[BLOCK], b[BLOCK];
	struct virtio_rng r = { 0 };
	u16 bdf;

	if (find_device(fdt, &bdf)) {
		puts("virtio-rng: no virtio-rng device (run vsva with --rng)");
		return EXIT_ABSENT;
	}
	printf("virtio-rng: device at %02x:%02x.%x\n", PCI_BUS(bdf),
	       PCI_DEV(bdf), PCI_FN(bdf));
	if (virtio_rng__start(&r, bdf, NULL, NULL, NULL, 0, VIRTQ_MAX_SIZE))
		goto fail;
	printf("virtio-rng: features %#llx, queue size %u\n",
	       (unsigned long long)r.vd.features, r.vq.size);

	if (read_entropy(&r, a, BLOCK) || read_entropy(&r, b, BLOCK))
		goto fail;
	dump("block 1", a);
	dump("block 2", b);
	if (all_zero(a, BLOCK) || all_zero(b, BLOCK)) {
		puts("virtio-rng: FAIL: a block is all zeroes");
		goto fail;
	}
	if (!memcmp(a, b, BLOCK)) {
		puts("virtio-rng: FAIL: the two blocks are identical");
		goto fail;
	}
	virtio_rng__stop(&r);
	puts("virtio-rng: ok");
	return 0;
fail:
	if (r.vd.common)
		virtio_pci__fail(&r.vd);
	puts("virtio-rng: FAIL");
	return EXIT_FAIL;
}
