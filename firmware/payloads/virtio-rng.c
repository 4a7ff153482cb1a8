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
static int read_entropy(struct virtq *vq, u8 *buf, u32 size)
{
	u32 got = 0;

	while (got < size) {
		struct virtq_buf b = {
			.addr = buf + got,
			.len = size - got,
			.device_writes = true,
		};
		void *token;
		u32 len;
		int ret;

		ret = virtq__add(vq, &b, 1, buf);
		if (!ret)
			ret = virtq__wait(vq, &token, &len, TIMEOUT_MS);
		if (ret) {
			printf("virtio-rng: queue error %d: %s\n", ret,
			       vq->error);
			return ret;
		}
		if (token != buf || !len) {
			printf("virtio-rng: bad completion (len %u)\n", len);
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
	struct virtio_dev vd;
	struct virtq vq;
	u16 bdf;

	if (find_device(fdt, &bdf)) {
		puts("virtio-rng: no virtio-rng device (run vsva with --rng)");
		return EXIT_ABSENT;
	}
	printf("virtio-rng: device at %02x:%02x.%x\n", PCI_BUS(bdf),
	       PCI_DEV(bdf), PCI_FN(bdf));
	if (virtio_pci__init(&vd, bdf) || virtio_pci__negotiate(&vd, 0) ||
	    virtio_pci__setup_queue(&vd, &vq, 0, VIRTQ_MAX_SIZE) ||
	    virtio_pci__driver_ok(&vd))
		goto fail;
	printf("virtio-rng: features %#llx, queue size %u\n",
	       (unsigned long long)vd.features, vq.size);

	if (read_entropy(&vq, a, BLOCK) || read_entropy(&vq, b, BLOCK))
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
	virtio_pci__reset(&vd);
	puts("virtio-rng: ok");
	return 0;
fail:
	if (vd.common)
		virtio_pci__fail(&vd);
	puts("virtio-rng: FAIL");
	return EXIT_FAIL;
}
