/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva's own definitions of the IOMMUFD interface (/dev/iommu), written
 * from the kernel's documented ABI (Documentation/userspace-api/iommufd.rst
 * and the kernel-doc of include/uapi/linux/iommufd.h; offsets summarised in
 * shared/reference/iommu-interfaces.md §1, §2).  Debian 12's headers are
 * Linux 6.1 and lack nesting and the fault queue, so vsva does not use
 * <linux/iommufd.h>.
 *
 * Names carry an `iofd_` prefix (the kernel's are `iommu_`) so that this
 * header and the kernel's can be included together: tests/unit/
 * test-uapi-layout.c and the lab case uapi-layout assert every size and
 * offset against the kernel's own headers.  Field names follow the
 * kernel's; its `__reserved` fields are `reserved` here.
 *
 * x86-64 only: u64 fields are naturally 8-byte aligned, as the kernel's
 * __aligned_u64 forces them to be; the assertions at the end check it.
 *
 * Size rules (the kernel's, §1.1): every command starts with `size`, which
 * the kernel compares with its own struct: smaller than the command's first
 * version -> EINVAL, larger -> the excess must be zero (else E2BIG).  So a
 * newer struct with its new fields zero works on an older kernel, and a new
 * field must never be set for a kernel that does not know it.
 */
#ifndef VSVA_UAPI_IOMMUFD_H
#define VSVA_UAPI_IOMMUFD_H

#include <linux/ioctl.h>

#include <vsva/types.h>

#define IOFD_TYPE			';'
#define IOFD_CMD_BASE			0x80
#define IOFD_IO(nr)			_IO(IOFD_TYPE, IOFD_CMD_BASE + (nr))

#define IOFD_DESTROY			IOFD_IO(0x00)
#define IOFD_IOAS_ALLOC			IOFD_IO(0x01)
#define IOFD_IOAS_IOVA_RANGES		IOFD_IO(0x04)
#define IOFD_IOAS_MAP			IOFD_IO(0x05)
#define IOFD_IOAS_UNMAP			IOFD_IO(0x06)
#define IOFD_HWPT_ALLOC			IOFD_IO(0x09)	/* Linux 6.6 */
#define IOFD_GET_HW_INFO		IOFD_IO(0x0a)	/* Linux 6.6 */
#define IOFD_HWPT_INVALIDATE		IOFD_IO(0x0d)	/* Linux 6.8 */
#define IOFD_FAULT_QUEUE_ALLOC		IOFD_IO(0x0e)	/* Linux 6.11 */

/* Destroy any object by ID (EBUSY while something still uses it). */
struct iofd_destroy {
	u32 size;
	u32 id;
};

struct iofd_ioas_alloc {
	u32 size;
	u32 flags;		/* 0 */
	u32 out_ioas_id;
};

#define IOFD_IOAS_MAP_FIXED_IOVA	(1U << 0)
#define IOFD_IOAS_MAP_WRITEABLE		(1U << 1)
#define IOFD_IOAS_MAP_READABLE		(1U << 2)

struct iofd_ioas_map {
	u32 size;
	u32 flags;		/* IOFD_IOAS_MAP_* */
	u32 ioas_id;
	u32 reserved;
	u64 user_va;		/* process memory to pin */
	u64 length;
	u64 iova;		/* in with FIXED_IOVA, else out */
};

struct iofd_ioas_unmap {
	u32 size;
	u32 ioas_id;
	u64 iova;
	u64 length;		/* in: bytes; out: bytes unmapped */
};

struct iofd_iova_range {
	u64 start;
	u64 last;		/* inclusive */
};

/* EMSGSIZE with num_iovas set to what is needed if the array is small. */
struct iofd_ioas_iova_ranges {
	u32 size;
	u32 ioas_id;
	u32 num_iovas;		/* in: room; out: ranges */
	u32 reserved;
	u64 allowed_iovas;	/* struct iofd_iova_range[num_iovas] */
	u64 out_iova_alignment;
};

/* --- HWPT allocation --- */
#define IOFD_HWPT_ALLOC_NEST_PARENT	(1U << 0)	/* 6.7 */
#define IOFD_HWPT_ALLOC_DIRTY_TRACKING	(1U << 1)	/* 6.7 */
#define IOFD_HWPT_FAULT_ID_VALID	(1U << 2)	/* 6.11 */
#define IOFD_HWPT_ALLOC_PASID		(1U << 3)	/* 6.15 */

#define IOFD_HWPT_DATA_NONE		0U
#define IOFD_HWPT_DATA_VTD_S1		1U
#define IOFD_HWPT_DATA_SELFTEST		0xdeadU		/* iommufd-test.h */

struct iofd_hwpt_alloc {
	u32 size;
	u32 flags;		/* IOFD_HWPT_* */
	u32 dev_id;
	u32 pt_id;		/* IOAS: paging; nest parent HWPT: nested */
	u32 out_hwpt_id;
	u32 reserved;
	u32 data_type;		/* IOFD_HWPT_DATA_* */
	u32 data_len;
	u64 data_uptr;
	u32 fault_id;		/* 6.11: with IOFD_HWPT_FAULT_ID_VALID */
	u32 reserved2;
};
/* The struct before fault_id (Linux 6.6 - 6.10). */
#define IOFD_HWPT_ALLOC_SIZE_V1		offsetof(struct iofd_hwpt_alloc, fault_id)

/* Intel VT-d first-stage table for a nested HWPT (IOFD_HWPT_DATA_VTD_S1). */
#define IOFD_VTD_S1_SRE			(1ULL << 0)	/* supervisor requests */
#define IOFD_VTD_S1_EAFE		(1ULL << 1)	/* extended accessed flag */
#define IOFD_VTD_S1_WPE			(1ULL << 2)	/* write protect */

struct iofd_hwpt_vtd_s1 {
	u64 flags;		/* IOFD_VTD_S1_* */
	u64 pgtbl_addr;		/* guest root table: GPA = parent IOVA */
	u32 addr_width;		/* 48 (4-level) or 57 (5-level) */
	u32 reserved;
};

/* --- hardware information --- */
#define IOFD_HW_INFO_TYPE_NONE		0U
#define IOFD_HW_INFO_TYPE_INTEL_VTD	1U
#define IOFD_HW_INFO_TYPE_ARM_SMMUV3	2U
#define IOFD_HW_INFO_TYPE_SELFTEST	0xfeedbeefU	/* iommufd-test.h */

#define IOFD_HW_CAP_DIRTY_TRACKING	(1ULL << 0)
#define IOFD_HW_CAP_PCI_PASID_EXEC	(1ULL << 1)
#define IOFD_HW_CAP_PCI_PASID_PRIV	(1ULL << 2)

struct iofd_hw_info {
	u32 size;
	u32 flags;		/* 0 */
	u32 dev_id;
	u32 data_len;		/* in: room; out: the kernel's length */
	u64 data_uptr;
	u32 out_data_type;	/* IOFD_HW_INFO_TYPE_* */
	u8 out_max_pasid_log2;	/* 6.15 (zero from older kernels) */
	u8 reserved[3];
	u64 out_capabilities;	/* IOFD_HW_CAP_* (6.7) */
};

#define IOFD_HW_INFO_VTD_ERRATA_772415_SPR17	(1U << 0)

struct iofd_hw_info_vtd {
	u32 flags;
	u32 reserved;
	u64 cap_reg;		/* raw VT-d CAP_REG */
	u64 ecap_reg;		/* raw VT-d ECAP_REG */
};

/* VT-d register fields vsva reads (VT-d spec §11.4.2, §11.4.3). */
#define VTD_CAP_FL1GP(c)		(((c) >> 56) & 1)
#define VTD_CAP_FL5LP(c)		(((c) >> 60) & 1)
#define VTD_ECAP_NEST(e)		(((e) >> 26) & 1)
#define VTD_ECAP_PRS(e)			(((e) >> 29) & 1)
#define VTD_ECAP_SRS(e)			(((e) >> 31) & 1)
#define VTD_ECAP_EAFS(e)		(((e) >> 34) & 1)
#define VTD_ECAP_PSS(e)			(((e) >> 35) & 0x1f)
#define VTD_ECAP_PASID(e)		(((e) >> 40) & 1)
#define VTD_ECAP_SMTS(e)		(((e) >> 43) & 1)
#define VTD_ECAP_FLTS(e)		(((e) >> 47) & 1)

/* --- invalidation of a nested HWPT --- */
#define IOFD_HWPT_INVALIDATE_DATA_VTD_S1	0U

struct iofd_hwpt_invalidate {
	u32 size;
	u32 hwpt_id;
	u64 data_uptr;		/* entry array */
	u32 data_type;
	u32 entry_len;
	u32 entry_num;		/* in: entries; out: entries handled */
	u32 reserved;
};

#define IOFD_VTD_INV_FLAGS_LEAF		(1U << 0)

struct iofd_hwpt_vtd_s1_invalidate {
	u64 addr;		/* 4 KiB aligned */
	u64 npages;		/* addr 0 + U64_MAX: everything */
	u32 flags;		/* IOFD_VTD_INV_FLAGS_* */
	u32 reserved;
};

/* --- the fault queue (records and answers: include/vsva/prq.h) --- */
struct iofd_fault_alloc {
	u32 size;
	u32 flags;		/* 0 */
	u32 out_fault_id;
	u32 out_fault_fd;
};

/* Layouts, from the kernel's documented ABI. */
#define IOFD_ABI_SIZE(t, sz) \
	_Static_assert(sizeof(struct t) == (sz), #t " size")
#define IOFD_ABI_OFF(t, f, off) \
	_Static_assert(offsetof(struct t, f) == (off), #t "." #f " offset")

IOFD_ABI_SIZE(iofd_destroy, 8);
IOFD_ABI_SIZE(iofd_ioas_alloc, 12);
IOFD_ABI_SIZE(iofd_ioas_map, 40);
IOFD_ABI_OFF(iofd_ioas_map, user_va, 16);
IOFD_ABI_OFF(iofd_ioas_map, iova, 32);
IOFD_ABI_SIZE(iofd_ioas_unmap, 24);
IOFD_ABI_OFF(iofd_ioas_unmap, iova, 8);
IOFD_ABI_SIZE(iofd_iova_range, 16);
IOFD_ABI_SIZE(iofd_ioas_iova_ranges, 32);
IOFD_ABI_OFF(iofd_ioas_iova_ranges, allowed_iovas, 16);
IOFD_ABI_SIZE(iofd_hwpt_alloc, 48);
IOFD_ABI_OFF(iofd_hwpt_alloc, data_type, 24);
IOFD_ABI_OFF(iofd_hwpt_alloc, data_uptr, 32);
IOFD_ABI_OFF(iofd_hwpt_alloc, fault_id, 40);
IOFD_ABI_SIZE(iofd_hwpt_vtd_s1, 24);
IOFD_ABI_OFF(iofd_hwpt_vtd_s1, addr_width, 16);
IOFD_ABI_SIZE(iofd_hw_info, 40);
IOFD_ABI_OFF(iofd_hw_info, data_uptr, 16);
IOFD_ABI_OFF(iofd_hw_info, out_data_type, 24);
IOFD_ABI_OFF(iofd_hw_info, out_max_pasid_log2, 28);
IOFD_ABI_OFF(iofd_hw_info, out_capabilities, 32);
IOFD_ABI_SIZE(iofd_hw_info_vtd, 24);
IOFD_ABI_SIZE(iofd_hwpt_invalidate, 32);
IOFD_ABI_OFF(iofd_hwpt_invalidate, data_type, 16);
IOFD_ABI_OFF(iofd_hwpt_invalidate, entry_num, 24);
IOFD_ABI_SIZE(iofd_hwpt_vtd_s1_invalidate, 24);
IOFD_ABI_SIZE(iofd_fault_alloc, 16);
_Static_assert(IOFD_HWPT_ALLOC == 0x3b89, "HWPT_ALLOC number");
_Static_assert(IOFD_FAULT_QUEUE_ALLOC == 0x3b8e, "FAULT_QUEUE_ALLOC number");

#endif
