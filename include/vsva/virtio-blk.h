/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk (virtio 1.x section 5.2): a raw image file behind one request
 * queue, served by io_uring with several requests in flight.
 *
 * The request parser is pure (no I/O, no globals): it turns a popped chain
 * into either an operation on the image (iovecs at a byte offset, or
 * extents for DISCARD / WRITE_ZEROES) or a status to complete with at once,
 * and names the check a hostile request failed.  virtio/blk.c does the I/O.
 */
#ifndef VSVA_VIRTIO_BLK_H
#define VSVA_VIRTIO_BLK_H

#include <sys/uio.h>

#include <vsva/types.h>
#include <vsva/virtqueue.h>

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_GEOMETRY		4
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9
#define VIRTIO_BLK_F_TOPOLOGY		10
#define VIRTIO_BLK_F_CONFIG_WCE		11
#define VIRTIO_BLK_F_MQ			12
#define VIRTIO_BLK_F_DISCARD		13
#define VIRTIO_BLK_F_WRITE_ZEROES	14

/* Request types (5.2.6). */
#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8
#define VIRTIO_BLK_T_DISCARD		11
#define VIRTIO_BLK_T_WRITE_ZEROES	13

/* Status byte values. */
#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2

/* DISCARD / WRITE_ZEROES range flags. */
#define VIRTIO_BLK_RANGE_F_UNMAP	1U

#define VIRTIO_BLK_SECTOR_SHIFT		9
#define VIRTIO_BLK_SECTOR_SIZE		512U
#define VIRTIO_BLK_ID_BYTES		20

/* What vsva offers: seg_max (the queue holds header + data + status). */
#define VIRTIO_BLK_QUEUE_SIZE		256
#define VIRTIO_BLK_SEG_MAX		(128 - 2)
/* Ranges per DISCARD / WRITE_ZEROES request, sectors per range. */
#define VIRTIO_BLK_MAX_RANGES		32
#define VIRTIO_BLK_MAX_RANGE_SECTORS	(1U << 22)	/* 2 GiB */
#define VIRTIO_BLK_DISCARD_ALIGN	8		/* sectors: 4 KiB */

/* Device configuration (little endian), up to the WRITE_ZEROES fields. */
struct virtio_blk_config {
	u64 capacity;			/* 512-byte sectors */
	u32 size_max;
	u32 seg_max;
	u16 cylinders;
	u8 heads;
	u8 sectors;
	u32 blk_size;
	u8 physical_block_exp;
	u8 alignment_offset;
	u16 min_io_size;
	u32 opt_io_size;
	u8 writeback;
	u8 unused0;
	u16 num_queues;
	u32 max_discard_sectors;
	u32 max_discard_seg;
	u32 discard_sector_alignment;
	u32 max_write_zeroes_sectors;
	u32 max_write_zeroes_seg;
	u8 write_zeroes_may_unmap;
	u8 unused1[3];
} __packed;

_Static_assert(sizeof(struct virtio_blk_config) == 60, "blk config size");
_Static_assert(offsetof(struct virtio_blk_config, blk_size) == 20, "blk_size");
_Static_assert(offsetof(struct virtio_blk_config, max_discard_sectors) == 36,
	       "max_discard_sectors");
_Static_assert(offsetof(struct virtio_blk_config, write_zeroes_may_unmap) ==
	       56, "write_zeroes_may_unmap");

/* The header every request starts with (device-readable). */
struct virtio_blk_outhdr {
	u32 type;
	u32 reserved;			/* ioprio in legacy drivers */
	u64 sector;
};

/* One DISCARD / WRITE_ZEROES range (device-readable, after the header). */
struct virtio_blk_range {
	u64 sector;
	u32 num_sectors;
	u32 flags;
};

_Static_assert(sizeof(struct virtio_blk_outhdr) == 16, "outhdr size");
_Static_assert(sizeof(struct virtio_blk_range) == 16, "range size");

/* What a request is checked against. */
struct blk_limits {
	u64 capacity;			/* sectors */
	bool ro;			/* VIRTIO_BLK_F_RO offered */
	bool discard;			/* VIRTIO_BLK_F_DISCARD negotiated */
	bool write_zeroes;		/* ..._F_WRITE_ZEROES negotiated */
};

enum blk_op {
	BLK_OP_DROP,		/* no status byte: give back unwritten */
	BLK_OP_STATUS,		/* complete at once with req->status */
	BLK_OP_READ,
	BLK_OP_WRITE,
	BLK_OP_FLUSH,
	BLK_OP_GET_ID,
	BLK_OP_DISCARD,
	BLK_OP_WRITE_ZEROES,
};

/* Why a request failed: one counter each (struct blk_stats). */
enum blk_err {
	BLK_ERR_NONE,
	BLK_ERR_BAD_CHAIN,	/* refused by virtq__pop() */
	BLK_ERR_NO_STATUS,	/* no device-writable byte for the status */
	BLK_ERR_SHORT_HEADER,	/* fewer than 16 readable bytes */
	BLK_ERR_DIRECTION,	/* data readable/writable the wrong way */
	BLK_ERR_LENGTH,		/* data empty or not a multiple of 512 */
	BLK_ERR_RANGE,		/* sector overflow or beyond capacity */
	BLK_ERR_READ_ONLY,	/* write-type request on a read-only disk */
	BLK_ERR_UNSUPPORTED,	/* unknown type, or feature not negotiated */
	BLK_ERR_FLAGS,		/* unknown or forbidden range flag */
	BLK_ERR_RANGE_COUNT,	/* range list empty, ragged or too long */
	BLK_ERR_RANGE_SIZE,	/* range of 0 or too many sectors */
	BLK_ERR_ID_LENGTH,	/* GET_ID buffer under 20 bytes */
	BLK_ERR_IO,		/* the host I/O failed */
	BLK_ERR_SHORT_IO,	/* the host read or wrote less than asked */
	BLK_NR_ERRS,
};

/* One extent of a DISCARD / WRITE_ZEROES request, in bytes. */
struct blk_extent {
	u64 offset;
	u64 len;
	bool unmap;
};

struct blk_req {
	enum blk_op op;
	enum blk_err err;		/* set with BLK_OP_STATUS / _DROP */
	u8 status;			/* for BLK_OP_STATUS */
	u8 *status_ptr;			/* the last device-writable byte */
	u32 type;			/* as the driver sent them */
	u64 sector;
	u32 in_len;			/* device-writable bytes, with status */
	u64 offset;			/* READ / WRITE: bytes into the image */
	u32 len;			/* READ / WRITE / GET_ID: data bytes */
	struct iovec *iov;		/* the caller's, VIRTQ_MAX_SEGS long */
	u16 nr_iov;
	u16 nr_ext;
	struct blk_extent ext[VIRTIO_BLK_MAX_RANGES];
};

/*
 * Parse and check chain @c against @lim.  The caller points r->iov at an
 * array of VIRTQ_MAX_SEGS entries; the data iovecs (READ, WRITE, GET_ID)
 * point into the chain's segments.
 */
void virtio_blk__parse(const struct blk_limits *lim,
		       const struct virtq_chain *c, struct blk_req *r);

/* GET_ID: the NUL-padded @id (at most 20 bytes used) over the data area. */
void virtio_blk__write_id(const struct blk_req *r, const char *id);

/* Used length to report when @r ends with @status (virtio 2.7.8.2: never
 * more than the bytes written from the start of the writable part). */
u32 virtio_blk__used_len(const struct blk_req *r, u8 status);

/* The config space for a disk of @lim with features @offered. */
void virtio_blk__config(const struct blk_limits *lim, u64 offered,
			struct virtio_blk_config *cfg);

const char *virtio_blk__err_name(enum blk_err e);

/* --- the device (virtio/blk.c) --- */
struct vm;
struct virtio_device;

/* Every --disk of the vm's config on its PCI bus; -errno (with a message). */
int virtio_blk__init(struct vm *vm);

/*
 * One disk on its own, for a transport of the caller's choosing (tests):
 * opens @path (read-only if @ro), sizes it and sets up io_uring.  NULL with
 * *err = -errno, and a message logged, if the image is unusable.
 */
struct virtio_device *virtio_blk__new(const char *path, bool ro,
				      const char *id, int *err);
void virtio_blk__free(struct virtio_device *vdev);
/* The eventfd that becomes readable when I/O completes. */
int virtio_blk__event_fd(struct virtio_device *vdev);
/* Complete finished I/O (waiting for at least one if @wait and some is in
 * flight); returns the number of requests completed. */
int virtio_blk__complete(struct virtio_device *vdev, bool wait);
/* Requests in flight (submitted, not completed). */
unsigned int virtio_blk__inflight(struct virtio_device *vdev);
/* Error counter for @e. */
u64 virtio_blk__errors(struct virtio_device *vdev, enum blk_err e);

#endif
