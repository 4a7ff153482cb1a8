// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk request parsing and checking (virtio 1.x 5.2.6): pure code.
 *
 * A request is a 16-byte header, then data, then one status byte: the last
 * device-writable byte of the chain.  The shape each type must have:
 *
 *   IN            readable: header only      writable: data + status
 *   OUT           readable: header + data    writable: status only
 *   FLUSH         readable: header only      writable: status only
 *   GET_ID        readable: header only      writable: >= 20 bytes + status
 *   DISCARD,      readable: header + 1..32   writable: status only
 *   WRITE_ZEROES  ranges of 16 bytes
 *
 * Data of IN / OUT is a non-empty multiple of 512 bytes inside capacity.
 * A chain without a writable byte gets no status (BLK_OP_DROP); any other
 * failure gets IOERR, or UNSUPP for unknown types, types not negotiated and
 * range flags the spec forbids (5.2.6.2).  A write-type request on a
 * read-only disk gets IOERR before anything else is looked at.
 */
#include <string.h>

#include <vsva/virtio-blk.h>

static const char *const blk_err_names[BLK_NR_ERRS] = {
	[BLK_ERR_NONE] = "none",
	[BLK_ERR_BAD_CHAIN] = "bad chain",
	[BLK_ERR_NO_STATUS] = "no status byte",
	[BLK_ERR_SHORT_HEADER] = "short header",
	[BLK_ERR_DIRECTION] = "wrong data direction",
	[BLK_ERR_LENGTH] = "bad data length",
	[BLK_ERR_RANGE] = "sector out of range",
	[BLK_ERR_READ_ONLY] = "write to read-only disk",
	[BLK_ERR_UNSUPPORTED] = "unsupported type",
	[BLK_ERR_FLAGS] = "bad range flags",
	[BLK_ERR_RANGE_COUNT] = "bad range count",
	[BLK_ERR_RANGE_SIZE] = "bad range size",
	[BLK_ERR_ID_LENGTH] = "GET_ID buffer too small",
	[BLK_ERR_IO] = "host I/O error",
	[BLK_ERR_SHORT_IO] = "short host I/O",
};

const char *virtio_blk__err_name(enum blk_err e)
{
	return (unsigned int)e < BLK_NR_ERRS ? blk_err_names[e] : "?";
}

static void blk__fail(struct blk_req *r, u8 status, enum blk_err err)
{
	r->op = BLK_OP_STATUS;
	r->status = status;
	r->err = err;
	r->nr_iov = 0;
	r->nr_ext = 0;
}

/* Is [sector, sector + n) inside a disk of @capacity sectors? */
static bool blk__in_range(u64 capacity, u64 sector, u64 n)
{
	return sector <= capacity && n <= capacity - sector;
}

/*
 * Iovecs for bytes [off, off + len) of segments [first, end); the range is
 * known to lie inside them.
 */
static u16 blk__iov(const struct virtq_chain *c, u16 first, u16 end, u64 off,
		    u64 len, struct iovec *iov)
{
	u16 n = 0;

	for (u16 i = first; i < end && len; i++) {
		const struct virtq_seg *s = &c->seg[i];
		u64 take;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		take = MIN((u64)s->len - off, len);
		iov[n].iov_base = (u8 *)s->ptr + off;
		iov[n].iov_len = take;
		n++;
		len -= take;
		off = 0;
	}
	return n;
}

static void blk__rw(const struct blk_limits *lim, const struct virtq_chain *c,
		    struct blk_req *r, bool write)
{
	u32 len;

	if (write) {
		if (c->in_len != 1)
			return blk__fail(r, VIRTIO_BLK_S_IOERR,
					 BLK_ERR_DIRECTION);
		len = c->out_len - sizeof(struct virtio_blk_outhdr);
	} else {
		if (c->out_len != sizeof(struct virtio_blk_outhdr))
			return blk__fail(r, VIRTIO_BLK_S_IOERR,
					 BLK_ERR_DIRECTION);
		len = c->in_len - 1;
	}
	if (!len || len % VIRTIO_BLK_SECTOR_SIZE)
		return blk__fail(r, VIRTIO_BLK_S_IOERR, BLK_ERR_LENGTH);
	if (!blk__in_range(lim->capacity, r->sector,
			   len >> VIRTIO_BLK_SECTOR_SHIFT))
		return blk__fail(r, VIRTIO_BLK_S_IOERR, BLK_ERR_RANGE);

	r->op = write ? BLK_OP_WRITE : BLK_OP_READ;
	r->offset = r->sector << VIRTIO_BLK_SECTOR_SHIFT;
	r->len = len;
	if (write)
		r->nr_iov = blk__iov(c, 0, c->nr_out,
				     sizeof(struct virtio_blk_outhdr), len,
				     r->iov);
	else
		r->nr_iov = blk__iov(c, c->nr_out, c->nr_segs, 0, len, r->iov);
}

static void blk__ranges(const struct blk_limits *lim,
			const struct virtq_chain *c, struct blk_req *r,
			bool discard)
{
	u32 bytes = c->out_len - sizeof(struct virtio_blk_outhdr);
	u32 n = bytes / sizeof(struct virtio_blk_range);

	if (c->in_len != 1)
		return blk__fail(r, VIRTIO_BLK_S_IOERR, BLK_ERR_DIRECTION);
	if (!n || bytes % sizeof(struct virtio_blk_range) ||
	    n > VIRTIO_BLK_MAX_RANGES)
		return blk__fail(r, VIRTIO_BLK_S_IOERR, BLK_ERR_RANGE_COUNT);

	for (u32 i = 0; i < n; i++) {
		struct virtio_blk_range rg;
		u32 bad_flags = discard ? ~0U : ~VIRTIO_BLK_RANGE_F_UNMAP;

		virtq_chain__read(c, sizeof(struct virtio_blk_outhdr) +
				  i * sizeof(rg), &rg, sizeof(rg));
		if (rg.flags & bad_flags)
			return blk__fail(r, VIRTIO_BLK_S_UNSUPP,
					 BLK_ERR_FLAGS);
		if (!rg.num_sectors ||
		    rg.num_sectors > VIRTIO_BLK_MAX_RANGE_SECTORS)
			return blk__fail(r, VIRTIO_BLK_S_IOERR,
					 BLK_ERR_RANGE_SIZE);
		if (!blk__in_range(lim->capacity, rg.sector, rg.num_sectors))
			return blk__fail(r, VIRTIO_BLK_S_IOERR, BLK_ERR_RANGE);
		r->ext[i].offset = rg.sector << VIRTIO_BLK_SECTOR_SHIFT;
		r->ext[i].len = (u64)rg.num_sectors << VIRTIO_BLK_SECTOR_SHIFT;
		r->ext[i].unmap = rg.flags & VIRTIO_BLK_RANGE_F_UNMAP;
	}
	r->op = discard ? BLK_OP_DISCARD : BLK_OP_WRITE_ZEROES;
	r->nr_ext = n;
}

void virtio_blk__parse(const struct blk_limits *lim,
		       const struct virtq_chain *c, struct blk_req *r)
{
	struct virtio_blk_outhdr h;
	const struct virtq_seg *last;

	r->op = BLK_OP_DROP;
	r->err = BLK_ERR_NONE;
	r->status = VIRTIO_BLK_S_OK;
	r->status_ptr = NULL;
	r->type = 0;
	r->sector = 0;
	r->in_len = c->in_len;
	r->offset = 0;
	r->len = 0;
	r->nr_iov = 0;
	r->nr_ext = 0;

	if (!c->nr_in || !c->in_len) {
		r->err = BLK_ERR_NO_STATUS;
		return;
	}
	last = &c->seg[c->nr_segs - 1];
	r->status_ptr = (u8 *)last->ptr + last->len - 1;

	if (c->out_len < sizeof(h))
		return blk__fail(r, VIRTIO_BLK_S_IOERR, BLK_ERR_SHORT_HEADER);
	virtq_chain__read(c, 0, &h, sizeof(h));
	r->type = h.type;
	r->sector = h.sector;

	switch (h.type) {
	case VIRTIO_BLK_T_IN:
		return blk__rw(lim, c, r, false);
	case VIRTIO_BLK_T_OUT:
		if (lim->ro)
			return blk__fail(r, VIRTIO_BLK_S_IOERR,
					 BLK_ERR_READ_ONLY);
		return blk__rw(lim, c, r, true);
	case VIRTIO_BLK_T_FLUSH:
		if (c->out_len != sizeof(h) || c->in_len != 1)
			return blk__fail(r, VIRTIO_BLK_S_IOERR,
					 BLK_ERR_DIRECTION);
		r->op = BLK_OP_FLUSH;
		return;
	case VIRTIO_BLK_T_GET_ID:
		if (c->out_len != sizeof(h))
			return blk__fail(r, VIRTIO_BLK_S_IOERR,
					 BLK_ERR_DIRECTION);
		if (c->in_len - 1 < VIRTIO_BLK_ID_BYTES)
			return blk__fail(r, VIRTIO_BLK_S_IOERR,
					 BLK_ERR_ID_LENGTH);
		r->op = BLK_OP_GET_ID;
		r->len = c->in_len - 1;
		r->nr_iov = blk__iov(c, c->nr_out, c->nr_segs, 0, r->len,
				     r->iov);
		return;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES: {
		bool discard = h.type == VIRTIO_BLK_T_DISCARD;

		if (!(discard ? lim->discard : lim->write_zeroes))
			return blk__fail(r, VIRTIO_BLK_S_UNSUPP,
					 BLK_ERR_UNSUPPORTED);
		if (lim->ro)
			return blk__fail(r, VIRTIO_BLK_S_IOERR,
					 BLK_ERR_READ_ONLY);
		return blk__ranges(lim, c, r, discard);
	}
	default:
		return blk__fail(r, VIRTIO_BLK_S_UNSUPP, BLK_ERR_UNSUPPORTED);
	}
}

void virtio_blk__write_id(const struct blk_req *r, const char *id)
{
	char buf[VIRTIO_BLK_ID_BYTES] = { 0 };
	size_t done = 0;

	for (size_t i = 0; i < sizeof(buf) && id[i]; i++)
		buf[i] = id[i];
	for (u16 i = 0; i < r->nr_iov; i++) {
		const struct iovec *v = &r->iov[i];

		for (size_t j = 0; j < v->iov_len; j++, done++)
			((u8 *)v->iov_base)[j] = done < sizeof(buf) ?
						 (u8)buf[done] : 0;
	}
}

u32 virtio_blk__used_len(const struct blk_req *r, u8 status)
{
	/* IN and GET_ID wrote the whole data area, then the status. */
	if (status == VIRTIO_BLK_S_OK &&
	    (r->op == BLK_OP_READ || r->op == BLK_OP_GET_ID))
		return r->in_len;
	/* Otherwise only the status byte, which is the first byte only if
	 * it is the only one. */
	return r->in_len == 1 ? 1 : 0;
}

void virtio_blk__config(const struct blk_limits *lim, u64 offered,
			struct virtio_blk_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->capacity = lim->capacity;
	if (offered & BIT_ULL(VIRTIO_BLK_F_SEG_MAX))
		cfg->seg_max = VIRTIO_BLK_SEG_MAX;
	if (offered & BIT_ULL(VIRTIO_BLK_F_BLK_SIZE))
		cfg->blk_size = VIRTIO_BLK_SECTOR_SIZE;
	if (offered & BIT_ULL(VIRTIO_BLK_F_DISCARD)) {
		cfg->max_discard_sectors = VIRTIO_BLK_MAX_RANGE_SECTORS;
		cfg->max_discard_seg = VIRTIO_BLK_MAX_RANGES;
		cfg->discard_sector_alignment = VIRTIO_BLK_DISCARD_ALIGN;
	}
	if (offered & BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES)) {
		cfg->max_write_zeroes_sectors = VIRTIO_BLK_MAX_RANGE_SECTORS;
		cfg->max_write_zeroes_seg = VIRTIO_BLK_MAX_RANGES;
		cfg->write_zeroes_may_unmap = 1;
	}
}
