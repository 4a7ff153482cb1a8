// SPDX-License-Identifier: GPL-2.0
/*
 * viommu-selftest: the vSVA extension (docs/virtio-iommu-ext.md sections
 * 5-7): ATTACH_TABLE, DETACH_TABLE and INVALIDATE.
 */
#include "console.h"
#include "pages.h"
#include "pgtable.h"
#include "vst.h"

static int attach_table_raw(u32 ep, u32 pasid, u64 root, u8 r0, u32 r1, u8 r2,
			    u32 flags)
{
	struct virtio_iommu_req_attach_table r = {
		.head.type = VIRTIO_IOMMU_T_ATTACH_TABLE,
		.endpoint = ep,
		.pasid = pasid,
		.flags = flags,
		.format = VSVA_S1_FORMAT_X86_64,
		.levels = 4,
		.reserved0 = r0,
		.reserved1 = r1,
		.root = root,
		.reserved = { r2 },
	};

	return viommu__request(&vst.vi, &r, sizeof(r), sizeof(r.tail));
}

static int new_table(struct pgtable *pt)
{
	int ret = pgtable__init(pt, 4, &pages__pgtable_mem);

	if (!ret)
		ret = pgtable__map(pt, 0x400000, (uintptr_t)vst.target, PG,
				   PTE_W | PTE_U);
	return ret;
}

/* ATTACH_TABLE / replace / DETACH_TABLE on a PASID-capable endpoint. */
static void case_pasid_endpoint(u64 root1, u64 root2)
{
	u32 max = 1u << MIN(vst.pasid_caps.pasid_bits, 31);
	struct st_case c;

	st__begin(&c, "ext-pasid-attach-table");
	vst__want(&c, "ATTACH",
		  viommu__attach(&vst.vi, vst.dom_pasid, vst.pasid_ep, 0),
		  VIRTIO_IOMMU_S_OK);
	vst__want(&c, "ATTACH_TABLE pasid 1",
		  viommu__attach_table(&vst.vi, vst.pasid_ep, 1, 0, 4, root1),
		  VIRTIO_IOMMU_S_OK);
	vst__want(&c, "ATTACH_TABLE pasid 0",
		  viommu__attach_table(&vst.vi, vst.pasid_ep, 0, 0, 4, root1),
		  VIRTIO_IOMMU_S_RANGE);
	if (vst.pasid_caps.pasid_bits < 32)
		vst__want(&c, "ATTACH_TABLE pasid 2^bits",
			  viommu__attach_table(&vst.vi, vst.pasid_ep, max, 0, 4,
					       root1),
			  VIRTIO_IOMMU_S_RANGE);
	vst__want(&c, "ATTACH_TABLE misaligned root",
		  viommu__attach_table(&vst.vi, vst.pasid_ep, 1, 0, 4,
				       root1 + 8),
		  VIRTIO_IOMMU_S_FAULT);
	st__end(&c);

	st__begin(&c, "ext-pasid-replace-table");
	vst__want(&c, "ATTACH_TABLE over a bound PASID",
		  viommu__attach_table(&vst.vi, vst.pasid_ep, 1, 0, 4, root2),
		  VIRTIO_IOMMU_S_OK);
	vst__want(&c, "ATTACH with tables bound",
		  viommu__attach(&vst.vi, vst.dom2, vst.pasid_ep, 0),
		  VIRTIO_IOMMU_S_UNSUPP);
	vst__want(&c, "DETACH with tables bound",
		  viommu__detach(&vst.vi, vst.dom_pasid, vst.pasid_ep),
		  VIRTIO_IOMMU_S_UNSUPP);
	st__end(&c);

	st__begin(&c, "ext-pasid-detach-table");
	vst__want(&c, "DETACH_TABLE",
		  viommu__detach_table(&vst.vi, vst.pasid_ep, 1),
		  VIRTIO_IOMMU_S_OK);
	vst__want(&c, "DETACH",
		  viommu__detach(&vst.vi, vst.dom_pasid, vst.pasid_ep),
		  VIRTIO_IOMMU_S_OK);
	st__end(&c);

	st__begin(&c, "ext-detach-table-unbound");
	vst__want(&c, "ATTACH",
		  viommu__attach(&vst.vi, vst.dom_pasid, vst.pasid_ep, 0),
		  VIRTIO_IOMMU_S_OK);
	vst__want(&c, "DETACH_TABLE of an unbound PASID",
		  viommu__detach_table(&vst.vi, vst.pasid_ep, 1),
		  VIRTIO_IOMMU_S_INVAL);
	vst__want(&c, "DETACH",
		  viommu__detach(&vst.vi, vst.dom_pasid, vst.pasid_ep),
		  VIRTIO_IOMMU_S_OK);
	st__end(&c);
}

static void case_table(void)
{
	static const char *const pasid_cases[] = {
		"ext-pasid-attach-table",
		"ext-pasid-replace-table",
		"ext-pasid-detach-table",
		"ext-detach-table-unbound",
	};
	struct pgtable pt1, pt2;
	struct st_case c;
	u64 root;

	if (new_table(&pt1) || new_table(&pt2)) {
		st__begin(&c, "ext-tables");
		st__fail(&c, "cannot build the stage-1 tables");
		st__end(&c);
		return;
	}
	root = pt1.root;

	/* The rng is in no domain (detach-ok) */
	st__begin(&c, "ext-attach-table-no-domain");
	vst__want(&c, "ATTACH_TABLE",
		  viommu__attach_table(&vst.vi, vst.rng_ep, 1, 0, 4, root),
		  VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "ext-attach-table-unsupp");
	vst__want(&c, "ATTACH",
		  viommu__attach(&vst.vi, vst.dom1, vst.rng_ep, 0),
		  VIRTIO_IOMMU_S_OK);
	vst__want(&c, "ATTACH_TABLE on an endpoint without PASIDs",
		  viommu__attach_table(&vst.vi, vst.rng_ep, 1, 0, 4, root),
		  VIRTIO_IOMMU_S_UNSUPP);
	st__end(&c);

	st__begin(&c, "ext-attach-table-reserved");
	vst__want(&c, "reserved0 (u8 @19)",
		  attach_table_raw(vst.rng_ep, 1, root, 1, 0, 0, 0),
		  VIRTIO_IOMMU_S_INVAL);
	vst__want(&c, "reserved1 (le32 @20)",
		  attach_table_raw(vst.rng_ep, 1, root, 0, 1, 0, 0),
		  VIRTIO_IOMMU_S_INVAL);
	vst__want(&c, "reserved[0] (@32)",
		  attach_table_raw(vst.rng_ep, 1, root, 0, 0, 1, 0),
		  VIRTIO_IOMMU_S_INVAL);
	vst__want(&c, "unknown flag 1<<4",
		  attach_table_raw(vst.rng_ep, 1, root, 0, 0, 0, 1u << 4),
		  VIRTIO_IOMMU_S_INVAL);
	st__end(&c);

	st__begin(&c, "ext-attach-table-unknown-endpoint");
	vst__want(&c, "ATTACH_TABLE",
		  viommu__attach_table(&vst.vi, UNKNOWN_EP, 1, 0, 4, root),
		  VIRTIO_IOMMU_S_NOENT);
	st__end(&c);

	st__begin(&c, "ext-detach-table-range");
	/* pasid_bits 0: no PASID is in range on the rng */
	vst__want(&c, "DETACH_TABLE pasid 1 on the rng",
		  viommu__detach_table(&vst.vi, vst.rng_ep, 1),
		  VIRTIO_IOMMU_S_RANGE);
	st__end(&c);

	st__begin(&c, "ext-detach-table-unknown-endpoint");
	vst__want(&c, "DETACH_TABLE",
		  viommu__detach_table(&vst.vi, UNKNOWN_EP, 1),
		  VIRTIO_IOMMU_S_NOENT);
	st__end(&c);

	if (vst.have_pasid_ep) {
		case_pasid_endpoint(pt1.root, pt2.root);
	} else {
		for (unsigned int i = 0; i < ARRAY_SIZE(pasid_cases); i++)
			st__skip(pasid_cases[i], "no endpoint in the device "
						 "tree has pasid_bits > 0");
	}
	pgtable__destroy(&pt1);
	pgtable__destroy(&pt2);
}

static void case_invalidate(void)
{
	/* The rng is in dom1 */
	const struct virtio_iommu_inv_entry e[] = {
		{ .scope = VSVA_INV_S_DOMAIN, .id = vst.dom1 },
		{ .scope = VSVA_INV_S_DOMAIN, .id = vst.dom_unknown },
		{ .scope = 9, .id = vst.dom1 },
		{ .scope = VSVA_INV_S_DOMAIN,
		  .flags = VSVA_INV_F_ENDPOINT,
		  .id = vst.rng_ep },
		{ .scope = VSVA_INV_S_DOMAIN, .flags = 0x80, .id = vst.dom1 },
	};
	static const u8 expect[] = {
		VIRTIO_IOMMU_S_OK, VIRTIO_IOMMU_S_NOENT, VIRTIO_IOMMU_S_INVAL,
		VIRTIO_IOMMU_S_OK, VIRTIO_IOMMU_S_INVAL,
	};
	u8 st[ALIGN_UP(ARRAY_SIZE(e), 4)];
	struct st_case c;
	int s;

	st__begin(&c, "ext-invalidate-batch");
	s = viommu__invalidate(&vst.vi, e, ARRAY_SIZE(e), st);
	if (vst__want(&c, "tail (the first failure)", s,
		      VIRTIO_IOMMU_S_NOENT)) {
		for (unsigned int i = 0; i < ARRAY_SIZE(e); i++)
			if (st[i] != expect[i])
				st__fail(&c, "entry %u: got %s, want %s", i,
					 viommu__status_str(st[i]),
					 viommu__status_str(expect[i]));
		/* then padding to a multiple of 4, zeroed */
		for (unsigned int i = ARRAY_SIZE(e); i < sizeof(st); i++)
			if (st[i])
				st__fail(&c, "padding byte %u not zero", i);
	}
	st__end(&c);

	st__begin(&c, "ext-invalidate-ok");
	s = viommu__invalidate(&vst.vi, e, 1, st);
	vst__want(&c, "one good entry", s, VIRTIO_IOMMU_S_OK);
	if (s == VIRTIO_IOMMU_S_OK && st[0] != VIRTIO_IOMMU_S_OK)
		st__fail(&c, "entry status %s", viommu__status_str(st[0]));
	st__end(&c);
}

void vst__ext_cases(void)
{
	if (viommu__has(&vst.vi, VIRTIO_IOMMU_F_VSVA_TABLE))
		case_table();
	else
		st__skip("ext-tables", "F_VSVA_TABLE not offered");
	/* INVALIDATE and the DMA cases want the rng in dom1 */
	if (viommu__attach(&vst.vi, vst.dom1, vst.rng_ep, 0) !=
	    VIRTIO_IOMMU_S_OK)
		printf("  note: could not attach the rng to dom1\n");
	if (viommu__has(&vst.vi, VIRTIO_IOMMU_F_VSVA_INVAL))
		case_invalidate();
	else
		st__skip("ext-invalidate", "F_VSVA_INVAL not offered");
}
