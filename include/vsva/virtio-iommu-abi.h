/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-iommu wire format: the published spec (virtio 1.3, device 23) and
 * vsva's extension (docs/virtio-iommu-ext.md).  Written from the spec text;
 * every layout is checked with static assertions below.  Shared by vsva
 * and the firmware (freestanding: only <stdint.h>-level types).
 * All multi-byte fields are little endian (x86 hosts and guests).
 */
#ifndef VSVA_VIRTIO_IOMMU_ABI_H
#define VSVA_VIRTIO_IOMMU_ABI_H

#include <vsva/types.h>

#define VIRTIO_ID_IOMMU			23

/* virtqueues */
#define VIOMMU_VQ_REQUEST		0
#define VIOMMU_VQ_EVENT			1
#define VIOMMU_VQ_PAGE_REQ		2	/* extension: F_VSVA_PAGE_REQ */

/* feature bits: the spec's (0-6) */
#define VIRTIO_IOMMU_F_INPUT_RANGE	0
#define VIRTIO_IOMMU_F_DOMAIN_RANGE	1
#define VIRTIO_IOMMU_F_MAP_UNMAP	2
#define VIRTIO_IOMMU_F_BYPASS		3
#define VIRTIO_IOMMU_F_PROBE		4
#define VIRTIO_IOMMU_F_MMIO		5
#define VIRTIO_IOMMU_F_BYPASS_CONFIG	6
/* vsva's extension, well above the spec's range */
#define VIRTIO_IOMMU_F_VSVA_TABLE	20	/* ATTACH_TABLE, DETACH_TABLE */
#define VIRTIO_IOMMU_F_VSVA_INVAL	21	/* INVALIDATE */
#define VIRTIO_IOMMU_F_VSVA_PAGE_REQ	22	/* page-request queue, PAGE_RESP */

/* request types */
#define VIRTIO_IOMMU_T_ATTACH		1
#define VIRTIO_IOMMU_T_DETACH		2
#define VIRTIO_IOMMU_T_MAP		3
#define VIRTIO_IOMMU_T_UNMAP		4
#define VIRTIO_IOMMU_T_PROBE		5
#define VIRTIO_IOMMU_T_ATTACH_TABLE	0x80
#define VIRTIO_IOMMU_T_DETACH_TABLE	0x81
#define VIRTIO_IOMMU_T_INVALIDATE	0x82
#define VIRTIO_IOMMU_T_PAGE_RESP	0x83

/* statuses */
#define VIRTIO_IOMMU_S_OK		0
#define VIRTIO_IOMMU_S_IOERR		1
#define VIRTIO_IOMMU_S_UNSUPP		2
#define VIRTIO_IOMMU_S_DEVERR		3
#define VIRTIO_IOMMU_S_INVAL		4
#define VIRTIO_IOMMU_S_RANGE		5
#define VIRTIO_IOMMU_S_NOENT		6
#define VIRTIO_IOMMU_S_FAULT		7
#define VIRTIO_IOMMU_S_NOMEM		8

struct virtio_iommu_range_64 {
	u64 start;
	u64 end;
};

struct virtio_iommu_range_32 {
	u32 start;
	u32 end;
};

struct virtio_iommu_config {
	u64 page_size_mask;				/* 0 */
	struct virtio_iommu_range_64 input_range;	/* 8 */
	struct virtio_iommu_range_32 domain_range;	/* 24 */
	u32 probe_size;					/* 32 */
	u8 bypass;					/* 36 */
	u8 reserved[3];					/* 37 */
};

struct virtio_iommu_req_head {
	u8 type;
	u8 reserved[3];
};

struct virtio_iommu_req_tail {
	u8 status;
	u8 reserved[3];
};

#define VIRTIO_IOMMU_ATTACH_F_BYPASS	(1 << 0)

struct virtio_iommu_req_attach {
	struct virtio_iommu_req_head head;	/* 0 */
	u32 domain;				/* 4 */
	u32 endpoint;				/* 8 */
	u32 flags;				/* 12 */
	u8 reserved[4];				/* 16 */
	struct virtio_iommu_req_tail tail;	/* 20 */
};

struct virtio_iommu_req_detach {
	struct virtio_iommu_req_head head;
	u32 domain;
	u32 endpoint;
	u8 reserved[8];
	struct virtio_iommu_req_tail tail;
};

#define VIRTIO_IOMMU_MAP_F_READ		(1 << 0)
#define VIRTIO_IOMMU_MAP_F_WRITE	(1 << 1)
#define VIRTIO_IOMMU_MAP_F_MMIO		(1 << 2)
#define VIRTIO_IOMMU_MAP_F_MASK		0x7

struct virtio_iommu_req_map {
	struct virtio_iommu_req_head head;	/* 0 */
	u32 domain;				/* 4 */
	u64 virt_start;				/* 8 */
	u64 virt_end;				/* 16, inclusive */
	u64 phys_start;				/* 24 */
	u32 flags;				/* 32 */
	struct virtio_iommu_req_tail tail;	/* 36 */
} __packed;

struct virtio_iommu_req_unmap {
	struct virtio_iommu_req_head head;	/* 0 */
	u32 domain;				/* 4 */
	u64 virt_start;				/* 8 */
	u64 virt_end;				/* 16 */
	u8 reserved[4];				/* 24 */
	struct virtio_iommu_req_tail tail;	/* 28 */
} __packed;

/* PROBE: head, endpoint, reserved[64], then probe_size bytes written by
 * the device, then the tail. */
struct virtio_iommu_req_probe {
	struct virtio_iommu_req_head head;	/* 0 */
	u32 endpoint;				/* 4 */
	u8 reserved[64];			/* 8 */
	/* u8 properties[probe_size];		   72 */
};

#define VIRTIO_IOMMU_PROBE_T_NONE	0
#define VIRTIO_IOMMU_PROBE_T_RESV_MEM	1
#define VIRTIO_IOMMU_PROBE_T_VSVA	0x80	/* extension */
#define VIRTIO_IOMMU_PROBE_T_MASK	0xfff

struct virtio_iommu_probe_property {
	u16 type;
	u16 length;		/* of the value that follows */
};

#define VIRTIO_IOMMU_RESV_MEM_T_RESERVED	0
#define VIRTIO_IOMMU_RESV_MEM_T_MSI		1

struct virtio_iommu_probe_resv_mem {
	struct virtio_iommu_probe_property head;	/* 0 */
	u8 subtype;					/* 4 */
	u8 reserved[3];					/* 5 */
	u64 start;					/* 8 */
	u64 end;					/* 16 */
};

/* Extension: what an endpoint's stage-1 and page requests can do. */
#define VSVA_S1_FMT_X86_64_4LVL		(1 << 0)
#define VSVA_S1_FMT_X86_64_5LVL		(1 << 1)

struct virtio_iommu_probe_vsva {
	struct virtio_iommu_probe_property head;	/* 0: length 20 */
	u32 formats;		/* 4: VSVA_S1_FMT_* */
	u32 table_flags;	/* 8: VSVA_TABLE_F_* the endpoint honours */
	u8 pasid_bits;		/* 12: PASIDs are 1 .. 2^bits - 1 */
	u8 page_req;		/* 13: 1 if it raises page requests */
	u8 reserved[2];		/* 14 */
	u32 prq_capacity;	/* 16: outstanding page requests it may hold */
	u32 reserved2;		/* 20 */
};

/* Extension: ATTACH_TABLE binds (endpoint, PASID) to a stage-1 table. */
#define VSVA_S1_FORMAT_X86_64		1

#define VSVA_TABLE_F_SRE		(1 << 0)	/* supervisor requests */
#define VSVA_TABLE_F_WPE		(1 << 1)	/* write protect */
#define VSVA_TABLE_F_EAFE		(1 << 2)	/* extended accessed */
#define VSVA_TABLE_F_NXE		(1 << 3)	/* honour XD */
#define VSVA_TABLE_F_MASK		0xf

struct virtio_iommu_req_attach_table {
	struct virtio_iommu_req_head head;	/* 0 */
	u32 endpoint;				/* 4 */
	u32 pasid;				/* 8 */
	u32 flags;				/* 12: VSVA_TABLE_F_* */
	u16 format;				/* 16: VSVA_S1_FORMAT_* */
	u8 levels;				/* 18: 4 or 5 */
	u8 reserved0;				/* 19 */
	u32 reserved1;				/* 20 */
	u64 root;				/* 24: GPA, 4 KiB aligned */
	u8 reserved[12];			/* 32 */
	struct virtio_iommu_req_tail tail;	/* 44 */
};

struct virtio_iommu_req_detach_table {
	struct virtio_iommu_req_head head;	/* 0 */
	u32 endpoint;				/* 4 */
	u32 pasid;				/* 8 */
	u8 reserved[8];				/* 12 */
	struct virtio_iommu_req_tail tail;	/* 20 */
};

/* Extension: INVALIDATE, batched.  head, nr, entries[nr], then the
 * device-writable u8 status[nr] padded to 4 bytes, then the tail. */
#define VSVA_INV_MAX_ENTRIES		256

#define VSVA_INV_S_PASID		1	/* every address of a PASID */
#define VSVA_INV_S_ADDR			2	/* a range of a PASID */
#define VSVA_INV_S_DOMAIN		3	/* everything tagged with a domain */
#define VSVA_INV_S_PASID_CACHE		4	/* cached table descriptors */

#define VSVA_INV_F_LEAF			(1 << 0)	/* only leaf entries changed */
#define VSVA_INV_F_ENDPOINT		(1 << 1)	/* id names an endpoint */
#define VSVA_INV_F_MASK			0x3

struct virtio_iommu_req_invalidate {
	struct virtio_iommu_req_head head;	/* 0 */
	u32 nr;					/* 4 */
	/* struct virtio_iommu_inv_entry entries[nr];	   8 */
};

struct virtio_iommu_inv_entry {
	u16 scope;		/* 0: VSVA_INV_S_* */
	u16 flags;		/* 2: VSVA_INV_F_* */
	u32 id;			/* 4: domain, or endpoint with F_ENDPOINT */
	u32 pasid;		/* 8 */
	u32 reserved;		/* 12 */
	u64 addr;		/* 16: S_ADDR: first byte, 4 KiB aligned */
	u64 nr_pages;		/* 24: S_ADDR: 4 KiB pages, >= 1 */
};

/* Extension: the guest's answer to a page-request group. */
#define VSVA_PAGE_RESP_SUCCESS		0
#define VSVA_PAGE_RESP_INVALID		1
#define VSVA_PAGE_RESP_FAILURE		2

#define VSVA_PAGE_RESP_F_PASID_VALID	(1 << 0)

struct virtio_iommu_req_page_resp {
	struct virtio_iommu_req_head head;	/* 0 */
	u32 endpoint;				/* 4 */
	u32 pasid;				/* 8 */
	u32 flags;				/* 12 */
	u32 tag;				/* 16 */
	u16 code;				/* 20 */
	u8 reserved[6];				/* 22 */
	struct virtio_iommu_req_tail tail;	/* 28 */
};

/* Extension: one page request, written by the device into a buffer the
 * guest posted on the page-request queue (one record per buffer). */
#define VSVA_PRQ_F_PASID_VALID		(1 << 0)
#define VSVA_PRQ_F_LAST			(1 << 1)	/* last of its group */
#define VSVA_PRQ_F_READ			(1 << 2)
#define VSVA_PRQ_F_WRITE		(1 << 3)
#define VSVA_PRQ_F_EXEC			(1 << 4)
#define VSVA_PRQ_F_PRIV			(1 << 5)
#define VSVA_PRQ_F_MASK			0x3f

struct virtio_iommu_page_req {
	u32 endpoint;		/* 0 */
	u32 pasid;		/* 4 */
	u32 flags;		/* 8: VSVA_PRQ_F_* */
	u32 tag;		/* 12: echo it in PAGE_RESP */
	u64 address;		/* 16: page address (4 KiB aligned) */
	u32 group;		/* 24: the device's PRG index, informative */
	u32 reserved;		/* 28 */
};

/* eventq: the spec's 24-byte fault report */
#define VIRTIO_IOMMU_FAULT_R_UNKNOWN	0
#define VIRTIO_IOMMU_FAULT_R_DOMAIN	1
#define VIRTIO_IOMMU_FAULT_R_MAPPING	2
/* extension reasons, only with F_VSVA_TABLE negotiated */
#define VSVA_FAULT_R_PASID_UNBOUND	0x80
#define VSVA_FAULT_R_S1_TABLE		0x81	/* table pointer outside RAM */
#define VSVA_FAULT_R_S1_CANONICAL	0x82
#define VSVA_FAULT_R_S1_PERM		0x83	/* permission or reserved bit */

#define VIRTIO_IOMMU_FAULT_F_READ	(1 << 0)
#define VIRTIO_IOMMU_FAULT_F_WRITE	(1 << 1)
#define VIRTIO_IOMMU_FAULT_F_EXEC	(1 << 2)
#define VIRTIO_IOMMU_FAULT_F_ADDRESS	(1 << 8)
#define VSVA_FAULT_F_PASID		(1 << 16)	/* pasid in reserved1 */

struct virtio_iommu_fault {
	u8 reason;		/* 0 */
	u8 reserved[3];		/* 1 */
	u32 flags;		/* 4 */
	u32 endpoint;		/* 8 */
	u32 pasid;		/* 12: "reserved1" in the spec */
	u64 address;		/* 16 */
};

#define VIOMMU_ABI_CHECK(t, sz) _Static_assert(sizeof(struct t) == (sz), #t)
VIOMMU_ABI_CHECK(virtio_iommu_config, 40);
VIOMMU_ABI_CHECK(virtio_iommu_req_attach, 24);
VIOMMU_ABI_CHECK(virtio_iommu_req_detach, 24);
VIOMMU_ABI_CHECK(virtio_iommu_req_map, 40);
VIOMMU_ABI_CHECK(virtio_iommu_req_unmap, 32);
VIOMMU_ABI_CHECK(virtio_iommu_req_probe, 72);
VIOMMU_ABI_CHECK(virtio_iommu_probe_resv_mem, 24);
VIOMMU_ABI_CHECK(virtio_iommu_probe_vsva, 24);
VIOMMU_ABI_CHECK(virtio_iommu_req_attach_table, 48);
VIOMMU_ABI_CHECK(virtio_iommu_req_detach_table, 24);
VIOMMU_ABI_CHECK(virtio_iommu_req_invalidate, 8);
VIOMMU_ABI_CHECK(virtio_iommu_inv_entry, 32);
VIOMMU_ABI_CHECK(virtio_iommu_req_page_resp, 32);
VIOMMU_ABI_CHECK(virtio_iommu_page_req, 32);
VIOMMU_ABI_CHECK(virtio_iommu_fault, 24);
_Static_assert(offsetof(struct virtio_iommu_req_map, flags) == 32, "map");
_Static_assert(offsetof(struct virtio_iommu_req_unmap, tail) == 28, "unmap");
_Static_assert(offsetof(struct virtio_iommu_config, bypass) == 36, "bypass");
_Static_assert(offsetof(struct virtio_iommu_req_attach_table, root) == 24, "at");
_Static_assert(offsetof(struct virtio_iommu_fault, address) == 16, "fault");

#endif
