// SPDX-License-Identifier: GPL-2.0
/*
 * viommu-selftest: the virtio-rng's DMA through the vIOMMU. Its rings and
 * buffers live in a window of pages the cases MAP at IOVA_BASE on, and
 * the rng is handed IOVAs; faults come back on the event queue.
 */
#include <errno.h>
#include <string.h>

#include "console.h"
#include "pages.h"
#include "vst.h"

/* The window: one page each; B is never mapped, C only for reading. */
enum { W_RING, W_A, W_B, W_C, W_D, W_PAGES };

#define RNG_LEN		64
#define RNG_QUEUE_SIZE	8
#define PATTERN		0x5a

static u8 *win;

/* The rng's bus addresses: the window's IOVAs. */
static u64 win_dma(void *ctx, u64 pa)
{
	u64 start = (uintptr_t)win;

	if (pa >= start && pa - start < W_PAGES * PG)
		return IOVA_BASE + (pa - start);
	return IOVA_STRAY + (pa & (PG - 1));	/* a bug: let it fault */
}

static void *wpage(int i)
{
	return win + i * PG;
}

static u64 wiova(int i)
{
	return IOVA_BASE + i * PG;
}

static int map_wpage(int i, u32 flags)
{
	return viommu__map(&vst.vi, vst.dom1, wiova(i), wiova(i) + PG - 1,
			   (uintptr_t)wpage(i), flags);
}

/* One request for RNG_LEN bytes at buf: 0, -ETIMEDOUT or an error. */
static int rng_request(void *buf, u32 ms, u32 *used)
{
	return virtio_rng__request(&vst.rng, buf, RNG_LEN, ms, used);
}

/* The rng fills buf with random bytes; nothing else in its page moves. */
static void check_fill(struct st_case *c, void *buf)
{
	u8 *page = (u8 *)ALIGN_DOWN((uintptr_t)buf, PG);
	u32 used = 0;
	int ret;

	memset(page, 0, PG);
	ret = rng_request(buf, WAIT_MS, &used);
	if (ret) {
		st__fail(c, "rng request: %d (%s)", ret,
			 vst.rng.vq.error ? vst.rng.vq.error : "?");
		return;
	}
	if (!used || used > RNG_LEN)
		st__fail(c, "rng used length %u (want 1..%u)", used, RNG_LEN);
	else if (vst__count_ne(buf, ALIGN_DOWN(used, 8), 0) < used / 2)
		st__fail(c, "only %u of %u bytes non-zero",
			 vst__count_ne(buf, ALIGN_DOWN(used, 8), 0), used);
	else if (vst__count_ne(page, PG, 0) > used)
		st__fail(c, "bytes outside the %u filled ones changed", used);
}

/*
 * A fault report must come: reason, endpoint, and with addr != ~0 the
 * address and F_ADDRESS; access flags must include `access`.
 */
static void check_fault(struct st_case *c, u8 reason, u32 access, u64 addr)
{
	struct virtio_iommu_fault f;
	int ret = viommu__event_wait(&vst.vi, &f, WAIT_MS);

	if (ret <= 0) {
		st__fail(c, ret ? "bad event (wrong length)" :
			 "no fault report on the event queue");
		return;
	}
	vst__print_fault("fault", &f);
	if (f.reason != reason)
		st__fail(c, "fault reason %s, want %s",
			 viommu__fault_reason_str(f.reason),
			 viommu__fault_reason_str(reason));
	else if (f.endpoint != vst.rng_ep)
		st__fail(c, "fault endpoint %#x, want %#x", f.endpoint,
			 vst.rng_ep);
	else if ((f.flags & access) != access)
		st__fail(c, "fault flags %#x lack %#x", f.flags, access);
	else if (f.reserved[0] || f.reserved[1] || f.reserved[2])
		st__fail(c, "fault reserved bytes not zero");
	else if (addr != ~0ULL && !(f.flags & VIRTIO_IOMMU_FAULT_F_ADDRESS))
		st__fail(c, "fault without F_ADDRESS");
	else if (addr != ~0ULL && f.address != addr)
		st__fail(c, "fault address %#llx, want %#llx",
			 (unsigned long long)f.address,
			 (unsigned long long)addr);
	vst__drain_events("further report");
}

/* The request at buf must fail with a fault and leave its page alone. */
static void dma_fault_case(const char *name, int page, u8 reason)
{
	struct st_case c;
	u32 used = ~0u;
	int ret;

	st__begin(&c, name);
	memset(wpage(page), PATTERN, PG);
	vst__drain_events("stale report");
	ret = rng_request(wpage(page), WAIT_MS, &used);
	if (ret == -ETIMEDOUT)
		st__fail(&c, "the rng never completed the request");
	else if (ret)
		st__fail(&c, "rng request: %d", ret);
	else if (used)
		st__fail(&c, "used length %u, want 0", used);
	check_fault(&c, reason, VIRTIO_IOMMU_FAULT_F_WRITE, wiova(page));
	if (vst__count_ne(wpage(page), PG, PATTERN))
		st__fail(&c, "%u bytes of the buffer's page changed",
			 vst__count_ne(wpage(page), PG, PATTERN));
	st__end(&c);
}

static void dma_ok_case(const char *name, int page)
{
	struct st_case c;

	st__begin(&c, name);
	vst__drain_events("stale report");
	check_fill(&c, wpage(page));
	if (vst__drain_events("unexpected report"))
		st__fail(&c, "fault reports for a mapped buffer");
	st__end(&c);
}

void vst__dma_cases(void)
{
	struct virtio_iommu_fault f;
	struct st_case c;
	u16 used_idx;
	u32 used;
	int ret;

	/* The rng is in dom1, whose address space is empty */
	st__begin(&c, "dma-setup");
	win = pages__alloc(W_PAGES);
	if (!win) {
		st__fail(&c, "out of memory");
	} else {
		vst__want(&c, "MAP ring", map_wpage(W_RING, RW),
			  VIRTIO_IOMMU_S_OK);
		vst__want(&c, "MAP A (rw)", map_wpage(W_A, RW),
			  VIRTIO_IOMMU_S_OK);
		vst__want(&c, "MAP C (read-only)",
			  map_wpage(W_C, VIRTIO_IOMMU_MAP_F_READ),
			  VIRTIO_IOMMU_S_OK);
		vst__want(&c, "MAP D (rw)", map_wpage(W_D, RW),
			  VIRTIO_IOMMU_S_OK);
	}
	/* The queue goes live only once its ring's IOVA is mapped. */
	ret = c.failed ? 0 : virtio_rng__start(&vst.rng, vst.rng_bdf,
						 win_dma, NULL, wpage(W_RING),
						 PG, RNG_QUEUE_SIZE);
	if (ret)
		st__fail(&c, "rng start with rings at IOVA %#llx: %d",
			 (unsigned long long)wiova(W_RING), ret);
	if (!st__end(&c)) {
		virtio_rng__stop(&vst.rng);
		st__skip("dma-*", "the rng did not start behind the vIOMMU");
		return;
	}

	dma_ok_case("dma-rng-fill", W_A);
	dma_fault_case("dma-fault-unmapped", W_B,
		       VIRTIO_IOMMU_FAULT_R_MAPPING);
	dma_fault_case("dma-fault-readonly", W_C,
		       VIRTIO_IOMMU_FAULT_R_MAPPING);
	dma_ok_case("dma-rng-after-faults", W_A);

	/* UNMAP must take effect for DMA at once */
	st__begin(&c, "dma-unmap");
	vst__want(&c, "UNMAP A",
		  viommu__unmap(&vst.vi, vst.dom1, wiova(W_A),
				wiova(W_A) + PG - 1),
		  VIRTIO_IOMMU_S_OK);
	st__end(&c);
	dma_fault_case("dma-fault-after-unmap", W_A,
		       VIRTIO_IOMMU_FAULT_R_MAPPING);

	/* Detached with bypass 0: no DMA at all, not even the rings. */
	st__begin(&c, "dma-detached");
	memset(wpage(W_D), PATTERN, PG);
	vst__drain_events("stale report");
	vst__want(&c, "DETACH", viommu__detach(&vst.vi, vst.dom1, vst.rng_ep),
		  VIRTIO_IOMMU_S_OK);
	if (viommu__read_config(&vst.vi) || vst.vi.cfg.bypass)
		st__fail(&c, "config bypass is not 0");
	used_idx = *(volatile u16 *)&vst.rng.vq.used->idx;
	ret = rng_request(wpage(W_D), QUIET_MS, &used);
	if (ret != -ETIMEDOUT)
		st__fail(&c, "the request completed (%d, used length %u): "
			 "the device wrote the used ring", ret, used);
	if (*(volatile u16 *)&vst.rng.vq.used->idx != used_idx)
		st__fail(&c, "used index moved");
	ret = viommu__event_wait(&vst.vi, &f, WAIT_MS);
	if (ret <= 0) {
		st__fail(&c, "no fault report");
	} else {
		vst__print_fault("fault", &f);
		if (f.reason != VIRTIO_IOMMU_FAULT_R_DOMAIN ||
		    f.endpoint != vst.rng_ep)
			st__fail(&c, "fault reason %s endpoint %#x, want "
				 "DOMAIN %#x",
				 viommu__fault_reason_str(f.reason),
				 f.endpoint, vst.rng_ep);
		else if ((f.flags & VIRTIO_IOMMU_FAULT_F_ADDRESS) &&
			 (f.address < IOVA_BASE || f.address >= wiova(W_PAGES)))
			st__fail(&c, "fault address %#llx outside the window",
				 (unsigned long long)f.address);
	}
	vst__drain_events("further report");
	if (vst__count_ne(wpage(W_D), PG, PATTERN))
		st__fail(&c, "the buffer's page changed");
	st__end(&c);
	virtio_rng__stop(&vst.rng);
}

static void bypass_dma_case(struct st_case *c)
{
	u8 *buf = pages__alloc(1);
	int ret;

	vst__drain_events("stale report");
	ret = virtio_rng__start(&vst.rng, vst.rng_bdf, NULL, NULL, NULL, 0,
				RNG_QUEUE_SIZE);
	if (ret) {
		st__fail(c, "rng start with physical addresses: %d", ret);
	} else if (buf) {
		check_fill(c, buf);
		if (vst__drain_events("unexpected report"))
			st__fail(c, "fault reports in bypass");
	}
	virtio_rng__stop(&vst.rng);
	if (buf)
		pages__free(buf, 1);
}

void vst__bypass_cases(void)
{
	struct st_case c;

	if (!viommu__has(&vst.vi, VIRTIO_IOMMU_F_BYPASS_CONFIG)) {
		st__skip("bypass-domain-dma", "F_BYPASS_CONFIG not offered");
		st__skip("bypass-config-dma", "F_BYPASS_CONFIG not offered");
		return;
	}
	/* The rng is reset and in no domain */
	st__begin(&c, "bypass-domain-dma");
	vst__want(&c, "ATTACH F_BYPASS",
		  viommu__attach(&vst.vi, vst.dom_bypass, vst.rng_ep,
				 VIRTIO_IOMMU_ATTACH_F_BYPASS),
		  VIRTIO_IOMMU_S_OK);
	if (!c.failed)
		bypass_dma_case(&c);
	vst__want(&c, "DETACH",
		  viommu__detach(&vst.vi, vst.dom_bypass, vst.rng_ep),
		  VIRTIO_IOMMU_S_OK);
	st__end(&c);

	st__begin(&c, "bypass-config-dma");
	if (viommu__set_bypass(&vst.vi, true) || vst.vi.cfg.bypass != 1)
		st__fail(&c, "config bypass did not become 1");
	else
		bypass_dma_case(&c);
	if (viommu__set_bypass(&vst.vi, false) || vst.vi.cfg.bypass)
		st__fail(&c, "config bypass did not go back to 0");
	st__end(&c);
}
