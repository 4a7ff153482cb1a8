// SPDX-License-Identifier: GPL-2.0
/*
 * uapi-layout: vsva's own UAPI definitions against the lab kernel.
 *
 * At build time (tests/conformance/conformance.mk) this file is compiled
 * against the kernel's headers_install output (and iommufd_test.h from its
 * source, when present): every size, offset and constant of
 * tests/conformance/uapi-checks.h is a static assertion, so the program
 * exists only if they all hold.  At run time, in L1, it checks that the
 * running kernel is the one those headers came from (major.minor), walks
 * the same table again, and asks /dev/iommu about every ioctl number vsva
 * uses: a zero-sized command must fail with EINVAL (size below the
 * minimum), never ENOTTY (unknown ioctl); a command one u64 longer than
 * ours with a non-zero tail must fail with E2BIG (the kernel's struct is
 * no longer than ours).
 *
 * Prints `uapi-layout: PASS (...)` or `FAIL ...` lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/version.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#ifdef VSVA_UAPI_KTEST
#include "iommufd_test.h"
#endif

#include "tests/conformance/uapi-checks.h"

UAPI_PRQ_ENUMS;

#include <vsva/prq.h>
#include <vsva/uapi/iommufd.h>
#include <vsva/uapi/iommufd-test.h>
#include <vsva/uapi/vfio-cdev.h>

UAPI_CHECKS_ALL(UAPI_S_ASSERT, UAPI_F_ASSERT, UAPI_K_ASSERT)

static const struct uapi_check rows[] = {
	UAPI_CHECKS_ALL(UAPI_S_ROW, UAPI_F_ROW, UAPI_K_ROW)
};

struct probe {
	const char *name;
	unsigned long nr;
	size_t size;		/* sizeof our struct */
};

static const struct probe probes[] = {
	{ "IOMMU_DESTROY", IOFD_DESTROY, sizeof(struct iofd_destroy) },
	{ "IOMMU_IOAS_ALLOC", IOFD_IOAS_ALLOC, sizeof(struct iofd_ioas_alloc) },
	{ "IOMMU_IOAS_IOVA_RANGES", IOFD_IOAS_IOVA_RANGES,
	  sizeof(struct iofd_ioas_iova_ranges) },
	{ "IOMMU_IOAS_MAP", IOFD_IOAS_MAP, sizeof(struct iofd_ioas_map) },
	{ "IOMMU_IOAS_UNMAP", IOFD_IOAS_UNMAP, sizeof(struct iofd_ioas_unmap) },
	{ "IOMMU_HWPT_ALLOC", IOFD_HWPT_ALLOC, sizeof(struct iofd_hwpt_alloc) },
	{ "IOMMU_GET_HW_INFO", IOFD_GET_HW_INFO, sizeof(struct iofd_hw_info) },
	{ "IOMMU_HWPT_INVALIDATE", IOFD_HWPT_INVALIDATE,
	  sizeof(struct iofd_hwpt_invalidate) },
	{ "IOMMU_FAULT_QUEUE_ALLOC", IOFD_FAULT_QUEUE_ALLOC,
	  sizeof(struct iofd_fault_alloc) },
	{ "IOMMU_TEST_CMD", IOFD_TEST_CMD, sizeof(struct iofd_test_cmd) },
};

int main(void)
{
	unsigned int kmaj = LINUX_VERSION_CODE >> 16;
	unsigned int kmin = (LINUX_VERSION_CODE >> 8) & 0xff;
	unsigned int rmaj = 0, rmin = 0;
	int bad = 0, fd;
	struct utsname u;

	setvbuf(stdout, NULL, _IOLBF, 0);
	uname(&u);
	sscanf(u.release, "%u.%u", &rmaj, &rmin);
	printf("uapi-layout: %zu checks compiled against Linux %u.%u headers%s; running %s\n",
	       ARRAY_SIZE(rows), kmaj, kmin,
#ifdef VSVA_UAPI_KTEST
	       " and iommufd_test.h",
#else
	       " (no iommufd_test.h: selftest command checked against its documented layout only)",
#endif
	       u.release);
	if (rmaj != kmaj || rmin != kmin) {
		printf("FAIL kernel %s is not the %u.%u the headers came from\n",
		       u.release, kmaj, kmin);
		bad++;
	}
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		if (rows[i].ours != rows[i].theirs) {
			printf("FAIL %s: ours %llu, kernel %llu\n", rows[i].what,
			       rows[i].ours, rows[i].theirs);
			bad++;
		}

	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0) {
		printf("FAIL open /dev/iommu: %s\n", strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		const struct probe *p = &probes[i];
		unsigned char buf[256];
		int ret, err;

		memset(buf, 0, sizeof(buf));
		ret = ioctl(fd, p->nr, buf);	/* size 0 */
		err = ret < 0 ? errno : 0;
		if (err != EINVAL) {
			printf("FAIL %s (0x%lx) with size 0: %s (want EINVAL)\n",
			       p->name, p->nr, err ? strerror(err) : "success");
			bad++;
			continue;
		}
		*(unsigned int *)buf = (unsigned int)(p->size + 8);
		memset(buf + p->size, 0xa5, 8);
		ret = ioctl(fd, p->nr, buf);
		err = ret < 0 ? errno : 0;
		if (err != E2BIG) {
			printf("FAIL %s with %zu bytes and a non-zero tail: %s (want E2BIG)\n",
			       p->name, p->size + 8,
			       err ? strerror(err) : "success");
			bad++;
		}
	}
	close(fd);
	if (bad) {
		printf("uapi-layout: %d problems\n", bad);
		return 1;
	}
	printf("uapi-layout: PASS (%zu layout checks, %zu ioctls known to the running kernel)\n",
	       ARRAY_SIZE(rows), ARRAY_SIZE(probes));
	return 0;
}
