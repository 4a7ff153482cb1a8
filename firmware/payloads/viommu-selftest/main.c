// SPDX-License-Identifier: GPL-2.0
/* viommu-selftest: set-up, configuration and PROBE cases (see vst.h). */
#include <errno.h>

#include "console.h"
#include "cpu.h"
#include "dt.h"
#include "fw.h"
#include "pages.h"
#include "pci.h"
#include "tsc.h"
#include "vst.h"

#define EXIT_ABSENT	2

struct vst vst;

bool vst__want(struct st_case *c, const char *what, int got, int want)
{
	if (got == want)
		return true;
	return st__fail(c, "%s: got %s (%d), want %s", what,
			viommu__status_str(got), got,
			viommu__status_str(want));
}

u32 vst__count_ne(const void *p, u32 n, u8 v)
{
	const u64 *w = p;
	u64 pat = 0x0101010101010101ULL * v;
	u32 bad = 0;

	for (u32 i = 0; i < n / 8; i++) {
		u64 x = w[i] ^ pat;

		for (; x; x >>= 8)
			bad += (x & 0xff) != 0;
	}
	return bad;
}

void vst__print_fault(const char *what, const struct virtio_iommu_fault *f)
{
	printf("  %s: reason %s (%u) flags %#x endpoint %#x pasid %u "
	       "address %#llx\n", what, viommu__fault_reason_str(f->reason),
	       f->reason, f->flags, f->endpoint, f->pasid,
	       (unsigned long long)f->address);
}

int vst__drain_events(const char *why)
{
	struct virtio_iommu_fault f;
	int n = 0;

	while (viommu__event_poll(&vst.vi, &f) > 0) {
		vst__print_fault(why, &f);
		n++;
	}
	return n;
}

static void case_config(void)
{
	const struct virtio_iommu_config *cfg = &vst.vi.cfg;
	static const unsigned int need[] = {
		VIRTIO_IOMMU_F_INPUT_RANGE, VIRTIO_IOMMU_F_DOMAIN_RANGE,
		VIRTIO_IOMMU_F_MAP_UNMAP, VIRTIO_IOMMU_F_PROBE,
		VIRTIO_IOMMU_F_MMIO, VIRTIO_IOMMU_F_BYPASS_CONFIG,
	};
	struct st_case c;

	printf("  features %#llx; page_size_mask %#llx input [%#llx, %#llx] "
	       "domains [%u, %u] probe_size %u bypass %u\n",
	       (unsigned long long)vst.vi.vd.features,
	       (unsigned long long)cfg->page_size_mask,
	       (unsigned long long)cfg->input_range.start,
	       (unsigned long long)cfg->input_range.end,
	       cfg->domain_range.start, cfg->domain_range.end,
	       cfg->probe_size, cfg->bypass);

	st__begin(&c, "config-features");
	for (unsigned int i = 0; i < ARRAY_SIZE(need); i++)
		if (!viommu__has(&vst.vi, need[i]))
			st__fail(&c, "feature %u not negotiated", need[i]);
	if (viommu__has(&vst.vi, VIRTIO_IOMMU_F_BYPASS))
		st__fail(&c, "F_BYPASS negotiated (the driver never asks)");
	st__end(&c);

	st__begin(&c, "config-values");
	if (!(cfg->page_size_mask & PG))
		st__fail(&c, "page_size_mask %#llx lacks 4 KiB",
			 (unsigned long long)cfg->page_size_mask);
	else if (cfg->page_size_mask & (PG - 1))
		st__fail(&c, "granule below 4 KiB (mask %#llx)",
			 (unsigned long long)cfg->page_size_mask);
	if (cfg->input_range.start > MAP_BASE ||
	    cfg->input_range.end < IOVA_STRAY + PG - 1)
		st__fail(&c, "input_range too small for the test IOVAs");
	if (cfg->domain_range.start > cfg->domain_range.end ||
	    cfg->domain_range.end - cfg->domain_range.start < 100)
		st__fail(&c, "domain_range too small");
	if (!cfg->probe_size)
		st__fail(&c, "probe_size 0");
	if (cfg->bypass)
		st__fail(&c, "bypass is %u, want 0", cfg->bypass);
	st__end(&c);
}

static void check_probe_rng(struct st_case *c, const struct viommu_probe *p)
{
	bool ext = viommu__has(&vst.vi, VIRTIO_IOMMU_F_VSVA_TABLE);

	if (p->nr_resv != 1)
		st__fail(c, "%d RESV_MEM properties, want 1", p->nr_resv);
	else if (p->resv[0].subtype != VIRTIO_IOMMU_RESV_MEM_T_MSI)
		st__fail(c, "RESV_MEM subtype %u, want MSI",
			 p->resv[0].subtype);
	else if (p->resv[0].start != MSI_START || p->resv[0].end != MSI_END)
		st__fail(c, "MSI window [%#llx, %#llx]",
			 (unsigned long long)p->resv[0].start,
			 (unsigned long long)p->resv[0].end);
	if (ext && !p->has_vsva)
		st__fail(c, "no VSVA property with F_VSVA_TABLE");
	if (!ext && p->has_vsva)
		st__fail(c, "VSVA property without F_VSVA_TABLE");
	if (p->has_vsva && (p->vsva.head.length != 20 ||
			    p->vsva.pasid_bits || p->vsva.formats ||
			    p->vsva.page_req))
		st__fail(c, "VSVA length %u formats %#x pasid_bits %u "
			 "page_req %u, want 20/0/0/0", p->vsva.head.length,
			 p->vsva.formats, p->vsva.pasid_bits,
			 p->vsva.page_req);
	if (p->nr_ignored)
		st__fail(c, "%d unknown properties", p->nr_ignored);
	if (!p->rest_zero)
		st__fail(c, "bytes after the last property not zero");
}

/* PROBEs every other endpoint in the tree, looking for PASID support. */
static void find_pasid_endpoint(const void *fdt)
{
	struct viommu_probe p;
	struct dt_pci_dev dev;
	int node = -1;

	while ((node = dt__pci_next(fdt, node, &dev)) >= 0) {
		if (!dev.has_iommu_ep || dev.iommu_ep == vst.rng_ep)
			continue;
		if (viommu__probe(&vst.vi, dev.iommu_ep, &p) !=
		    VIRTIO_IOMMU_S_OK)
			continue;
		printf("  endpoint %#x (%s): pasid_bits %u formats %#x\n",
		       dev.iommu_ep, dev.name, p.has_vsva ? p.vsva.pasid_bits :
		       0, p.has_vsva ? p.vsva.formats : 0);
		if (p.has_vsva && p.vsva.pasid_bits && !vst.have_pasid_ep) {
			vst.have_pasid_ep = true;
			vst.pasid_ep = dev.iommu_ep;
			vst.pasid_caps = p.vsva;
		}
	}
}

static void case_probe(const void *fdt, bool rng_has_ep)
{
	struct viommu_probe p;
	struct st_case c;
	int s;

	st__begin(&c, "probe-rng");
	if (!rng_has_ep)
		st__fail(&c, "the rng node has no vsva,iommu-endpoint");
	else if (vst.rng_ep != vst.rng_bdf)
		st__fail(&c, "endpoint %#x is not the requester ID %#x",
			 vst.rng_ep, vst.rng_bdf);
	s = viommu__probe(&vst.vi, vst.rng_ep, &p);
	if (vst__want(&c, "PROBE", s, VIRTIO_IOMMU_S_OK))
		check_probe_rng(&c, &p);
	st__end(&c);

	st__begin(&c, "probe-unknown-endpoint");
	vst__want(&c, "PROBE", viommu__probe(&vst.vi, UNKNOWN_EP, &p),
		  VIRTIO_IOMMU_S_NOENT);
	st__end(&c);

	if (viommu__has(&vst.vi, VIRTIO_IOMMU_F_VSVA_TABLE))
		find_pasid_endpoint(fdt);
}

static int find_devices(const void *fdt, struct dt_pci_dev *iommu,
			bool *rng_has_ep)
{
	struct dt_pci_dev dev;

	if (viommu__find(fdt, iommu)) {
		puts(VST_PROG ": no virtio-iommu (run vsva with --viommu on)");
		return -ENOENT;
	}
	if (dt__pci_find(fdt, "virtio-rng", &dev)) {
		puts(VST_PROG ": no virtio-rng (run vsva with --rng)");
		return -ENOENT;
	}
	vst.rng_bdf = dev.bdf;
	*rng_has_ep = dev.has_iommu_ep;
	vst.rng_ep = dev.has_iommu_ep ? dev.iommu_ep : dev.bdf;
	return 0;
}

int payload__main(const void *fdt)
{
	struct dt_pci_dev iommu;
	bool rng_has_ep;
	struct st_case c;
	u64 start = rdtsc();
	int ret;

	if (find_devices(fdt, &iommu, &rng_has_ep))
		return EXIT_ABSENT;
	printf(VST_PROG ": vIOMMU at %02x:%02x.%x, rng at %02x:%02x.%x "
	       "(endpoint %#x)\n", PCI_BUS(iommu.bdf), PCI_DEV(iommu.bdf),
	       PCI_FN(iommu.bdf), PCI_BUS(vst.rng_bdf), PCI_DEV(vst.rng_bdf),
	       PCI_FN(vst.rng_bdf), vst.rng_ep);

	vst.target = pages__alloc(TARGET_PAGES);
	st__begin(&c, "init");
	if (!vst.target)
		st__fail(&c, "out of memory");
	else if ((ret = viommu__init(&vst.vi, iommu.bdf)))
		st__fail(&c, "driver init: %d", ret);
	if (!st__end(&c))
		return st__summary(VST_PROG);

	vst.dom1 = vst.vi.cfg.domain_range.start;
	vst.dom2 = vst.dom1 + 1;
	vst.dom_bypass = vst.dom1 + 2;
	vst.dom_pasid = vst.dom1 + 3;
	vst.dom_unknown = vst.dom1 + 99;

	case_config();
	case_probe(fdt, rng_has_ep);
	vst__attach_cases();
	vst__map_cases();
	vst__unmap_cases();
	vst__detach_cases();
	vst__malformed_cases();
	vst__ext_cases();
	vst__dma_cases();
	vst__bypass_cases();

	viommu__reset(&vst.vi);
	printf(VST_PROG ": %llu ms\n",
	       (unsigned long long)tsc__ms_since(start));
	return st__summary(VST_PROG);
}
