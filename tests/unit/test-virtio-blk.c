// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk.  Suite blk_parse: the test plays the driver over a malloc'd
 * guest, pops each chain through the real virtqueue and checks what
 * virtio_blk__parse() makes of it (good requests of every type, and
 * hostile ones).  Suite blk_dev: the whole device behind the virtio-pci
 * transport on a temporary image file, with real io_uring I/O; the test
 * reaps completions itself (no event loop).  Suite blk_args: --disk.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vsva/log.h>
#include <vsva/msix.h>
#include <vsva/run.h>
#include <vsva/virtio-blk.h>
#include <vsva/virtio-pci.h>

#define RAM		(4ULL << 20)
#define DESC		0x10000ULL
#define AVAIL		0x20000ULL
#define USED		0x30000ULL
#define HDR		0x40000ULL	/* headers, 64 bytes apart */
#define STATUS		0x50000ULL	/* status bytes, 1 apart */
#define DATA		0x100000ULL	/* data buffers */

#define CAPACITY	1000ULL		/* sectors, blk_parse */

static u8 *ram;
static struct guest_mem gm;
static struct dma_space ds;

static void ram_setup(void)
{
	log_level = LOG_ERR;
	ram = calloc(1, RAM);
	cr_assert(ram);
	gm = (struct guest_mem){ .nr_regions = 1, .ram_size = RAM };
	gm.regions[0] = (struct guest_mem_region){ 0, RAM, ram };
	ds = (struct dma_space){ .mem = &gm };
}

struct seg {
	u64 addr;
	u32 len;
	bool write;
};

static void put_hdr(u64 gpa, u32 type, u64 sector)
{
	struct virtio_blk_outhdr h = { .type = type, .sector = sector };

	memcpy(ram + gpa, &h, sizeof(h));
}

static void put_range(u64 gpa, u64 sector, u32 n, u32 flags)
{
	struct virtio_blk_range r = { sector, n, flags };

	memcpy(ram + gpa, &r, sizeof(r));
}

/* ===================== blk_parse: the pure parser ===================== */

static struct virtq pvq;
static struct virtq_chain pc;
static struct blk_req req;
static struct iovec iov[VIRTQ_MAX_SEGS];
static struct blk_limits lim;
static u16 p_avail;

static void parse_setup(void)
{
	struct virtq_config cfg = {
		.size = 16, .desc_addr = DESC, .avail_addr = AVAIL,
		.used_addr = USED,
	};

	ram_setup();
	cr_assert_eq(virtq__init(&pvq, &ds, &cfg), 0);
	p_avail = 0;
	lim = (struct blk_limits){ .capacity = CAPACITY, .discard = true,
				   .write_zeroes = true };
	memset(&req, 0x5a, sizeof(req));	/* parse must set it all */
	req.iov = iov;
}

static void parse_teardown(void)
{
	free(ram);
}

/* Post @n descriptors as one chain, pop it and parse it. */
static void parse(const struct seg *s, int n)
{
	struct virtq_desc *d = (struct virtq_desc *)(ram + DESC);
	struct virtq_avail *a = (struct virtq_avail *)(ram + AVAIL);

	for (int i = 0; i < n; i++)
		d[i] = (struct virtq_desc){
			s[i].addr, s[i].len,
			(u16)((i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
			      (s[i].write ? VIRTQ_DESC_F_WRITE : 0)),
			(u16)(i + 1) };
	a->ring[p_avail % 16] = 0;
	a->idx = ++p_avail;
	cr_assert_eq(virtq__pop(&pvq, &pc), 0);
	req.iov = iov;
	virtio_blk__parse(&lim, &pc, &req);
}

static void assert_status(u8 status, enum blk_err err)
{
	cr_assert_eq(req.op, BLK_OP_STATUS, "op %d", req.op);
	cr_assert_eq(req.status, status, "status %u", req.status);
	cr_assert_eq(req.err, err, "err %s, want %s",
		     virtio_blk__err_name(req.err), virtio_blk__err_name(err));
	cr_assert_eq(req.status_ptr, ram + STATUS, "status at the last byte");
}

TestSuite(blk_parse, .init = parse_setup, .fini = parse_teardown);

Test(blk_parse, read)
{
	struct seg s[] = { { HDR, 16, false }, { DATA, 1024, true },
			   { STATUS, 1, true } };

	put_hdr(HDR, VIRTIO_BLK_T_IN, 7);
	parse(s, 3);
	cr_assert_eq(req.op, BLK_OP_READ);
	cr_assert_eq(req.err, BLK_ERR_NONE);
	cr_assert_eq(req.offset, 7 * 512);
	cr_assert_eq(req.len, 1024);
	cr_assert_eq(req.nr_iov, 1);
	cr_assert_eq(req.iov[0].iov_base, ram + DATA);
	cr_assert_eq(req.iov[0].iov_len, 1024);
	cr_assert_eq(req.status_ptr, ram + STATUS);
	cr_assert_eq(virtio_blk__used_len(&req, VIRTIO_BLK_S_OK), 1025);
	cr_assert_eq(virtio_blk__used_len(&req, VIRTIO_BLK_S_IOERR), 0,
		     "a failed read wrote only the status, at the end");
}

Test(blk_parse, read_status_shares_the_data_descriptor)
{
	/* Two data descriptors, the last one also carrying the status. */
	struct seg s[] = { { HDR, 16, false }, { DATA, 512, true },
			   { DATA + 0x1000, 513, true } };

	put_hdr(HDR, VIRTIO_BLK_T_IN, 0);
	parse(s, 3);
	cr_assert_eq(req.op, BLK_OP_READ);
	cr_assert_eq(req.len, 1024);
	cr_assert_eq(req.nr_iov, 2);
	cr_assert_eq(req.iov[1].iov_base, ram + DATA + 0x1000);
	cr_assert_eq(req.iov[1].iov_len, 512, "the status byte is not data");
	cr_assert_eq(req.status_ptr, ram + DATA + 0x1000 + 512);
}

Test(blk_parse, write_with_header_and_data_in_one_descriptor)
{
	struct seg s[] = { { HDR, 16 + 512, false }, { STATUS, 1, true } };

	put_hdr(HDR, VIRTIO_BLK_T_OUT, CAPACITY - 1);
	parse(s, 2);
	cr_assert_eq(req.op, BLK_OP_WRITE);
	cr_assert_eq(req.offset, (CAPACITY - 1) * 512, "last sector is fine");
	cr_assert_eq(req.len, 512);
	cr_assert_eq(req.nr_iov, 1);
	cr_assert_eq(req.iov[0].iov_base, ram + HDR + 16, "header skipped");
	cr_assert_eq(virtio_blk__used_len(&req, VIRTIO_BLK_S_OK), 1);
}

Test(blk_parse, write)
{
	struct seg s[] = { { HDR, 16, false }, { DATA, 4096, false },
			   { DATA + 8192, 512, false }, { STATUS, 1, true } };

	put_hdr(HDR, VIRTIO_BLK_T_OUT, 3);
	parse(s, 4);
	cr_assert_eq(req.op, BLK_OP_WRITE);
	cr_assert_eq(req.len, 4608);
	cr_assert_eq(req.nr_iov, 2);
	cr_assert_eq(req.iov[0].iov_base, ram + DATA);
	cr_assert_eq(req.iov[1].iov_base, ram + DATA + 8192);
	cr_assert_eq(req.status_ptr, ram + STATUS);
}

Test(blk_parse, flush)
{
	struct seg s[] = { { HDR, 16, false }, { STATUS, 1, true } };

	put_hdr(HDR, VIRTIO_BLK_T_FLUSH, 0);
	parse(s, 2);
	cr_assert_eq(req.op, BLK_OP_FLUSH);
	cr_assert_eq(req.status_ptr, ram + STATUS);
}

Test(blk_parse, get_id)
{
	struct seg s[] = { { HDR, 16, false }, { DATA, 20, true },
			   { STATUS, 1, true } };

	memset(ram + DATA, 0xff, 20);
	put_hdr(HDR, VIRTIO_BLK_T_GET_ID, 0);
	parse(s, 3);
	cr_assert_eq(req.op, BLK_OP_GET_ID);
	cr_assert_eq(req.len, 20);
	virtio_blk__write_id(&req, "disk-7");
	cr_assert_arr_eq(ram + DATA, "disk-7\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20,
			 "NUL padded");
	virtio_blk__write_id(&req, "0123456789abcdefghijKLMN");
	cr_assert_arr_eq(ram + DATA, "0123456789abcdefghij", 20,
			 "20 bytes, no terminator");
	cr_assert_eq(ram[STATUS - 0], 0, "status untouched by the id");
	cr_assert_eq(virtio_blk__used_len(&req, VIRTIO_BLK_S_OK), 21);
}

Test(blk_parse, get_id_buffer_too_small)
{
	struct seg s[] = { { HDR, 16, false }, { DATA, 19, true },
			   { STATUS, 1, true } };

	put_hdr(HDR, VIRTIO_BLK_T_GET_ID, 0);
	parse(s, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_ID_LENGTH);
}

Test(blk_parse, discard_and_write_zeroes)
{
	struct seg s[] = { { HDR, 16, false }, { DATA, 32, false },
			   { STATUS, 1, true } };

	put_hdr(HDR, VIRTIO_BLK_T_DISCARD, 0);
	put_range(DATA, 10, 8, 0);
	put_range(DATA + 16, CAPACITY - 2, 2, 0);
	parse(s, 3);
	cr_assert_eq(req.op, BLK_OP_DISCARD);
	cr_assert_eq(req.nr_ext, 2);
	cr_assert_eq(req.ext[0].offset, 10 * 512);
	cr_assert_eq(req.ext[0].len, 8 * 512);
	cr_assert_eq(req.ext[1].offset, (CAPACITY - 2) * 512);
	cr_assert_eq(req.ext[1].len, 1024);

	put_hdr(HDR, VIRTIO_BLK_T_WRITE_ZEROES, 0);
	put_range(DATA, 0, 1, VIRTIO_BLK_RANGE_F_UNMAP);
	put_range(DATA + 16, 5, 3, 0);
	parse(s, 3);
	cr_assert_eq(req.op, BLK_OP_WRITE_ZEROES);
	cr_assert_eq(req.nr_ext, 2);
	cr_assert(req.ext[0].unmap);
	cr_assert_not(req.ext[1].unmap);
	cr_assert_eq(req.ext[1].offset, 5 * 512);
}

Test(blk_parse, range_list_read_across_descriptors)
{
	/* A range split over two descriptors still reads whole. */
	struct seg s[] = { { HDR, 16 + 8, false }, { DATA, 8, false },
			   { STATUS, 1, true } };
	struct virtio_blk_range r = { 42, 4, 0 };

	put_hdr(HDR, VIRTIO_BLK_T_DISCARD, 0);
	memcpy(ram + HDR + 16, &r, 8);
	memcpy(ram + DATA, (u8 *)&r + 8, 8);
	parse(s, 3);
	cr_assert_eq(req.op, BLK_OP_DISCARD);
	cr_assert_eq(req.ext[0].offset, 42 * 512);
	cr_assert_eq(req.ext[0].len, 4 * 512);
}

/* --- hostile requests --- */

Test(blk_parse, no_status_byte)
{
	struct seg s[] = { { HDR, 16, false }, { DATA, 512, false } };

	put_hdr(HDR, VIRTIO_BLK_T_OUT, 0);
	parse(s, 2);
	cr_assert_eq(req.op, BLK_OP_DROP);
	cr_assert_eq(req.err, BLK_ERR_NO_STATUS);
	cr_assert_null(req.status_ptr);
}

Test(blk_parse, short_header)
{
	struct seg s[] = { { HDR, 8, false }, { STATUS, 1, true } };

	put_hdr(HDR, VIRTIO_BLK_T_IN, 0);
	parse(s, 2);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_SHORT_HEADER);

	/* No readable byte at all: the status is still written. */
	parse((struct seg[]){ { STATUS, 1, true } }, 1);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_SHORT_HEADER);
}

Test(blk_parse, read_with_readable_data)
{
	struct seg s[] = { { HDR, 16, false }, { DATA, 512, false },
			   { STATUS, 1, true } };

	put_hdr(HDR, VIRTIO_BLK_T_IN, 0);
	parse(s, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_DIRECTION);
}

Test(blk_parse, write_with_writable_data)
{
	struct seg s[] = { { HDR, 16, false }, { DATA, 512, true },
			   { STATUS, 1, true } };

	put_hdr(HDR, VIRTIO_BLK_T_OUT, 0);
	parse(s, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_DIRECTION);
	cr_assert_eq(virtio_blk__used_len(&req, VIRTIO_BLK_S_IOERR), 0);
}

Test(blk_parse, flush_with_data)
{
	struct seg s[] = { { HDR, 16, false }, { DATA, 512, true },
			   { STATUS, 1, true } };

	put_hdr(HDR, VIRTIO_BLK_T_FLUSH, 0);
	parse(s, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_DIRECTION);
}

Test(blk_parse, bad_lengths)
{
	struct seg odd[] = { { HDR, 16, false }, { DATA, 100, true },
			     { STATUS, 1, true } };
	struct seg none[] = { { HDR, 16, false }, { STATUS, 1, true } };

	put_hdr(HDR, VIRTIO_BLK_T_IN, 0);
	parse(odd, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_LENGTH);
	parse(none, 2);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_LENGTH);
	put_hdr(HDR, VIRTIO_BLK_T_OUT, 0);
	parse(none, 2);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_LENGTH);
}

Test(blk_parse, sectors_out_of_range)
{
	struct seg s[] = { { HDR, 16, false }, { DATA, 1024, true },
			   { STATUS, 1, true } };
	static const u64 bad[] = {
		CAPACITY - 1,		/* second sector is past the end */
		CAPACITY,
		CAPACITY + 1,
		1ULL << 55,		/* sector * 512 overflows */
		UINT64_MAX,		/* sector + n overflows */
		UINT64_MAX - 1,
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		put_hdr(HDR, VIRTIO_BLK_T_IN, bad[i]);
		parse(s, 3);
		assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_RANGE);
		put_hdr(HDR, VIRTIO_BLK_T_OUT, bad[i]);
		parse((struct seg[]){ { HDR, 16, false },
				      { DATA, 1024, false },
				      { STATUS, 1, true } }, 3);
		assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_RANGE);
	}
	put_hdr(HDR, VIRTIO_BLK_T_IN, CAPACITY - 2);
	parse(s, 3);
	cr_assert_eq(req.op, BLK_OP_READ, "the last two sectors are fine");
}

Test(blk_parse, read_only_refuses_writes)
{
	struct seg w[] = { { HDR, 16, false }, { DATA, 512, false },
			   { STATUS, 1, true } };
	struct seg r[] = { { HDR, 16, false }, { DATA, 512, true },
			   { STATUS, 1, true } };
	struct seg z[] = { { HDR, 16, false }, { DATA, 16, false },
			   { STATUS, 1, true } };

	lim.ro = true;
	put_hdr(HDR, VIRTIO_BLK_T_OUT, 0);
	parse(w, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_READ_ONLY);
	cr_assert_eq(req.nr_iov, 0, "no data to write");

	put_range(DATA, 0, 1, 0);
	put_hdr(HDR, VIRTIO_BLK_T_DISCARD, 0);
	parse(z, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_READ_ONLY);
	put_hdr(HDR, VIRTIO_BLK_T_WRITE_ZEROES, 0);
	parse(z, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_READ_ONLY);

	put_hdr(HDR, VIRTIO_BLK_T_IN, 0);
	parse(r, 3);
	cr_assert_eq(req.op, BLK_OP_READ, "reads still work");
	put_hdr(HDR, VIRTIO_BLK_T_FLUSH, 0);
	parse((struct seg[]){ { HDR, 16, false }, { STATUS, 1, true } }, 2);
	cr_assert_eq(req.op, BLK_OP_FLUSH, "so does FLUSH");
}

Test(blk_parse, unknown_types_unsupported)
{
	static const u32 types[] = { 2, 3, 5, 10, 14, 15, 16, 0x80000000 };
	struct seg s[] = { { HDR, 16, false }, { DATA, 512, true },
			   { STATUS, 1, true } };

	for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
		put_hdr(HDR, types[i], 0);
		parse(s, 3);
		assert_status(VIRTIO_BLK_S_UNSUPP, BLK_ERR_UNSUPPORTED);
	}
}

Test(blk_parse, discard_not_negotiated)
{
	struct seg s[] = { { HDR, 16, false }, { DATA, 16, false },
			   { STATUS, 1, true } };

	put_range(DATA, 0, 1, 0);
	lim.discard = lim.write_zeroes = false;
	put_hdr(HDR, VIRTIO_BLK_T_DISCARD, 0);
	parse(s, 3);
	assert_status(VIRTIO_BLK_S_UNSUPP, BLK_ERR_UNSUPPORTED);
	put_hdr(HDR, VIRTIO_BLK_T_WRITE_ZEROES, 0);
	parse(s, 3);
	assert_status(VIRTIO_BLK_S_UNSUPP, BLK_ERR_UNSUPPORTED);
}

Test(blk_parse, range_flags)
{
	struct seg s[] = { { HDR, 16, false }, { DATA, 32, false },
			   { STATUS, 1, true } };

	put_range(DATA, 0, 1, 0);
	/* Discard with UNMAP: UNSUPP (5.2.6.2), even in a later range. */
	put_hdr(HDR, VIRTIO_BLK_T_DISCARD, 0);
	put_range(DATA + 16, 8, 1, VIRTIO_BLK_RANGE_F_UNMAP);
	parse(s, 3);
	assert_status(VIRTIO_BLK_S_UNSUPP, BLK_ERR_FLAGS);
	/* Reserved flag bits. */
	put_range(DATA + 16, 8, 1, 1U << 7);
	parse(s, 3);
	assert_status(VIRTIO_BLK_S_UNSUPP, BLK_ERR_FLAGS);
	put_hdr(HDR, VIRTIO_BLK_T_WRITE_ZEROES, 0);
	put_range(DATA + 16, 8, 1, VIRTIO_BLK_RANGE_F_UNMAP | 2);
	parse(s, 3);
	assert_status(VIRTIO_BLK_S_UNSUPP, BLK_ERR_FLAGS);
}

Test(blk_parse, range_counts)
{
	struct seg none[] = { { HDR, 16, false }, { STATUS, 1, true } };
	struct seg ragged[] = { { HDR, 16, false }, { DATA, 20, false },
				{ STATUS, 1, true } };
	struct seg many[] = { { HDR, 16, false },
			      { DATA, 16 * (VIRTIO_BLK_MAX_RANGES + 1), false },
			      { STATUS, 1, true } };
	struct seg max[] = { { HDR, 16, false },
			     { DATA, 16 * VIRTIO_BLK_MAX_RANGES, false },
			     { STATUS, 1, true } };
	struct seg wdata[] = { { HDR, 16, false }, { DATA, 16, false },
			       { DATA + 512, 512, true }, { STATUS, 1, true } };

	for (int i = 0; i <= VIRTIO_BLK_MAX_RANGES; i++)
		put_range(DATA + 16 * i, i, 1, 0);
	put_hdr(HDR, VIRTIO_BLK_T_DISCARD, 0);
	parse(none, 2);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_RANGE_COUNT);
	parse(ragged, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_RANGE_COUNT);
	parse(many, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_RANGE_COUNT);
	parse(wdata, 4);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_DIRECTION);
	parse(max, 3);
	cr_assert_eq(req.op, BLK_OP_DISCARD);
	cr_assert_eq(req.nr_ext, VIRTIO_BLK_MAX_RANGES);
	cr_assert_eq(req.ext[31].offset, 31 * 512);
}

Test(blk_parse, range_sizes)
{
	struct seg s[] = { { HDR, 16, false }, { DATA, 16, false },
			   { STATUS, 1, true } };

	put_hdr(HDR, VIRTIO_BLK_T_WRITE_ZEROES, 0);
	put_range(DATA, 0, 0, 0);
	parse(s, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_RANGE_SIZE);
	put_range(DATA, 0, VIRTIO_BLK_MAX_RANGE_SECTORS + 1, 0);
	parse(s, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_RANGE_SIZE);
	put_range(DATA, CAPACITY - 1, 2, 0);
	parse(s, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_RANGE);
	put_range(DATA, UINT64_MAX, 1, 0);
	parse(s, 3);
	assert_status(VIRTIO_BLK_S_IOERR, BLK_ERR_RANGE);
	put_range(DATA, CAPACITY - 1, 1, 0);
	parse(s, 3);
	cr_assert_eq(req.op, BLK_OP_WRITE_ZEROES);
}

Test(blk_parse, config_follows_features)
{
	struct virtio_blk_config cfg;

	memset(&cfg, 0xff, sizeof(cfg));
	virtio_blk__config(&lim, BIT_ULL(VIRTIO_BLK_F_SEG_MAX) |
			   BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) |
			   BIT_ULL(VIRTIO_BLK_F_DISCARD), &cfg);
	cr_assert_eq(cfg.capacity, CAPACITY);
	cr_assert_eq(cfg.seg_max, VIRTIO_BLK_SEG_MAX);
	cr_assert_eq(cfg.blk_size, 512);
	cr_assert_eq(cfg.max_discard_sectors, VIRTIO_BLK_MAX_RANGE_SECTORS);
	cr_assert_eq(cfg.max_discard_seg, VIRTIO_BLK_MAX_RANGES);
	cr_assert_eq(cfg.discard_sector_alignment, VIRTIO_BLK_DISCARD_ALIGN);
	cr_assert_eq(cfg.max_write_zeroes_seg, 0, "not offered");
	cr_assert_eq(cfg.size_max, 0);
	cr_assert_eq(cfg.writeback, 0);
	cr_assert_eq(cfg.unused0, 0);
	cr_assert_eq(cfg.unused1[0] | cfg.unused1[1] | cfg.unused1[2], 0);
}

Test(blk_parse, every_error_has_a_name)
{
	for (int i = 0; i < BLK_NR_ERRS; i++)
		for (int j = i + 1; j < BLK_NR_ERRS; j++)
			cr_assert_str_neq(virtio_blk__err_name(i),
					  virtio_blk__err_name(j));
	cr_assert_str_eq(virtio_blk__err_name(BLK_NR_ERRS), "?");
}

/* ============ blk_dev: the device, transport and io_uring ============ */

#define QSIZE		256
#define SECTORS		64
#define IOVA_BASE	(1ULL << 40)

static struct virtio_device *vdev;
static struct virtio_pci *vp;
static char path[64];
static int img_fd = -1;
static u16 avail_idx, next_desc;
static int raises[2];
static bool xlate;		/* the device sees IOVAs, pages swapped */
static u16 hdr_slot;		/* next header / status slot, request() */

/* IOVA page p is guest-physical page p ^ 1: no two neighbours are
 * neighbours in RAM, so every page crossing splits a buffer. */
static int swap_translate(void *opaque, u64 addr, bool write, u64 *gpa,
			  u64 *contig)
{
	if (addr < IOVA_BASE || addr - IOVA_BASE >= RAM)
		return -EFAULT;
	*gpa = (addr - IOVA_BASE) ^ 0x1000;
	*contig = 0x1000 - (*gpa & 0xfff);
	return 0;
}

/* The bus address of guest buffer @gpa, and where byte @k of a buffer
 * given to the device at bus(@gpa) really lives. */
static u64 bus(u64 gpa)
{
	return xlate ? IOVA_BASE + (gpa ^ 0x1000) : gpa;
}

static u8 *at(u64 gpa, u64 k)
{
	return xlate ? ram + (((gpa ^ 0x1000) + k) ^ 0x1000) : ram + gpa + k;
}

static int rec_install(struct msix *mx, u16 v, u64 addr, u32 data)
{
	return 0;
}

static int rec_raise(struct msix *mx, u16 v, u64 addr, u32 data)
{
	if (v < 2)
		raises[v]++;
	return 0;
}

static const struct msix_irq_ops rec_ops = {
	.install = rec_install,
	.raise = rec_raise,
};

/* A SECTORS-sector image: every byte of sector s is s. */
static void make_image(u64 size)
{
	u8 buf[512];

	strcpy(path, "/tmp/vsva-blk-test-XXXXXX");
	img_fd = mkstemp(path);
	cr_assert_geq(img_fd, 0);
	for (u64 s = 0; s < size / 512; s++) {
		memset(buf, (int)s, sizeof(buf));
		cr_assert_eq(pwrite(img_fd, buf, 512, s * 512), 512);
	}
	cr_assert_eq(ftruncate(img_fd, size), 0);
}

static void dev_teardown(void)
{
	if (vp) {
		virtio_pci__free(vp);
		free(vp);
		vp = NULL;
	}
	virtio_blk__free(vdev);
	vdev = NULL;
	if (img_fd >= 0) {
		close(img_fd);
		unlink(path);
		img_fd = -1;
	}
	free(ram);
}

static u64 bar_rd(u32 off, u32 len)
{
	u64 v = 0;

	pci_dev__bar_access(&vp->pdev, 0, off, (u8 *)&v, len, false);
	return v;
}

static void bar_wr(u32 off, u64 v, u32 len)
{
	pci_dev__bar_access(&vp->pdev, 0, off, (u8 *)&v, len, true);
}

static void set_status(u8 s)
{
	bar_wr(VIRTIO_PCI_STATUS, s, 1);
}

static u64 device_features(void)
{
	bar_wr(VIRTIO_PCI_DFSELECT, 0, 4);
	u64 lo = bar_rd(VIRTIO_PCI_DF, 4);

	bar_wr(VIRTIO_PCI_DFSELECT, 1, 4);
	return lo | bar_rd(VIRTIO_PCI_DF, 4) << 32;
}

/* Open the image, put the device on a transport, bring it up. */
static void start(bool ro, u64 features)
{
	u16 cap;
	int err = 0;

	vdev = virtio_blk__new(path, ro, "test-disk", &err);
	cr_assert_not_null(vdev, "virtio_blk__new: %d", err);
	vdev->dma = ds;
	if (xlate)
		vdev->dma.translate = swap_translate;
	vp = calloc(1, sizeof(*vp));
	cr_assert_eq(virtio_pci__setup(vp, vdev), 0);
	msix__set_irq_ops(vp->pdev.msix, &rec_ops, NULL);

	pci_cfg__write(&vp->pdev, PCI_REG_COMMAND,
		       PCI_CMD_MEM | PCI_CMD_MASTER, 2);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	features &= device_features();
	features |= BIT_ULL(VIRTIO_F_VERSION_1);
	bar_wr(VIRTIO_PCI_GFSELECT, 0, 4);
	bar_wr(VIRTIO_PCI_GF, (u32)features, 4);
	bar_wr(VIRTIO_PCI_GFSELECT, 1, 4);
	bar_wr(VIRTIO_PCI_GF, features >> 32, 4);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		   VIRTIO_STATUS_FEATURES_OK);
	cr_assert(bar_rd(VIRTIO_PCI_STATUS, 1) & VIRTIO_STATUS_FEATURES_OK);

	cap = pci_dev__find_cap(&vp->pdev, PCI_CAPID_MSIX);
	pci_cfg__write(&vp->pdev, cap + 2, MSIX_CTRL_ENABLE, 2);
	for (u16 v = 0; v < 2; v++) {
		bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 * v, 0xfee00000, 4);
		bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 * v + 8, 0x40 + v, 4);
		bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 * v + 12, 0, 4);
	}
	bar_wr(VIRTIO_PCI_Q_SELECT, 0, 2);
	bar_wr(VIRTIO_PCI_Q_SIZE, QSIZE, 2);
	bar_wr(VIRTIO_PCI_Q_DESC, bus(DESC), 8);
	bar_wr(VIRTIO_PCI_Q_DRIVER, bus(AVAIL), 8);
	bar_wr(VIRTIO_PCI_Q_DEVICE, bus(USED), 8);
	bar_wr(VIRTIO_PCI_Q_MSIX, 1, 2);
	bar_wr(VIRTIO_PCI_Q_ENABLE, 1, 2);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_ENABLE, 2), 1);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	avail_idx = next_desc = 0;
	hdr_slot = 0;
	memset(raises, 0, sizeof(raises));
}

static void dev_setup(void)
{
	ram_setup();
	xlate = false;
	make_image(SECTORS * 512);
}

static struct virtq_desc *desc(u16 i)
{
	return (struct virtq_desc *)at(DESC, 0) + i;
}

static struct virtq_avail *avail(void)
{
	return (struct virtq_avail *)at(AVAIL, 0);
}

static struct virtq_used *used(void)
{
	return (struct virtq_used *)at(USED, 0);
}

/* Post a chain (addresses are guest-physical; the device gets bus()). */
static u16 post(const struct seg *s, int n)
{
	u16 head = next_desc;

	for (int i = 0; i < n; i++) {
		u16 idx = (u16)(next_desc + i) % QSIZE;

		*desc(idx) = (struct virtq_desc){
			bus(s[i].addr), s[i].len,
			(u16)((i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
			      (s[i].write ? VIRTQ_DESC_F_WRITE : 0)),
			(u16)((idx + 1) % QSIZE) };
	}
	next_desc = (u16)(next_desc + n) % QSIZE;
	avail()->ring[avail_idx % QSIZE] = head;
	avail()->idx = ++avail_idx;
	return head;
}

static void kick(void)
{
	bar_wr(VIRTIO_PCI_NOTIFY_OFF, 0, 2);
}

/* Reap until @n chains are used (bounded). */
static void wait_used(u16 n)
{
	for (int i = 0; i < 1000 && used()->idx != n; i++)
		virtio_blk__complete(vdev, true);
	cr_assert_eq(used()->idx, n, "used idx %u, want %u", used()->idx, n);
}

/* Post one request: header, data (device-writable if @in), status. */
static u16 request(u32 type, u64 sector, u64 data, u32 len, bool in,
		   u8 *status_slot)
{
	u64 h = HDR + 64 * (hdr_slot % 64);
	u64 st = STATUS + (hdr_slot % 64);
	struct virtio_blk_outhdr hd = { .type = type, .sector = sector };
	struct seg s[3] = { { h, 16, false } };
	int n = 1;

	hdr_slot++;
	memcpy(at(h, 0), &hd, sizeof(hd));
	*at(st, 0) = 0xee;
	if (len)
		s[n++] = (struct seg){ data, len, in };
	s[n++] = (struct seg){ st, 1, true };
	*status_slot = (u8)(st - STATUS);
	return post(s, n);
}

static u8 status_of(u8 slot)
{
	return *at(STATUS + slot, 0);
}

static void file_sector(u64 s, u8 *buf)
{
	cr_assert_eq(pread(img_fd, buf, 512, s * 512), 512);
}

TestSuite(blk_dev, .init = dev_setup, .fini = dev_teardown, .timeout = 30);

#define ALL_FEATURES (BIT_ULL(VIRTIO_BLK_F_SEG_MAX) |			\
		      BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) |			\
		      BIT_ULL(VIRTIO_BLK_F_FLUSH) |			\
		      BIT_ULL(VIRTIO_BLK_F_DISCARD) |			\
		      BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES) |		\
		      BIT_ULL(VIRTIO_BLK_F_RO))

Test(blk_dev, features_and_config)
{
	start(false, ALL_FEATURES);
	cr_assert_eq(device_features() & 0xffffffULL,
		     BIT_ULL(VIRTIO_BLK_F_SEG_MAX) |
		     BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) |
		     BIT_ULL(VIRTIO_BLK_F_FLUSH) |
		     BIT_ULL(VIRTIO_BLK_F_DISCARD) |
		     BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES));
	cr_assert_eq(bar_rd(VIRTIO_PCI_DEVCFG_OFF + 0, 4), SECTORS);
	cr_assert_eq(bar_rd(VIRTIO_PCI_DEVCFG_OFF + 4, 4), 0);
	cr_assert_eq(bar_rd(VIRTIO_PCI_DEVCFG_OFF + 12, 4), VIRTIO_BLK_SEG_MAX);
	cr_assert_eq(bar_rd(VIRTIO_PCI_DEVCFG_OFF + 20, 4), 512);
	cr_assert_eq(bar_rd(VIRTIO_PCI_DEVCFG_OFF + 40, 4),
		     VIRTIO_BLK_MAX_RANGES, "max_discard_seg");
	cr_assert_eq(bar_rd(VIRTIO_PCI_DEVCFG_OFF + 52, 4),
		     VIRTIO_BLK_MAX_RANGES, "max_write_zeroes_seg");
	cr_assert_eq(bar_rd(VIRTIO_PCI_DEVCFG_OFF + 56, 1), 1);
	cr_assert_eq(pci_cfg__get(&vp->pdev, PCI_REG_DEVICE_ID, 2), 0x1042);
}

Test(blk_dev, read_write_flush_get_id)
{
	u8 a, b, c, d, buf[512];

	start(false, ALL_FEATURES);
	memset(ram + DATA, 0, 0x10000);
	request(VIRTIO_BLK_T_IN, 5, DATA, 1024, true, &a);
	memset(ram + DATA + 0x1000, 0xab, 512);
	request(VIRTIO_BLK_T_OUT, 9, DATA + 0x1000, 512, false, &b);
	request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, &c);
	request(VIRTIO_BLK_T_GET_ID, 0, DATA + 0x2000, 20, true, &d);
	kick();
	wait_used(4);
	cr_assert_eq(status_of(a), VIRTIO_BLK_S_OK);
	cr_assert_eq(status_of(b), VIRTIO_BLK_S_OK);
	cr_assert_eq(status_of(c), VIRTIO_BLK_S_OK);
	cr_assert_eq(status_of(d), VIRTIO_BLK_S_OK);
	cr_assert_eq(ram[DATA], 5);
	cr_assert_eq(ram[DATA + 511], 5);
	cr_assert_eq(ram[DATA + 512], 6, "second sector");
	file_sector(9, buf);
	cr_assert_eq(buf[0], 0xab);
	cr_assert_eq(buf[511], 0xab);
	file_sector(8, buf);
	cr_assert_eq(buf[511], 8, "neighbour untouched");
	cr_assert_str_eq((char *)ram + DATA + 0x2000, "test-disk");
	for (u16 i = 0; i < 4; i++) {
		u32 len = used()->ring[i].len;
		u32 id = used()->ring[i].id;

		/* heads were 0, 3, 6, 8 */
		cr_assert_eq(len, id == 0 ? 1025 : id == 8 ? 21 : 1,
			     "head %u len %u", id, len);
	}
	cr_assert_geq(raises[1], 1, "the driver was interrupted");
	cr_assert_eq(virtio_blk__inflight(vdev), 0);
}

Test(blk_dev, hostile_requests_get_statuses)
{
	u8 a, b, c, buf[512];

	start(false, ALL_FEATURES);
	memset(ram + DATA, 0x77, 1024);
	request(VIRTIO_BLK_T_OUT, SECTORS - 1, DATA, 1024, false, &a);
	request(VIRTIO_BLK_T_IN, 0, DATA, 1024, false, &b);	/* wrong way */
	request(42, 0, 0, 0, false, &c);
	kick();
	wait_used(3);
	cr_assert_eq(status_of(a), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(status_of(b), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(status_of(c), VIRTIO_BLK_S_UNSUPP);
	file_sector(SECTORS - 1, buf);
	cr_assert_eq(buf[0], SECTORS - 1, "nothing written");
	cr_assert_eq(virtio_blk__errors(vdev, BLK_ERR_RANGE), 1);
	cr_assert_eq(virtio_blk__errors(vdev, BLK_ERR_DIRECTION), 1);
	cr_assert_eq(virtio_blk__errors(vdev, BLK_ERR_UNSUPPORTED), 1);
}

Test(blk_dev, bad_chains_returned_unwritten)
{
	struct seg outside[] = { { HDR, 16, false }, { RAM - 8, 16, true } };
	struct seg nostatus[] = { { HDR, 16, false }, { DATA, 512, false } };

	start(false, ALL_FEATURES);
	post(outside, 2);
	post(nostatus, 2);
	kick();
	wait_used(2);
	cr_assert_eq(used()->ring[0].len, 0);
	cr_assert_eq(used()->ring[1].len, 0);
	cr_assert_eq(virtio_blk__errors(vdev, BLK_ERR_BAD_CHAIN), 1);
	cr_assert_eq(virtio_blk__errors(vdev, BLK_ERR_NO_STATUS), 1);
}

Test(blk_dev, more_requests_than_slots)
{
	/* 120 reads of one sector each (data and status in one buffer) and
	 * one kick: 64 start at once, the rest as completions free slots. */
	enum { N = 120 };

	start(false, ALL_FEATURES);
	for (int i = 0; i < N; i++) {
		u64 h = HDR + 32 * i, d = DATA + 1024 * i;
		struct seg s[] = { { h, 16, false }, { d, 513, true } };

		put_hdr(h, VIRTIO_BLK_T_IN, (u64)(i % SECTORS));
		ram[d + 512] = 0xee;
		post(s, 2);
	}
	kick();
	wait_used(N);
	for (int i = 0; i < N; i++) {
		u64 d = DATA + 1024 * i;

		cr_assert_eq(ram[d + 512], VIRTIO_BLK_S_OK, "request %d", i);
		cr_assert_eq(ram[d], i % SECTORS);
		cr_assert_eq(ram[d + 511], i % SECTORS);
	}
	cr_assert_eq(virtio_blk__inflight(vdev), 0);
}

/* A DISCARD / WRITE_ZEROES request with one range at @slot. */
static void post_range(int slot, u32 type, u64 sector, u32 n, u32 flags)
{
	u64 h = HDR + 64 * slot, r = DATA + 64 * slot;

	put_hdr(h, type, 0);
	put_range(r, sector, n, flags);
	ram[STATUS + slot] = 0xee;
	post((struct seg[]){ { h, 16, false }, { r, 16, false },
			     { STATUS + slot, 1, true } }, 3);
}

Test(blk_dev, discard_and_write_zeroes)
{
	u8 buf[512];

	start(false, ALL_FEATURES);
	post_range(0, VIRTIO_BLK_T_WRITE_ZEROES, 10, 2, 0);
	post_range(1, VIRTIO_BLK_T_WRITE_ZEROES, 20, 1,
		   VIRTIO_BLK_RANGE_F_UNMAP);
	post_range(2, VIRTIO_BLK_T_DISCARD, 30, 4, 0);
	post_range(3, VIRTIO_BLK_T_DISCARD, 40, 4, VIRTIO_BLK_RANGE_F_UNMAP);
	kick();
	wait_used(4);
	cr_assert_eq(ram[STATUS + 0], VIRTIO_BLK_S_OK, "write zeroes");
	cr_assert_eq(ram[STATUS + 1], VIRTIO_BLK_S_OK, "write zeroes+UNMAP");
	cr_assert_eq(ram[STATUS + 2], VIRTIO_BLK_S_OK, "discard");
	cr_assert_eq(ram[STATUS + 3], VIRTIO_BLK_S_UNSUPP, "discard+UNMAP");
	for (u64 s = 9; s <= 21; s++) {
		bool zero = s == 10 || s == 11 || s == 20;

		file_sector(s, buf);
		cr_assert_eq(buf[0], zero ? 0 : s, "sector %llu",
			     (unsigned long long)s);
		cr_assert_eq(buf[511], zero ? 0 : s);
	}
	file_sector(40, buf);
	cr_assert_eq(buf[0], 40, "refused discard left the data");
	file_sector(34, buf);
	cr_assert_eq(buf[0], 34, "past the discarded range");
}

Test(blk_dev, read_only_disk)
{
	u8 a, b, buf[512];

	cr_assert_eq(fchmod(img_fd, 0444), 0);
	start(true, ALL_FEATURES);
	cr_assert_eq(device_features() & (BIT_ULL(VIRTIO_BLK_F_RO) |
					  BIT_ULL(VIRTIO_BLK_F_DISCARD) |
					  BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES)),
		     BIT_ULL(VIRTIO_BLK_F_RO));
	memset(ram + DATA, 0x99, 512);
	request(VIRTIO_BLK_T_OUT, 3, DATA, 512, false, &a);
	request(VIRTIO_BLK_T_IN, 3, DATA + 0x1000, 512, true, &b);
	kick();
	wait_used(2);
	cr_assert_eq(status_of(a), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(status_of(b), VIRTIO_BLK_S_OK);
	cr_assert_eq(ram[DATA + 0x1000], 3);
	file_sector(3, buf);
	cr_assert_eq(buf[0], 3, "the image is untouched");
	cr_assert_eq(virtio_blk__errors(vdev, BLK_ERR_READ_ONLY), 1);
}

Test(blk_dev, behind_a_translation_that_splits_pages)
{
	u8 a, b, buf[512];
	u64 w = DATA + 0x10800, r = DATA + 0x20800;	/* 3 pages each */

	xlate = true;
	start(false, ALL_FEATURES | BIT_ULL(VIRTIO_F_ACCESS_PLATFORM));
	for (u64 k = 0; k < 8192; k++)
		*at(w, k) = (u8)(k * 7 + k / 512);
	request(VIRTIO_BLK_T_OUT, 40, w, 8192, false, &a);
	kick();
	wait_used(1);
	cr_assert_eq(status_of(a), VIRTIO_BLK_S_OK);
	for (u64 s = 0; s < 16; s++) {
		file_sector(40 + s, buf);
		for (u64 k = 0; k < 512; k++)
			cr_assert_eq(buf[k], (u8)((s * 512 + k) * 7 + s),
				     "sector %llu byte %llu",
				     (unsigned long long)s,
				     (unsigned long long)k);
	}
	request(VIRTIO_BLK_T_IN, 40, r, 8192, true, &b);
	kick();
	wait_used(2);
	cr_assert_eq(status_of(b), VIRTIO_BLK_S_OK);
	for (u64 k = 0; k < 8192; k++)
		cr_assert_eq(*at(r, k), (u8)(k * 7 + k / 512));
}

Test(blk_dev, image_shrunk_under_the_device)
{
	u8 a, b;

	start(false, ALL_FEATURES);
	cr_assert_eq(ftruncate(img_fd, 32 * 512), 0);
	request(VIRTIO_BLK_T_IN, 40, DATA, 512, true, &a);	/* past EOF */
	request(VIRTIO_BLK_T_IN, 31, DATA + 512, 1024, true, &b); /* short */
	kick();
	wait_used(2);
	cr_assert_eq(status_of(a), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(status_of(b), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(virtio_blk__errors(vdev, BLK_ERR_SHORT_IO), 2);
}

Test(blk_dev, reset_waits_for_io_and_pushes_nothing)
{
	u8 a;

	start(false, ALL_FEATURES);
	for (int i = 0; i < 16; i++)
		request(VIRTIO_BLK_T_IN, (u64)i, DATA + 512 * i, 512, true,
			&a);
	kick();		/* submitted; nobody reaps */
	cr_assert_gt(virtio_blk__inflight(vdev), 0);
	set_status(0);
	cr_assert_eq(virtio_blk__inflight(vdev), 0, "reset drained the I/O");
	cr_assert_eq(used()->idx, 0, "nothing reached the used ring");
	cr_assert_eq(virtio_blk__complete(vdev, false), 0);
	cr_assert_eq(used()->idx, 0);
}

Test(blk_dev, refuses_images_it_cannot_use)
{
	int err = 0;

	cr_redirect_stderr();
	cr_assert_eq(ftruncate(img_fd, 1000), 0);
	cr_assert_null(virtio_blk__new(path, false, "x", &err));
	cr_assert_eq(err, -EINVAL, "size not a multiple of 512");
	cr_assert_null(virtio_blk__new("/nonexistent/vsva.img", false, "x",
				       &err));
	cr_assert_eq(err, -ENOENT);
	cr_assert_null(virtio_blk__new("/dev/null", false, "x", &err));
	cr_assert_eq(err, -EINVAL, "a character device");
}

Test(blk_dev, one_writer_per_image)
{
	int err = 0;
	struct virtio_device *other;

	cr_redirect_stderr();
	vdev = virtio_blk__new(path, false, "a", &err);
	cr_assert_not_null(vdev);
	other = virtio_blk__new(path, true, "b", &err);
	cr_assert_null(other, "the image is locked");
	cr_assert_eq(err, -EWOULDBLOCK);
}

/* ========================= blk_args: --disk ========================= */

static int parse_args(struct vm_config *cfg, int argc, const char **argv)
{
	return run__parse(argc, (char **)argv, cfg);
}

Test(blk_args, disks, .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	const char *a[] = { "run", "-f", "x", "--disk", "a.img",
			    "--disk", "b,c.img,ro", "--disk", "d.img,rw" };

	cr_assert_eq(parse_args(&cfg, 9, a), 0);
	cr_assert_eq(cfg.nr_disks, 3);
	cr_assert_eq(cfg.disks[0].path_len, 5);
	cr_assert_not(cfg.disks[0].ro);
	cr_assert_eq(cfg.disks[1].path_len, 7, "b,c.img");
	cr_assert(cfg.disks[1].ro);
	cr_assert_eq(cfg.disks[2].path_len, 5);
	cr_assert_not(cfg.disks[2].ro);
}

Test(blk_args, refused, .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	const char *five[] = { "run", "-f", "x", "--disk", "1", "--disk", "2",
			       "--disk", "3", "--disk", "4", "--disk", "5" };
	const char *opt[] = { "run", "-f", "x", "--disk", "a.img,rx" };
	const char *empty[] = { "run", "-f", "x", "--disk", ",ro" };

	cr_assert_eq(parse_args(&cfg, 11, five), 0);
	cr_assert_eq(cfg.nr_disks, 4);
	cr_assert_eq(parse_args(&cfg, 13, five), 2);
	cr_assert_eq(parse_args(&cfg, 5, opt), 2);
	cr_assert_eq(parse_args(&cfg, 5, empty), 2);
}
