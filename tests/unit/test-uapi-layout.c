// SPDX-License-Identifier: GPL-2.0
/*
 * vsva's own UAPI definitions (include/vsva/uapi/) against the lab
 * kernel's headers: every struct size, field offset and size, and
 * constant (tests/conformance/uapi-checks.h).  The build fails at the
 * first difference (static assertions); the test walks the same table at
 * run time and names any difference.
 *
 * tests/conformance/conformance.mk compiles this file with
 * -DVSVA_UAPI_KHDR and the headers_install output on the include path
 * (and -DVSVA_UAPI_KTEST with the kernel source's iommufd_test.h, which is
 * not UAPI) when they are found; without them the kernel comparison is
 * skipped, saying so, and only the documented layouts asserted inside
 * include/vsva/uapi/ remain.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#ifdef VSVA_UAPI_KHDR
#include <linux/version.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#ifdef VSVA_UAPI_KTEST
#include "iommufd_test.h"
#endif
#endif

#include "tests/conformance/uapi-checks.h"

#ifdef VSVA_UAPI_KHDR
UAPI_PRQ_ENUMS;
#endif

#include <vsva/prq.h>
#include <vsva/uapi/iommufd.h>
#include <vsva/uapi/iommufd-test.h>
#include <vsva/uapi/vfio-cdev.h>

#ifdef VSVA_UAPI_KHDR
UAPI_CHECKS_ALL(UAPI_S_ASSERT, UAPI_F_ASSERT, UAPI_K_ASSERT)

static const struct uapi_check uapi_rows[] = {
	UAPI_CHECKS_ALL(UAPI_S_ROW, UAPI_F_ROW, UAPI_K_ROW)
};

Test(uapi_layout, matches_kernel_headers)
{
	unsigned int bad = 0;

	/* The UAPI lists alone are well over 200 rows. */
	cr_assert_gt(ARRAY_SIZE(uapi_rows), 200);
	for (size_t i = 0; i < ARRAY_SIZE(uapi_rows); i++) {
		const struct uapi_check *c = &uapi_rows[i];

		cr_expect_eq(c->ours, c->theirs, "%s: ours %llu, kernel %llu",
			     c->what, c->ours, c->theirs);
		bad += c->ours != c->theirs;
	}
	cr_assert_eq(bad, 0);
}

Test(uapi_layout, selftest_header_compared)
{
#ifdef VSVA_UAPI_KTEST
	cr_assert_eq(sizeof(struct iofd_test_cmd),
		     sizeof(struct iommu_test_cmd));
#else
	cr_skip_test("iommufd_test.h (kernel source) not found: the selftest command is checked only against its documented layout");
#endif
}

#else /* !VSVA_UAPI_KHDR */

Test(uapi_layout, matches_kernel_headers)
{
	cr_skip_test("no kernel UAPI headers found (shared/lab/headers or build/lab-kernel/headers): only the documented layouts in include/vsva/uapi/ were asserted");
}

#endif

/* The ioctl numbers the kernel's way, also without its headers. */
Test(uapi_layout, ioctl_numbers)
{
	cr_assert_eq(IOFD_DESTROY, 0x3b80);
	cr_assert_eq(IOFD_IOAS_ALLOC, 0x3b81);
	cr_assert_eq(IOFD_IOAS_IOVA_RANGES, 0x3b84);
	cr_assert_eq(IOFD_IOAS_MAP, 0x3b85);
	cr_assert_eq(IOFD_IOAS_UNMAP, 0x3b86);
	cr_assert_eq(IOFD_HWPT_ALLOC, 0x3b89);
	cr_assert_eq(IOFD_GET_HW_INFO, 0x3b8a);
	cr_assert_eq(IOFD_HWPT_INVALIDATE, 0x3b8d);
	cr_assert_eq(IOFD_FAULT_QUEUE_ALLOC, 0x3b8e);
	cr_assert_eq(IOFD_TEST_CMD, 0x3ba0);
	cr_assert_eq(VFIO_CDEV_BIND_IOMMUFD, 0x3b76);
	cr_assert_eq(VFIO_CDEV_ATTACH_IOMMUFD_PT, 0x3b77);
	cr_assert_eq(VFIO_CDEV_DETACH_IOMMUFD_PT, 0x3b78);
}
