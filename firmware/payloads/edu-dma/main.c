// SPDX-License-Identifier: GPL-2.0
/*
 * edu-dma (see edu.h): vsva passes QEMU's edu device through (--vfio) and
 * this payload drives it.  With a virtio-iommu (--viommu on): the edu's
 * endpoint is attached to a domain, a source buffer and a destination
 * buffer are MAPped at IOVAs below 256 MiB, edu copies RAM -> its buffer
 * -> RAM, the bytes are compared; then the destination is UNMAPped and a
 * DMA to it must leave the memory untouched (the host IOMMU faults; edu
 * still "completes"), and so must one after DETACH.  Without a vIOMMU
 * the same copy runs at IOVA = GPA and the blocking cases are skipped.
 * With MSI: the completion interrupt must reach the local APIC.
 */
#include <errno.h>
#include <string.h>

#include "console.h"
#include "cpu.h"
#include "dt.h"
#include "edu.h"
#include "fw.h"
#include "pages.h"
#include "pci.h"
#include "selftest.h"
#include "tsc.h"
#include "viommu.h"

#define PROG		"edu-dma"
#define EXIT_ABSENT	2

#define PG		4096ULL
#define LEN		2048		/* bytes per DMA (< 4096) */
#define IOVA_SRC	0x08000000ULL	/* 128 MiB: below edu's 256 MiB */
#define IOVA_DST	0x08001000ULL
#define POISON		0x5a
#define MSI_VECTOR	0x61
#define MSI_WAIT_MS	1000

static struct edu edu;
static struct viommu vi;
static bool have_viommu;
static u32 ep, dom;
static u8 *src, *dst;

/* Bus addresses the edu is given. */
static u64 bus_src(void)
{
	return have_viommu ? IOVA_SRC : (uintptr_t)src;
}

static u64 bus_dst(void)
{
	return have_viommu ? IOVA_DST : (uintptr_t)dst;
}

static u32 count_ne(const u8 *p, u32 n, u8 v)
{
	u32 bad = 0;

	for (u32 i = 0; i < n; i++)
		bad += p[i] != v;
	return bad;
}

static u32 count_diff(const u8 *a, const u8 *b, u32 n)
{
	u32 bad = 0;

	for (u32 i = 0; i < n; i++)
		bad += a[i] != b[i];
	return bad;
}

static void case_regs(void)
{
	struct st_case c;
	u32 id, v;

	st__begin(&c, "edu-registers");
	id = edu__read(&edu, EDU_REG_ID);
	edu__write(&edu, EDU_REG_LIVE, 0x12345678);
	v = edu__read(&edu, EDU_REG_LIVE);
	printf("  edu: BAR0 %p (%llu KiB), id %#x, MSI capability at %#x\n",
	       edu.regs, (unsigned long long)(edu.bar_size >> 10), id,
	       edu.msi_cap);
	if ((id & 0xffff) != 0x00ed)
		st__fail(&c, "identification %#x, want 0x....00ed", id);
	else if (v != ~0x12345678U)
		st__fail(&c, "liveness register %#x, want %#x", v,
			 ~0x12345678U);
	st__end(&c);
}

static bool set_up_iommu(const void *fdt, const struct dt_pci_dev *dev)
{
	struct dt_pci_dev iommu;
	struct st_case c;
	int s;

	if (viommu__find(fdt, &iommu)) {
		puts(PROG ": no virtio-iommu: DMA at IOVA = GPA");
		return true;
	}
	st__begin(&c, "viommu-attach");
	if (!dev->has_iommu_ep) {
		st__fail(&c, "the edu node has no vsva,iommu-endpoint");
		return st__end(&c);
	}
	ep = dev->iommu_ep;
	if ((s = viommu__init(&vi, iommu.bdf))) {
		st__fail(&c, "virtio-iommu driver init: %d", s);
		return st__end(&c);
	}
	have_viommu = true;
	dom = vi.cfg.domain_range.start;
	s = viommu__attach(&vi, dom, ep, 0);
	if (s != VIRTIO_IOMMU_S_OK)
		st__fail(&c, "ATTACH endpoint %#x to domain %u: %s", ep, dom,
			 viommu__status_str(s));
	s = viommu__map(&vi, dom, IOVA_SRC, IOVA_SRC + PG - 1,
			(uintptr_t)src, VIRTIO_IOMMU_MAP_F_READ);
	if (s != VIRTIO_IOMMU_S_OK)
		st__fail(&c, "MAP source: %s", viommu__status_str(s));
	s = viommu__map(&vi, dom, IOVA_DST, IOVA_DST + PG - 1,
			(uintptr_t)dst,
			VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE);
	if (s != VIRTIO_IOMMU_S_OK)
		st__fail(&c, "MAP destination: %s", viommu__status_str(s));
	printf("  endpoint %#x in domain %u: IOVA %#llx -> %p (read), %#llx -> %p (write)\n",
	       ep, dom, (unsigned long long)IOVA_SRC, src,
	       (unsigned long long)IOVA_DST, dst);
	return st__end(&c);
}

static void case_round_trip(void)
{
	struct st_case c;
	u32 ms1 = 0, ms2 = 0;

	for (u32 i = 0; i < PG; i++)
		src[i] = (u8)(i * 7 + 3);
	memset(dst, 0, PG);

	st__begin(&c, "dma-ram-to-device");
	if (edu__dma(&edu, false, bus_src(), EDU_BUF, LEN, false, &ms1))
		st__fail(&c, "the DMA did not finish in %u ms",
			 EDU_DMA_TIMEOUT_MS);
	st__end(&c);

	st__begin(&c, "dma-device-to-ram");
	if (edu__dma(&edu, true, bus_dst(), EDU_BUF, LEN, false, &ms2))
		st__fail(&c, "the DMA did not finish in %u ms",
			 EDU_DMA_TIMEOUT_MS);
	else if (count_diff(dst, src, LEN))
		st__fail(&c, "%u of %u bytes differ (first byte %#x, want %#x)",
			 count_diff(dst, src, LEN), LEN, dst[0], src[0]);
	else if (count_ne(dst + LEN, PG - LEN, 0))
		st__fail(&c, "%u bytes past the copy changed",
			 count_ne(dst + LEN, PG - LEN, 0));
	st__end(&c);
	printf("  %u bytes RAM -> edu in %u ms, edu -> RAM in %u ms\n", LEN,
	       ms1, ms2);
}

/* A DMA to the destination that must not land there. */
static void blocked_case(const char *name, const char *why)
{
	struct st_case c;
	u32 ms = 0;

	st__begin(&c, name);
	memset(dst, POISON, PG);
	if (edu__dma(&edu, true, IOVA_DST, EDU_BUF, LEN, false, &ms))
		st__fail(&c, "the DMA did not finish in %u ms",
			 EDU_DMA_TIMEOUT_MS);
	else if (count_ne(dst, PG, POISON))
		st__fail(&c, "%u bytes of the destination changed %s",
			 count_ne(dst, PG, POISON), why);
	st__end(&c);
}

static void case_blocked(void)
{
	int s;

	if (!have_viommu) {
		st__skip("dma-after-unmap", "no vIOMMU");
		st__skip("dma-after-detach", "no vIOMMU");
		return;
	}
	s = viommu__unmap(&vi, dom, IOVA_DST, IOVA_DST + PG - 1);
	if (s != VIRTIO_IOMMU_S_OK)
		printf("  UNMAP: %s\n", viommu__status_str(s));
	blocked_case("dma-after-unmap", "after UNMAP");

	s = viommu__map(&vi, dom, IOVA_DST, IOVA_DST + PG - 1,
			(uintptr_t)dst,
			VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE);
	if (s == VIRTIO_IOMMU_S_OK)
		s = viommu__detach(&vi, dom, ep);
	if (s != VIRTIO_IOMMU_S_OK)
		printf("  MAP again / DETACH: %s\n", viommu__status_str(s));
	blocked_case("dma-after-detach", "after DETACH");
}

static void case_msi(void)
{
	struct st_case c;
	u64 deadline;
	bool seen = false;
	u32 sts;

	if (!edu.msi_cap) {
		st__skip("msi", "the edu offers no MSI capability");
		return;
	}
	st__begin(&c, "msi");
	lapic__enable();
	if (lapic__irr(MSI_VECTOR))
		st__fail(&c, "vector %#x requested before the test",
			 MSI_VECTOR);
	else if (edu__msi_enable(&edu, MSI_VECTOR))
		st__fail(&c, "MSI enable does not stick");
	else if (edu__dma(&edu, false, bus_src(), EDU_BUF, 16, true, NULL))
		st__fail(&c, "the DMA did not finish");
	deadline = tsc__deadline(MSI_WAIT_MS);
	while (!c.failed && !(seen = lapic__irr(MSI_VECTOR)) &&
	       !tsc__expired(deadline))
		cpu_relax();
	sts = edu__read(&edu, EDU_REG_IRQ_STATUS);
	if (!c.failed && !seen)
		st__fail(&c, "vector %#x not requested at the local APIC within %u ms (edu interrupt status %#x)",
			 MSI_VECTOR, MSI_WAIT_MS, sts);
	else if (!c.failed && !(sts & EDU_IRQ_DMA))
		st__fail(&c, "edu interrupt status %#x lacks the DMA bit",
			 sts);
	edu__write(&edu, EDU_REG_IRQ_ACK, sts);
	st__end(&c);
}

static int find_edu(const void *fdt, struct dt_pci_dev *dev)
{
	int node = -1;

	while ((node = dt__pci_next(fdt, node, dev)) >= 0)
		if (dev->vendor == EDU_VENDOR && dev->device == EDU_DEVICE)
			return 0;
	return -ENOENT;
}

int payload__main(const void *fdt)
{
	struct dt_pci_dev dev;
	struct st_case c;
	u64 start = rdtsc();

	if (find_edu(fdt, &dev)) {
		puts(PROG ": no edu device (run vsva with --vfio BDF of QEMU's edu)");
		return EXIT_ABSENT;
	}
	printf(PROG ": edu at %02x:%02x.%x%s\n", PCI_BUS(dev.bdf),
	       PCI_DEV(dev.bdf), PCI_FN(dev.bdf),
	       dev.has_iommu_ep ? ", behind the vIOMMU" : "");
	src = pages__alloc(1);
	dst = pages__alloc(1);
	st__begin(&c, "init");
	if (!src || !dst)
		st__fail(&c, "out of memory");
	else if ((uintptr_t)dst + PG > EDU_DMA_LIMIT)
		st__fail(&c, "buffers above edu's 256 MiB DMA limit");
	else if (edu__init(&edu, dev.bdf))
		st__fail(&c, "edu BAR0 unusable");
	if (!st__end(&c))
		return st__summary(PROG);

	case_regs();
	if (!set_up_iommu(fdt, &dev))
		return st__summary(PROG);
	case_round_trip();
	case_msi();
	case_blocked();
	if (have_viommu)
		viommu__reset(&vi);
	printf(PROG ": %llu ms\n", (unsigned long long)tsc__ms_since(start));
	return st__summary(PROG);
}
