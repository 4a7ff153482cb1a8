// SPDX-License-Identifier: GPL-2.0
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/guest-mem.h>

/* A guest with a fake "high" region: layout by hand, small sizes. */
static struct guest_mem two_regions(u8 *buf)
{
	struct guest_mem m = { .nr_regions = 2, .ram_size = 0x3000 };

	m.regions[0] = (struct guest_mem_region){ 0, 0x2000, buf };
	m.regions[1] = (struct guest_mem_region){ 0x100000, 0x1000, buf + 0x2000 };
	return m;
}

Test(guest_mem, layout_small_has_one_region)
{
	struct guest_mem m;
	u8 *b = (u8 *)(uintptr_t)0x7f0000000000ULL;	/* never dereferenced */

	guest_mem__layout(&m, b, 256ULL << 20);
	cr_assert_eq(m.nr_regions, 1);
	cr_assert_eq(m.regions[0].size, 256ULL << 20);
}

Test(guest_mem, layout_large_splits_around_hole)
{
	struct guest_mem m;
	u8 *b = (u8 *)(uintptr_t)0x7f0000000000ULL;	/* never dereferenced */

	guest_mem__layout(&m, b, 4ULL << 30);
	cr_assert_eq(m.nr_regions, 2);
	cr_assert_eq(m.regions[0].size, GUEST_MMIO_HOLE_START);
	cr_assert_eq(m.regions[1].gpa, GUEST_MMIO_HOLE_END);
	cr_assert_eq(m.regions[1].size, (4ULL << 30) - GUEST_MMIO_HOLE_START);
	cr_assert_eq(m.regions[1].hva, b + GUEST_MMIO_HOLE_START);
}

Test(guest_mem, ptr_bounds)
{
	u8 *buf = calloc(1, 0x3000);
	struct guest_mem m = two_regions(buf);

	cr_assert_eq(guest_mem__ptr(&m, 0, 0x2000), buf);
	cr_assert_eq(guest_mem__ptr(&m, 0x1fff, 1), buf + 0x1fff);
	cr_assert_null(guest_mem__ptr(&m, 0x1fff, 2), "crosses region end");
	cr_assert_null(guest_mem__ptr(&m, 0x2000, 1), "in the gap");
	cr_assert_null(guest_mem__ptr(&m, 0, 0), "zero length");
	cr_assert_null(guest_mem__ptr(&m, ~0ULL, 2), "wraps");
	cr_assert_eq(guest_mem__ptr(&m, 0x100800, 0x800), buf + 0x2800);
	cr_assert_null(guest_mem__ptr(&m, 0x100800, 0x801));
	free(buf);
}

Test(guest_mem, copy_refuses_gaps)
{
	u8 *buf = calloc(1, 0x3000);
	struct guest_mem m = two_regions(buf);
	u8 tmp[16];

	memset(tmp, 0xab, sizeof(tmp));
	cr_assert_eq(guest_mem__write(&m, 0x1ff8, tmp, 8), 0);
	cr_assert_eq(buf[0x1fff], 0xab);
	cr_assert_eq(guest_mem__write(&m, 0x1ff8, tmp, 16), -EFAULT);
	cr_assert_eq(guest_mem__read(&m, 0x5000, tmp, 1), -EFAULT);
	cr_assert_eq(guest_mem__read(&m, ~0ULL - 3, tmp, 8), -EFAULT);
	free(buf);
}

/* A translation that maps page N of the IOVA space to page (N ^ 1). */
static int swap_pages(void *opaque, u64 addr, bool write, u64 *gpa, u64 *contig)
{
	if (addr >= 0x2000)
		return -EFAULT;
	*gpa = (addr ^ 0x1000);
	*contig = 0x1000 - (addr & 0xfff);
	return 0;
}

Test(dma_space, identity_and_translated)
{
	u8 *buf = calloc(1, 0x3000);
	struct guest_mem m = two_regions(buf);
	struct dma_space id = { .mem = &m };
	struct dma_space sw = { .mem = &m, .translate = swap_pages };
	u8 data[32];

	cr_assert_eq(dma_space__ptr(&id, 0x10, 8, false), buf + 0x10);
	cr_assert_eq(dma_space__ptr(&sw, 0x10, 8, false), buf + 0x1010);
	cr_assert_null(dma_space__ptr(&sw, 0xff8, 16, false),
		       "not contiguous after translation");
	memset(data, 0x5a, sizeof(data));
	cr_assert_eq(dma_space__write(&sw, 0xff0, data, 32), 0);
	cr_assert_eq(buf[0x1ff0], 0x5a, "first half at page 1");
	cr_assert_eq(buf[0x000f], 0x5a, "second half at page 0");
	cr_assert_eq(buf[0x0010], 0);
	cr_assert_eq(dma_space__write(&sw, 0x1ff0, data, 32), -EFAULT);
	cr_assert_null(dma_space__ptr(&id, ~0ULL - 1, 4, false));
	free(buf);
}
