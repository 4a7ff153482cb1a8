/* SPDX-License-Identifier: GPL-2.0 */
/*
 * viommu-selftest: drives vsva's virtio-iommu (run with --viommu on --rng)
 * through the statuses of docs/virtio-iommu-ext.md, then DMA of the
 * virtio-rng behind it: translated, faulting, detached and in bypass.
 * One PASS/FAIL/SKIP line per case; exit 0 only if every case passed,
 * 2 when there is no vIOMMU or no virtio-rng to test.
 *
 * main.c: set-up, configuration, PROBE; requests.c: ATTACH, MAP, UNMAP,
 * DETACH, malformed requests; ext.c: the vSVA extension; dma.c: the rng's
 * DMA through the vIOMMU, and bypass.
 */
#ifndef VST_H
#define VST_H

#include "selftest.h"
#include "viommu.h"
#include "virtio-rng.h"

#define VST_PROG	"viommu-selftest"

#define PG		4096ULL
#define MSI_START	0xfee00000ULL
#define MSI_END		0xfeefffffULL
#define NOT_RAM		0xe0000000ULL	/* reserved for a future ECAM */
#define UNKNOWN_EP	0xff00u		/* bus 0xff: nothing lives there */
#define RW		(VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE)

/* IOVAs the cases use: inside input_range, away from the MSI window */
#define MAP_BASE	0x20000000ULL
#define UNMAP_BASE	0x30000000ULL
#define IOVA_BASE	0x10000000ULL	/* the rng's DMA window */
#define IOVA_STRAY	0x700000000000ULL /* never mapped */

#define TARGET_PAGES	16		/* RAM that test mappings point at */

#define WAIT_MS		1000		/* for what must come */
#define QUIET_MS	300		/* for what must not */

struct vst {
	struct viommu vi;
	struct virtio_rng rng;
	u16 rng_bdf;
	u32 rng_ep;
	/* An endpoint with PASIDs (PROBE pasid_bits > 0), if the tree has
	 * one */
	bool have_pasid_ep;
	u32 pasid_ep;
	struct virtio_iommu_probe_vsva pasid_caps;
	/* Domain IDs, from domain_range.start on */
	u32 dom1, dom2, dom_bypass, dom_pasid, dom_unknown;
	u8 *target;			/* TARGET_PAGES pages */
};

extern struct vst vst;

/* Checks a request's result; on a mismatch the case fails saying so. */
bool vst__want(struct st_case *c, const char *what, int got, int want);
/* Bytes in [p, p + n) other than v; n a multiple of 8. */
u32 vst__count_ne(const void *p, u32 n, u8 v);
void vst__print_fault(const char *what, const struct virtio_iommu_fault *f);
/* Takes pending fault reports off the event queue (printing them with
 * `why`); returns how many there were. */
int vst__drain_events(const char *why);

/* Each runs its cases in order; the comments there say what state they
 * expect the rng endpoint in and leave it in. */
void vst__attach_cases(void);
void vst__map_cases(void);
void vst__unmap_cases(void);
void vst__detach_cases(void);
void vst__malformed_cases(void);
void vst__ext_cases(void);
void vst__dma_cases(void);
void vst__bypass_cases(void);

#endif
