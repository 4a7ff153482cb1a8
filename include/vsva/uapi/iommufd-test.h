/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOMMUFD selftest driver's command (CONFIG_IOMMUFD_TEST): mock
 * devices on a mock IOMMU that can nest and raise page faults, without
 * hardware.  Not UAPI (the kernel keeps it in drivers/iommu/iommufd/
 * iommufd_test.h); written from the layouts in shared/reference/
 * iommu-interfaces.md §4 and asserted against the kernel's file when the
 * source tree is at hand (tests/unit/test-uapi-layout.c).  Only the
 * operations vsva's conformance program uses are defined.
 */
#ifndef VSVA_UAPI_IOMMUFD_TEST_H
#define VSVA_UAPI_IOMMUFD_TEST_H

#include <vsva/uapi/iommufd.h>

#define IOFD_TEST_CMD			IOFD_IO(0x20)	/* 0x80 + 32 */

#define IOFD_TEST_OP_MOCK_DOMAIN	2U
#define IOFD_TEST_OP_MOCK_DOMAIN_REPLACE 10U
#define IOFD_TEST_OP_MD_CHECK_IOTLB	14U
#define IOFD_TEST_OP_TRIGGER_IOPF	15U

/* The mock IOMMU's address window: IOAS mappings must lie inside it. */
#define IOFD_MOCK_APERTURE_START	(1ULL << 24)
#define IOFD_MOCK_APERTURE_LAST		((1ULL << 31) - 1)
/* A mock nested domain has this many "IOTLB" slots (ids 0..3). */
#define IOFD_MOCK_IOTLB_NUM		4U

struct iofd_test_cmd {
	u32 size;
	u32 op;			/* IOFD_TEST_OP_* */
	u32 id;			/* object the op works on */
	u32 reserved;
	union {
		/* id: IOAS or HWPT to attach the new mock device to */
		struct {
			u32 out_stdev_id;	/* the selftest device object */
			u32 out_hwpt_id;
			u32 out_idev_id;	/* iommufd device (dev_id) */
		} mock_domain;
		/* id: stdev_id; attach or replace (VFIO ATTACH's twin) */
		struct {
			u32 pt_id;		/* in: IOAS/HWPT; out: HWPT */
		} mock_domain_replace;
		/* id: nested HWPT; EINVAL unless slot @id holds @iotlb */
		struct {
			u32 id;
			u32 iotlb;
		} check_iotlb;
		/* one single-record page-request group */
		struct {
			u32 dev_id;
			u32 pasid;		/* 0: no PASID */
			u32 grpid;
			u32 perm;		/* IOMMU_PGFAULT_PERM_* */
			u64 addr;
		} trigger_iopf;
		u64 raw[6];		/* the kernel's largest member */
	};
	u32 last;
};

/* HWPT data of a mock nested domain: the initial value of its slots. */
struct iofd_hwpt_selftest {
	u32 iotlb;
};
#define IOFD_TEST_IOTLB_DEFAULT		0xbadbeefU

/* HWPT_INVALIDATE entries for a mock nested domain. */
#define IOFD_HWPT_INVALIDATE_DATA_SELFTEST	0xdeadbeefU
#define IOFD_TEST_INVALIDATE_FLAG_ALL		(1U << 0)

struct iofd_hwpt_invalidate_selftest {
	u32 flags;		/* IOFD_TEST_INVALIDATE_FLAG_* */
	u32 iotlb_id;		/* 0..3, unless FLAG_ALL */
};

/* GET_HW_INFO data of a mock device. */
#define IOFD_HW_INFO_SELFTEST_REGVAL	0xdeadbeefU

struct iofd_test_hw_info {
	u32 flags;
	u32 test_reg;		/* IOFD_HW_INFO_SELFTEST_REGVAL */
};

IOFD_ABI_SIZE(iofd_test_cmd, 72);
IOFD_ABI_OFF(iofd_test_cmd, mock_domain.out_idev_id, 24);
IOFD_ABI_OFF(iofd_test_cmd, trigger_iopf.addr, 32);
IOFD_ABI_OFF(iofd_test_cmd, last, 64);
IOFD_ABI_SIZE(iofd_hwpt_selftest, 4);
IOFD_ABI_SIZE(iofd_hwpt_invalidate_selftest, 8);
IOFD_ABI_SIZE(iofd_test_hw_info, 8);
_Static_assert(IOFD_TEST_CMD == 0x3ba0, "IOMMU_TEST_CMD number");

#endif
