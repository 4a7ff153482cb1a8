// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueue: the test plays the driver over a malloc'd guest.
 * Layout: region 0 = [0, 16 MiB) ("low RAM"), region 1 = [32 MiB, +64 KiB)
 * and region 2 = [32 MiB + 64 KiB, +64 KiB): GPA-adjacent to region 1 but
 * not host-adjacent, so a buffer across them must split.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/virtqueue.h>

#define RAM0		(16ULL << 20)
#define R1_GPA		(32ULL << 20)
#define R1_SIZE		0x10000ULL
#define R2_GPA		(R1_GPA + R1_SIZE)

#define DESC		0x1000ULL
#define AVAIL		0x100000ULL
#define USED		0x200000ULL
#define BUF		0x400000ULL	/* data buffers */
#define ITABLE		0x300000ULL	/* indirect tables */

struct drv {
	u8 *ram0, *r1, *r2;
	struct guest_mem gm;
	struct dma_space ds;
	struct virtq vq;
	struct virtq_chain c;
	u16 size;
	u16 avail_idx;
};

static struct drv *d;

static void *gpa(u64 a)
{
	return d->ram0 + a;
}

static struct virtq_desc *desc(u16 i)
{
	return (struct virtq_desc *)gpa(DESC) + i;
}

static struct virtq_avail *avail(void)
{
	return gpa(AVAIL);
}

static struct virtq_used *used(void)
{
	return gpa(USED);
}

static void set_desc(struct virtq_desc *t, u16 i, u64 addr, u32 len,
		     u16 flags, u16 next)
{
	t[i] = (struct virtq_desc){ addr, len, flags, next };
}

static void post(u16 head)
{
	avail()->ring[d->avail_idx % d->size] = head;
	d->avail_idx++;
	avail()->idx = d->avail_idx;
}

static int start(u16 size, bool event_idx, bool indirect)
{
	struct virtq_config cfg = {
		.size = size, .desc_addr = DESC, .avail_addr = AVAIL,
		.used_addr = USED, .event_idx = event_idx,
		.indirect = indirect,
	};

	d->size = size;
	return virtq__init(&d->vq, &d->ds, &cfg);
}

static void setup(void)
{
	d = calloc(1, sizeof(*d));
	d->ram0 = calloc(1, RAM0);
	d->r1 = calloc(1, R1_SIZE);
	d->r2 = calloc(1, R1_SIZE);
	cr_assert(d->ram0 && d->r1 && d->r2);
	d->gm.nr_regions = 3;
	d->gm.regions[0] = (struct guest_mem_region){ 0, RAM0, d->ram0 };
	d->gm.regions[1] = (struct guest_mem_region){ R1_GPA, R1_SIZE, d->r1 };
	d->gm.regions[2] = (struct guest_mem_region){ R2_GPA, R1_SIZE, d->r2 };
	d->gm.ram_size = RAM0 + 2 * R1_SIZE;
	d->ds.mem = &d->gm;
}

static void teardown(void)
{
	free(d->ram0);
	free(d->r1);
	free(d->r2);
	free(d);
}

TestSuite(virtq, .init = setup, .fini = teardown);

/* --- queue configuration --- */

Test(virtq, init_accepts_good_sizes)
{
	cr_assert_eq(start(1, false, false), 0);
	cr_assert_eq(start(256, false, false), 0);
	cr_assert_eq(start(VIRTQ_MAX_SIZE, false, false), 0);
}

Test(virtq, init_rejects_bad_sizes)
{
	cr_assert_eq(start(0, false, false), -EINVAL);
	cr_assert_eq(start(3, false, false), -EINVAL);
	cr_assert_eq(start(100, false, false), -EINVAL);
	cr_assert_eq(start(65535, false, false), -EINVAL);
	cr_assert_null(d->vq.desc, "a refused queue keeps no mapping");
}

Test(virtq, init_rejects_misaligned_rings)
{
	struct virtq_config cfg = {
		.size = 16, .desc_addr = DESC + 8, .avail_addr = AVAIL,
		.used_addr = USED,
	};

	cr_assert_eq(virtq__init(&d->vq, &d->ds, &cfg), -EINVAL);
	cfg.desc_addr = DESC;
	cfg.avail_addr = AVAIL + 1;
	cr_assert_eq(virtq__init(&d->vq, &d->ds, &cfg), -EINVAL);
	cfg.avail_addr = AVAIL + 2;
	cfg.used_addr = USED + 2;
	cr_assert_eq(virtq__init(&d->vq, &d->ds, &cfg), -EINVAL);
	cfg.used_addr = USED + 4;
	cr_assert_eq(virtq__init(&d->vq, &d->ds, &cfg), 0);
}

Test(virtq, init_rejects_rings_outside_ram)
{
	struct virtq_config cfg = {
		.size = 16, .desc_addr = DESC, .avail_addr = AVAIL,
		.used_addr = USED,
	};

	/* used ring straddles the end of region 0 */
	cfg.used_addr = RAM0 - 64;
	cr_assert_eq(virtq__init(&d->vq, &d->ds, &cfg), -EFAULT);
	/* descriptor table in the gap between regions */
	cfg.used_addr = USED;
	cfg.desc_addr = RAM0 + 0x1000;
	cr_assert_eq(virtq__init(&d->vq, &d->ds, &cfg), -EFAULT);
	/* avail ring across the region 1/2 boundary: not one mapping */
	cfg.desc_addr = DESC;
	cfg.avail_addr = R2_GPA - 8;
	cr_assert_eq(virtq__init(&d->vq, &d->ds, &cfg), -EFAULT);
	/* wrapping address */
	cfg.avail_addr = ~0ULL - 7;
	cr_assert_eq(virtq__init(&d->vq, &d->ds, &cfg), -EFAULT);
}

/* --- good chains --- */

Test(virtq, empty_queue_pops_nothing)
{
	cr_assert_eq(start(16, false, false), 0);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), -EAGAIN);
	cr_assert_not(virtq__has_avail(&d->vq));
}

Test(virtq, unconfigured_queue_pops_nothing)
{
	virtq__reset(&d->vq);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), -EIO);
	cr_assert_eq(virtq__push(&d->vq, 0, 0), -EIO);
}

Test(virtq, direct_single_writable)
{
	cr_assert_eq(start(16, false, false), 0);
	set_desc(desc(0), 3, BUF, 64, VIRTQ_DESC_F_WRITE, 0);
	post(3);
	cr_assert(virtq__has_avail(&d->vq));
	cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
	cr_assert_eq(d->c.head, 3);
	cr_assert_eq(d->c.nr_segs, 1);
	cr_assert_eq(d->c.nr_out, 0);
	cr_assert_eq(d->c.nr_in, 1);
	cr_assert_eq(d->c.in_len, 64);
	cr_assert_eq(d->c.seg[0].ptr, gpa(BUF), "copy-free: points into RAM");
	cr_assert(d->c.seg[0].write);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), -EAGAIN);

	cr_assert_eq(virtq__push(&d->vq, 3, 17), 0);
	cr_assert_eq(used()->idx, 1);
	cr_assert_eq(used()->ring[0].id, 3);
	cr_assert_eq(used()->ring[0].len, 17);
	cr_assert_eq(d->vq.stats.popped, 1);
	cr_assert_eq(d->vq.stats.pushed, 1);
}

Test(virtq, direct_mixed_read_write)
{
	static const char req[] = "hello";
	char out[16] = { 0 };

	cr_assert_eq(start(16, false, false), 0);
	memcpy(gpa(BUF), req, 3);
	memcpy(gpa(BUF + 0x100), req + 3, 3);
	set_desc(desc(0), 5, BUF, 3, VIRTQ_DESC_F_NEXT, 9);
	set_desc(desc(0), 9, BUF + 0x100, 3, VIRTQ_DESC_F_NEXT, 2);
	set_desc(desc(0), 2, BUF + 0x200, 100,
		 VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	set_desc(desc(0), 0, BUF + 0x400, 28, VIRTQ_DESC_F_WRITE, 0);
	post(5);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
	cr_assert_eq(d->c.head, 5);
	cr_assert_eq(d->c.nr_segs, 4);
	cr_assert_eq(d->c.nr_out, 2);
	cr_assert_eq(d->c.nr_in, 2);
	cr_assert_eq(d->c.out_len, 6);
	cr_assert_eq(d->c.in_len, 128);
	cr_assert_eq(d->c.seg[1].ptr, gpa(BUF + 0x100));
	cr_assert_eq(d->c.seg[3].ptr, gpa(BUF + 0x400));
	cr_assert_not(d->c.seg[1].write);
	cr_assert(d->c.seg[2].write);

	cr_assert_eq(virtq_chain__read(&d->c, 0, out, sizeof(out)), 6);
	cr_assert_str_eq(out, "hello");
	/* A write across the two writable segments lands in both. */
	memset(out, 'x', sizeof(out));
	cr_assert_eq(virtq_chain__write(&d->c, 98, out, 4), 4);
	cr_assert_eq(((u8 *)gpa(BUF + 0x200))[99], 'x');
	cr_assert_eq(((u8 *)gpa(BUF + 0x400))[1], 'x');
	cr_assert_eq(((u8 *)gpa(BUF + 0x400))[2], 0);
	/* Writes stop at the end of the writable part. */
	cr_assert_eq(virtq_chain__write(&d->c, 120, out, 16), 8);
}

Test(virtq, indirect_chain)
{
	struct virtq_desc *t = gpa(ITABLE);

	cr_assert_eq(start(16, false, true), 0);
	set_desc(t, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	set_desc(t, 2, BUF + 0x1000, 32,
		 VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF + 0x2000, 48, VIRTQ_DESC_F_WRITE, 0);
	set_desc(desc(0), 7, ITABLE, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(7);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
	cr_assert_eq(d->c.head, 7);
	cr_assert_eq(d->c.nr_out, 1);
	cr_assert_eq(d->c.nr_in, 2);
	cr_assert_eq(d->c.out_len, 16);
	cr_assert_eq(d->c.in_len, 80);
	cr_assert_eq(d->c.seg[2].ptr, gpa(BUF + 0x2000));
}

Test(virtq, direct_then_indirect)
{
	struct virtq_desc *t = gpa(ITABLE);

	cr_assert_eq(start(16, false, true), 0);
	set_desc(t, 0, BUF + 0x1000, 8, VIRTQ_DESC_F_WRITE, 0);
	set_desc(desc(0), 0, BUF, 4, VIRTQ_DESC_F_NEXT, 1);
	set_desc(desc(0), 1, ITABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
	cr_assert_eq(d->c.nr_out, 1);
	cr_assert_eq(d->c.nr_in, 1);
}

Test(virtq, chain_of_queue_size_is_fine)
{
	cr_assert_eq(start(4, false, false), 0);
	for (u16 i = 0; i < 4; i++)
		set_desc(desc(0), i, BUF + i * 16, 16,
			 i < 3 ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	post(0);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
	cr_assert_eq(d->c.out_len, 64);
	/* Adjacent descriptors stay separate segments (one per buffer). */
	cr_assert_eq(d->c.nr_segs, 4);
}

Test(virtq, zero_length_descriptor_is_skipped)
{
	cr_assert_eq(start(4, false, false), 0);
	set_desc(desc(0), 0, ~0ULL, 0, VIRTQ_DESC_F_NEXT, 1);
	set_desc(desc(0), 1, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
	cr_assert_eq(d->c.nr_segs, 1);
}

Test(virtq, buffer_across_adjacent_regions_splits)
{
	cr_assert_eq(start(4, false, false), 0);
	set_desc(desc(0), 0, R2_GPA - 0x10, 0x30, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
	cr_assert_eq(d->c.nr_segs, 2);
	cr_assert_eq(d->c.seg[0].ptr, d->r1 + R1_SIZE - 0x10);
	cr_assert_eq(d->c.seg[0].len, 0x10);
	cr_assert_eq(d->c.seg[1].ptr, d->r2);
	cr_assert_eq(d->c.seg[1].len, 0x20);
	cr_assert_eq(d->c.in_len, 0x30);
}

/* IOVA page n -> GPA page n ^ 1 (pages swapped in pairs), 4 KiB at a time;
 * IOVAs from 8 MiB up are not mapped. */
#define IOVA_END	0x800000ULL

static int swap_translate(void *opaque, u64 addr, bool write, u64 *g,
			  u64 *contig)
{
	if (addr >= IOVA_END)
		return -EFAULT;
	*g = (addr ^ 0x1000);
	*contig = 0x1000 - (addr & 0xfff);
	return 0;
}

/* Identity, but one page at a time: pieces are host-contiguous. */
static int page_translate(void *opaque, u64 addr, bool write, u64 *g,
			  u64 *contig)
{
	*g = addr;
	*contig = 0x1000 - (addr & 0xfff);
	return 0;
}

Test(virtq, translated_buffer_splits_per_page)
{
	cr_assert_eq(start(4, false, false), 0);
	d->ds.translate = swap_translate;
	set_desc(desc(0), 0, BUF + 0x800, 0x2000, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
	cr_assert_eq(d->c.nr_segs, 3);
	cr_assert_eq(d->c.seg[0].ptr, gpa(BUF + 0x1800));
	cr_assert_eq(d->c.seg[0].len, 0x800);
	cr_assert_eq(d->c.seg[1].ptr, gpa(BUF));
	cr_assert_eq(d->c.seg[1].len, 0x1000);
	cr_assert_eq(d->c.seg[2].ptr, gpa(BUF + 0x3000));
	cr_assert_eq(d->c.seg[2].len, 0x800);
}

Test(virtq, translated_contiguous_pages_merge)
{
	cr_assert_eq(start(4, false, false), 0);
	d->ds.translate = page_translate;
	set_desc(desc(0), 0, BUF + 0x800, 0x3000, 0, 0);
	post(0);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
	cr_assert_eq(d->c.nr_segs, 1);
	cr_assert_eq(d->c.seg[0].len, 0x3000);
}

Test(virtq, translation_fault_refuses_chain)
{
	cr_assert_eq(start(4, false, false), 0);
	d->ds.translate = swap_translate;
	/* first page translates, the second faults */
	set_desc(desc(0), 0, IOVA_END - 0x800, 0x1000, 0, 0);
	post(0);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), -EFAULT);
	cr_assert_eq(d->vq.stats.bad_addr, 1);
}

/* --- hostile chains --- */

/* Pop expecting refusal @err, then check the chain is returned with 0. */
static void expect_refused(int err, u16 head)
{
	u16 used_before = used()->idx;

	cr_assert_eq(virtq__pop(&d->vq, &d->c), err);
	cr_assert_eq(d->c.head, head);
	cr_assert_eq(d->c.nr_segs, 0);
	cr_assert_eq(d->vq.stats.bad_chains, 1);
	cr_assert_eq(d->vq.stats.popped, 0);
	cr_assert_eq(virtq__push(&d->vq, d->c.head, 0), 0);
	cr_assert_eq(used()->idx, (u16)(used_before + 1));
	cr_assert_eq(used()->ring[used_before % d->size].id, head);
	cr_assert_eq(used()->ring[used_before % d->size].len, 0);
}

Test(virtq, head_index_out_of_range)
{
	cr_assert_eq(start(8, false, false), 0);
	post(8);
	expect_refused(-EINVAL, 8);
	cr_assert_eq(d->vq.stats.bad_index, 1);
}

Test(virtq, next_index_out_of_range)
{
	cr_assert_eq(start(8, false, false), 0);
	set_desc(desc(0), 1, BUF, 8, VIRTQ_DESC_F_NEXT, 200);
	post(1);
	expect_refused(-EINVAL, 1);
	cr_assert_eq(d->vq.stats.bad_index, 1);
}

Test(virtq, loop_is_refused)
{
	cr_assert_eq(start(8, false, false), 0);
	set_desc(desc(0), 0, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(desc(0), 1, BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	post(0);
	expect_refused(-ELOOP, 0);
	cr_assert_eq(d->vq.stats.bad_loop, 1);
}

Test(virtq, self_loop_is_refused)
{
	cr_assert_eq(start(8, false, false), 0);
	set_desc(desc(0), 4, BUF, 8, VIRTQ_DESC_F_NEXT, 4);
	post(4);
	expect_refused(-ELOOP, 4);
}

Test(virtq, loop_inside_indirect_is_refused)
{
	struct virtq_desc *t = gpa(ITABLE);

	cr_assert_eq(start(8, false, true), 0);
	set_desc(t, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	set_desc(desc(0), 0, ITABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_refused(-ELOOP, 0);
}

Test(virtq, indirect_next_out_of_table)
{
	struct virtq_desc *t = gpa(ITABLE);

	cr_assert_eq(start(8, false, true), 0);
	set_desc(t, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 2);	/* table has 2 */
	set_desc(desc(0), 0, ITABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_refused(-EINVAL, 0);
	cr_assert_eq(d->vq.stats.bad_index, 1);
}

Test(virtq, too_many_segments)
{
	cr_assert_eq(start(2048, false, false), 0);
	for (u16 i = 0; i < VIRTQ_MAX_SEGS + 1; i++)
		set_desc(desc(0), i, BUF + 16 * i, 1, VIRTQ_DESC_F_NEXT, i + 1);
	set_desc(desc(0), VIRTQ_MAX_SEGS, BUF, 1, 0, 0);
	post(0);
	expect_refused(-E2BIG, 0);
	cr_assert_eq(d->vq.stats.too_many_segs, 1);
}

Test(virtq, indirect_not_negotiated)
{
	cr_assert_eq(start(8, false, false), 0);
	set_desc((struct virtq_desc *)gpa(ITABLE), 0, BUF, 8, 0, 0);
	set_desc(desc(0), 0, ITABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_refused(-EINVAL, 0);
	cr_assert_eq(d->vq.stats.bad_indirect, 1);
}

Test(virtq, indirect_inside_indirect)
{
	struct virtq_desc *t = gpa(ITABLE);

	cr_assert_eq(start(8, false, true), 0);
	set_desc(t, 0, ITABLE + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	set_desc((struct virtq_desc *)gpa(ITABLE + 0x100), 0, BUF, 8, 0, 0);
	set_desc(desc(0), 0, ITABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_refused(-EINVAL, 0);
	cr_assert_eq(d->vq.stats.bad_indirect, 1);
}

Test(virtq, indirect_len_not_multiple_of_16)
{
	cr_assert_eq(start(8, false, true), 0);
	set_desc((struct virtq_desc *)gpa(ITABLE), 0, BUF, 8, 0, 0);
	set_desc(desc(0), 0, ITABLE, 24, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_refused(-EINVAL, 0);
	cr_assert_eq(d->vq.stats.bad_indirect, 1);
}

Test(virtq, indirect_len_zero)
{
	cr_assert_eq(start(8, false, true), 0);
	set_desc(desc(0), 0, ITABLE, 0, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_refused(-EINVAL, 0);
}

Test(virtq, indirect_with_next)
{
	cr_assert_eq(start(8, false, true), 0);
	set_desc((struct virtq_desc *)gpa(ITABLE), 0, BUF, 8, 0, 0);
	set_desc(desc(0), 0, ITABLE, 16,
		 VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	set_desc(desc(0), 1, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	expect_refused(-EINVAL, 0);
	cr_assert_eq(d->vq.stats.bad_indirect, 1);
}

Test(virtq, indirect_table_outside_ram)
{
	cr_assert_eq(start(8, false, true), 0);
	set_desc(desc(0), 0, RAM0 - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	/* entry 0 is in RAM and chains to entry 1, which is not */
	set_desc((struct virtq_desc *)gpa(RAM0 - 16), 0, BUF, 8,
		 VIRTQ_DESC_F_NEXT, 1);
	post(0);
	expect_refused(-EFAULT, 0);
	cr_assert_eq(d->vq.stats.bad_addr, 1);
}

Test(virtq, indirect_table_wraps)
{
	cr_assert_eq(start(8, false, true), 0);
	set_desc(desc(0), 0, ~0ULL - 15, 32, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_refused(-EFAULT, 0);
}

Test(virtq, buffer_outside_ram)
{
	cr_assert_eq(start(8, false, false), 0);
	set_desc(desc(0), 0, RAM0 + 0x1000, 8, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	expect_refused(-EFAULT, 0);
	cr_assert_eq(d->vq.stats.bad_addr, 1);
}

Test(virtq, buffer_straddles_end_of_region)
{
	cr_assert_eq(start(8, false, false), 0);
	set_desc(desc(0), 0, RAM0 - 8, 16, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	expect_refused(-EFAULT, 0);
	cr_assert_eq(d->vq.stats.bad_addr, 1);
}

Test(virtq, buffer_address_wraps)
{
	cr_assert_eq(start(8, false, false), 0);
	set_desc(desc(0), 0, ~0ULL - 7, 32, 0, 0);
	post(0);
	expect_refused(-EFAULT, 0);
}

Test(virtq, readable_after_writable)
{
	cr_assert_eq(start(8, false, false), 0);
	set_desc(desc(0), 0, BUF, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(desc(0), 1, BUF + 8, 8, 0, 0);
	post(0);
	expect_refused(-EINVAL, 0);
	cr_assert_eq(d->vq.stats.bad_order, 1);
}

Test(virtq, readable_after_writable_in_indirect)
{
	struct virtq_desc *t = gpa(ITABLE);

	cr_assert_eq(start(8, false, true), 0);
	set_desc(desc(0), 0, BUF, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
		 1);
	set_desc(desc(0), 1, ITABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	set_desc(t, 0, BUF + 8, 8, 0, 0);
	post(0);
	expect_refused(-EINVAL, 0);
	cr_assert_eq(d->vq.stats.bad_order, 1);
}

Test(virtq, total_length_overflow)
{
	const u32 big = 0xf00000;	/* 15 MiB, inside region 0 */

	/* 274 * 15 MiB > 4 GiB: overflow before the 1024-segment limit. */
	cr_assert_eq(start(512, false, false), 0);
	for (u16 i = 0; i < 300; i++)
		set_desc(desc(0), i, 0, big,
			 VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, i + 1);
	set_desc(desc(0), 299, 0, big, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	expect_refused(-EOVERFLOW, 0);
	cr_assert_eq(d->vq.stats.bad_len, 1);
}

Test(virtq, avail_idx_jump_breaks_queue)
{
	cr_assert_eq(start(8, false, false), 0);
	set_desc(desc(0), 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	avail()->idx = 9;	/* 9 new entries in an 8-entry ring */
	cr_assert_eq(virtq__pop(&d->vq, &d->c), -EIO);
	cr_assert(d->vq.broken);
	cr_assert_eq(d->vq.stats.bad_avail_idx, 1);
	/* Stays broken even if the driver repairs the index. */
	avail()->idx = 1;
	cr_assert_eq(virtq__pop(&d->vq, &d->c), -EIO);
	cr_assert_not(virtq__has_avail(&d->vq));
}

Test(virtq, avail_idx_exactly_size_is_fine)
{
	cr_assert_eq(start(8, false, false), 0);
	for (u16 i = 0; i < 8; i++) {
		set_desc(desc(0), i, BUF + 64 * i, 8, VIRTQ_DESC_F_WRITE, 0);
		post(i);
	}
	for (u16 i = 0; i < 8; i++) {
		cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
		cr_assert_eq(d->c.head, i);
	}
	cr_assert_eq(virtq__pop(&d->vq, &d->c), -EAGAIN);
}

Test(virtq, bad_chain_then_good_chain)
{
	cr_assert_eq(start(8, false, false), 0);
	set_desc(desc(0), 0, RAM0, 8, VIRTQ_DESC_F_WRITE, 0);	/* bad */
	set_desc(desc(0), 1, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	post(1);
	expect_refused(-EFAULT, 0);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
	cr_assert_eq(d->c.head, 1);
	cr_assert_eq(virtq__push(&d->vq, 1, 8), 0);
	cr_assert_eq(used()->idx, 2);
	cr_assert_eq(used()->ring[1].id, 1);
	cr_assert_eq(used()->ring[1].len, 8);
}

Test(virtq, push_without_pop_is_refused)
{
	cr_assert_eq(start(8, false, false), 0);
	cr_assert_eq(virtq__push(&d->vq, 0, 0), -EINVAL);
	cr_assert_eq(used()->idx, 0);
	cr_assert_eq(d->vq.stats.bad_push, 1);
	/* one pop, one push: the second push is refused */
	set_desc(desc(0), 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
	cr_assert_eq(virtq__push(&d->vq, 0, 8), 0);
	cr_assert_eq(virtq__push(&d->vq, 0, 8), -EINVAL);
	cr_assert_eq(used()->idx, 1);
	cr_assert_eq(d->vq.stats.bad_push, 2);
}

Test(virtq, used_ring_wraps)
{
	cr_assert_eq(start(4, false, false), 0);
	set_desc(desc(0), 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	for (int i = 0; i < 10; i++) {
		post(0);
		cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
		cr_assert_eq(virtq__push(&d->vq, 0, i), 0);
		cr_assert_eq(used()->ring[i % 4].len, (u32)i);
	}
	cr_assert_eq(used()->idx, 10);
}

/* --- notification suppression --- */

static void one_round_trip(void)
{
	post(0);
	cr_assert_eq(virtq__pop(&d->vq, &d->c), 0);
	cr_assert_eq(virtq__push(&d->vq, 0, 1), 0);
}

static u16 *used_event(void)
{
	return &avail()->ring[d->size];
}

static u16 *avail_event(void)
{
	return (u16 *)&used()->ring[d->size];
}

Test(virtq, no_interrupt_flag_without_event_idx)
{
	cr_assert_eq(start(8, false, false), 0);
	set_desc(desc(0), 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	one_round_trip();
	cr_assert(virtq__should_notify(&d->vq));
	avail()->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	one_round_trip();
	cr_assert_not(virtq__should_notify(&d->vq));
}

Test(virtq, event_idx_used_event)
{
	cr_assert_eq(start(8, true, false), 0);
	set_desc(desc(0), 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	/* The no-interrupt flag means nothing with EVENT_IDX. */
	avail()->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;

	one_round_trip();			/* used 1 */
	cr_assert(virtq__should_notify(&d->vq), "first decision notifies");

	*used_event() = 1;			/* wants the entry at idx 1 */
	one_round_trip();			/* used 2: crosses 1 -> 2 */
	cr_assert(virtq__should_notify(&d->vq));
	one_round_trip();			/* used 3, event still 1 */
	cr_assert_not(virtq__should_notify(&d->vq));

	*used_event() = 4;			/* notify when used passes 4 */
	one_round_trip();			/* used 4 */
	cr_assert_not(virtq__should_notify(&d->vq));
	one_round_trip();			/* used 5 */
	cr_assert(virtq__should_notify(&d->vq));

	/* Batch: several pushes, one decision covering the event. */
	*used_event() = 6;
	one_round_trip();			/* 6 */
	one_round_trip();			/* 7: crossed 6 -> 7 */
	one_round_trip();			/* 8 */
	cr_assert(virtq__should_notify(&d->vq));
	cr_assert_not(virtq__should_notify(&d->vq), "nothing new pushed");
}

Test(virtq, event_idx_wraps_u16)
{
	cr_assert_eq(start(8, true, false), 0);
	set_desc(desc(0), 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	/* Start both indices near the 16-bit wrap. */
	used()->idx = 0xfffe;
	d->avail_idx = 0xfffe;
	avail()->idx = 0xfffe;
	cr_assert_eq(start(8, true, false), 0);
	cr_assert_eq(d->vq.used_idx, 0xfffe);
	one_round_trip();			/* used 0xffff */
	cr_assert(virtq__should_notify(&d->vq));
	*used_event() = 0xffff;
	one_round_trip();			/* used 0x0000: crossed */
	cr_assert(virtq__should_notify(&d->vq));
	one_round_trip();			/* used 1 */
	cr_assert_not(virtq__should_notify(&d->vq));
}

Test(virtq, enable_notify_publishes_avail_event)
{
	cr_assert_eq(start(8, true, false), 0);
	set_desc(desc(0), 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	one_round_trip();
	one_round_trip();
	cr_assert_not(virtq__enable_notify(&d->vq));
	cr_assert_eq(*avail_event(), 2);
	post(0);
	cr_assert(virtq__enable_notify(&d->vq), "a chain arrived meanwhile");
}

Test(virtq, notify_flags_without_event_idx)
{
	cr_assert_eq(start(8, false, false), 0);
	virtq__disable_notify(&d->vq);
	cr_assert_eq(used()->flags, VIRTQ_USED_F_NO_NOTIFY);
	cr_assert_not(virtq__enable_notify(&d->vq));
	cr_assert_eq(used()->flags, 0);
}
