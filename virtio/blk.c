// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk (virtio 1.x section 5.2) over a raw image file.
 *
 * A kick pops chains while one of BLK_DEPTH request slots is free; each is
 * parsed and checked by virtio_blk__parse() (blk-req.c) and becomes io_uring
 * SQEs on the image: readv/writev with the chain's segments as iovecs,
 * fdatasync for FLUSH, fallocate for DISCARD / WRITE_ZEROES (one SQE per
 * range).  io_uring signals an eventfd that the vm's event loop watches;
 * the completions write the status byte, push the chain and interrupt the
 * driver.  Slots being full just leaves chains in the avail ring until a
 * completion frees one.
 *
 * Writes are durable once a FLUSH completes; if the driver did not
 * negotiate VIRTIO_BLK_F_FLUSH each write is RWF_DSYNC (5.2.6.2: the
 * device then has a writethrough cache).
 *
 * Locking: b->lock guards the queue, the slots and the ring; it nests inside
 * the transport's lock (notify, queue_exit) and is the only lock the
 * completion path takes.  A queue going away (reset) waits for the I/O in
 * flight to finish, so nothing is written to guest memory after a reset.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vsva/log.h>
#include <vsva/virtio-blk.h>
#include <vsva/virtio-pci.h>
#include <vsva/vm.h>

#define BLK_DEPTH		64	/* requests in flight */
#define BLK_SQ_ENTRIES		256
#define BLK_CQ_ENTRIES		(BLK_DEPTH * VIRTIO_BLK_MAX_RANGES)

/* user_data of an SQE: slot | extent << 16 | ZERO_RANGE tried << 32 */
#define UD_SLOT(ud)		((u16)(ud))
#define UD_EXT(ud)		((u16)((ud) >> 16))
#define UD_ZERO_RANGE		BIT_ULL(32)

struct blk_slot {
	struct blk_req req;
	u16 head;
	u32 gen;		/* b->gen when popped */
	u16 pending;		/* SQEs not yet completed */
	u8 status;
	enum blk_err err;
};

struct blk_stats {
	u64 reads, writes, flushes, get_ids, discards, write_zeroes;
	u64 bytes_read, bytes_written;
	u64 errors[BLK_NR_ERRS];
	u64 dropped_on_reset;	/* completed after the queue went away */
	u64 submit_errors;	/* io_uring_submit() failures */
	u64 discard_unsupported;	/* host cannot punch holes: no-op */
};

struct blk_dev {
	struct virtio_device vdev;
	pthread_mutex_t lock;
	struct vm *vm;
	char *path;
	char id[VIRTIO_BLK_ID_BYTES + 1];
	int fd;
	int efd;		/* io_uring completions */
	bool ring_ok;
	struct io_uring ring;
	struct virtio_device_ops ops;	/* features depend on ro */
	struct blk_limits lim;
	bool flush;		/* VIRTIO_BLK_F_FLUSH negotiated */
	bool no_zero_range;	/* host refused FALLOC_FL_ZERO_RANGE */

	struct virtq *vq;
	u32 gen;		/* bumped when the queue goes away */
	unsigned int inflight;	/* slots with SQEs pending */
	bool pushed;		/* chains pushed since the last signal */
	struct virtq_chain chain;
	struct blk_slot slot[BLK_DEPTH];
	struct iovec *iov;	/* BLK_DEPTH * VIRTQ_MAX_SEGS */
	u16 free[BLK_DEPTH];
	unsigned int nr_free;
	struct blk_stats st;
};

static struct blk_dev *to_blk(struct virtio_device *vdev)
{
	return container_of(vdev, struct blk_dev, vdev);
}

static struct io_uring_sqe *blk__sqe(struct blk_dev *b)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&b->ring);

	if (!sqe) {
		/* The SQ ring is full: hand it to the kernel and retry. */
		if (io_uring_submit(&b->ring) < 0)
			b->st.submit_errors++;
		sqe = io_uring_get_sqe(&b->ring);
	}
	return sqe;
}

static int blk__submit(struct blk_dev *b)
{
	int ret;

	if (!io_uring_sq_ready(&b->ring))
		return 0;
	do
		ret = io_uring_submit(&b->ring);
	while (ret == -EINTR);
	if (ret < 0) {
		/* The SQEs stay queued; the next kick or completion retries. */
		b->st.submit_errors++;
		pr_warn("virtio-blk %s: io_uring submit: %s", b->path,
			strerror(-ret));
	}
	return ret;
}

/* Write the status, give the chain back, free the slot.  Under b->lock. */
static void blk__finish(struct blk_dev *b, struct blk_slot *s)
{
	struct blk_req *r = &s->req;

	if (s->err)
		b->st.errors[s->err]++;
	if (s->gen == b->gen && b->vq) {
		if (r->status_ptr)
			__atomic_store_n(r->status_ptr, s->status,
					 __ATOMIC_RELAXED);
		/* virtq__push() orders the status before the used entry. */
		virtq__push(b->vq, s->head,
			    r->status_ptr ? virtio_blk__used_len(r, s->status) :
					    0);
		b->pushed = true;
	} else {
		b->st.dropped_on_reset++;
	}
	if (s->status == VIRTIO_BLK_S_OK) {
		if (r->op == BLK_OP_READ)
			b->st.bytes_read += r->len;
		else if (r->op == BLK_OP_WRITE)
			b->st.bytes_written += r->len;
	}
	b->free[b->nr_free++] = (u16)(s - b->slot);
}

static void blk__fail_slot(struct blk_slot *s, enum blk_err err)
{
	if (s->status == VIRTIO_BLK_S_OK) {
		s->status = VIRTIO_BLK_S_IOERR;
		s->err = err;
	}
}

static void blk__prep_extent(struct blk_dev *b, struct blk_slot *s, u16 i,
			     bool try_zero_range)
{
	const struct blk_extent *e = &s->req.ext[i];
	struct io_uring_sqe *sqe = blk__sqe(b);
	u64 ud = (u64)(s - b->slot) | (u64)i << 16;
	int mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;

	if (!sqe) {
		blk__fail_slot(s, BLK_ERR_IO);
		return;
	}
	if (try_zero_range) {
		mode = FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
		ud |= UD_ZERO_RANGE;
	}
	io_uring_prep_fallocate(sqe, b->fd, mode, (off_t)e->offset,
				(off_t)e->len);
	io_uring_sqe_set_data64(sqe, ud);
	s->pending++;
}

/* Start the request parsed into @s.  Under b->lock. */
static void blk__start(struct blk_dev *b, struct blk_slot *s)
{
	struct blk_req *r = &s->req;
	struct io_uring_sqe *sqe;
	u64 ud = (u64)(s - b->slot);

	s->status = VIRTIO_BLK_S_OK;
	s->err = BLK_ERR_NONE;
	s->pending = 0;

	switch (r->op) {
	case BLK_OP_DROP:
	case BLK_OP_STATUS:
		s->status = r->status;
		s->err = r->err;
		break;
	case BLK_OP_GET_ID:
		b->st.get_ids++;
		virtio_blk__write_id(r, b->id);
		break;
	case BLK_OP_READ:
	case BLK_OP_WRITE:
	case BLK_OP_FLUSH:
		sqe = blk__sqe(b);
		if (!sqe) {
			blk__fail_slot(s, BLK_ERR_IO);
			break;
		}
		if (r->op == BLK_OP_READ) {
			b->st.reads++;
			io_uring_prep_readv(sqe, b->fd, r->iov, r->nr_iov,
					    r->offset);
		} else if (r->op == BLK_OP_WRITE) {
			b->st.writes++;
			io_uring_prep_writev2(sqe, b->fd, r->iov, r->nr_iov,
					      r->offset,
					      b->flush ? 0 : RWF_DSYNC);
		} else {
			b->st.flushes++;
			io_uring_prep_fsync(sqe, b->fd, IORING_FSYNC_DATASYNC);
		}
		io_uring_sqe_set_data64(sqe, ud);
		s->pending = 1;
		break;
	case BLK_OP_DISCARD:
	case BLK_OP_WRITE_ZEROES:
		if (r->op == BLK_OP_DISCARD)
			b->st.discards++;
		else
			b->st.write_zeroes++;
		for (u16 i = 0; i < r->nr_ext; i++)
			blk__prep_extent(b, s, i,
					 r->op == BLK_OP_WRITE_ZEROES &&
					 !r->ext[i].unmap && !b->no_zero_range);
		break;
	}
	if (s->pending)
		b->inflight++;
	else
		blk__finish(b, s);
}

/* One completion.  Under b->lock. */
static void blk__cqe(struct blk_dev *b, u64 ud, int res)
{
	struct blk_slot *s;
	struct blk_req *r;

	if (UD_SLOT(ud) >= BLK_DEPTH)
		return;
	s = &b->slot[UD_SLOT(ud)];
	r = &s->req;
	if (!s->pending)
		return;
	if (res < 0) {
		if (res == -EOPNOTSUPP && (ud & UD_ZERO_RANGE) &&
		    UD_EXT(ud) < r->nr_ext) {
			/* No ZERO_RANGE here: punching a hole zeroes too. */
			b->no_zero_range = true;
			s->pending--;
			blk__prep_extent(b, s, UD_EXT(ud), false);
			if (s->pending)
				return;
		} else if ((res == -EOPNOTSUPP || res == -EINVAL) &&
			   r->op == BLK_OP_DISCARD) {
			/* Discarding is a hint (5.2.6.2: MAY deallocate). */
			b->st.discard_unsupported++;
		} else {
			pr_debug("virtio-blk %s: type %u at sector %llu: %s",
				 b->path, r->type,
				 (unsigned long long)r->sector,
				 strerror(-res));
			blk__fail_slot(s, BLK_ERR_IO);
		}
	} else if ((r->op == BLK_OP_READ || r->op == BLK_OP_WRITE) &&
		   (u32)res != r->len) {
		blk__fail_slot(s, BLK_ERR_SHORT_IO);
	}
	if (s->pending && --s->pending)
		return;
	b->inflight--;
	blk__finish(b, s);
}

/* Reap what completed (at least one thing if @wait).  Under b->lock. */
static int blk__reap(struct blk_dev *b, bool wait)
{
	struct io_uring_cqe *cqe;
	int n = 0, ret;

	if (wait && b->inflight && io_uring_peek_cqe(&b->ring, &cqe)) {
		/* Anything prepared but not submitted must go first. */
		if (blk__submit(b) < 0)
			return 0;
		/* vCPU threads take signals (kicks): EINTR is no failure. */
		do
			ret = io_uring_wait_cqe(&b->ring, &cqe);
		while (ret == -EINTR);
		if (ret)
			return 0;
	}
	while (!io_uring_peek_cqe(&b->ring, &cqe)) {
		u64 ud = io_uring_cqe_get_data64(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&b->ring, cqe);
		blk__cqe(b, ud, res);
		n++;
	}
	/* Completions may have queued retries (ZERO_RANGE fallback). */
	blk__submit(b);
	return n;
}

/* Pop and start requests while slots are free.  Under b->lock. */
static void blk__process(struct blk_dev *b)
{
	struct virtq *vq = b->vq;
	int ret;

	if (!vq)
		return;
	do {
		while (b->nr_free) {
			struct blk_slot *s;

			ret = virtq__pop(vq, &b->chain);
			if (ret == -EAGAIN || ret == -EIO)
				break;
			s = &b->slot[b->free[--b->nr_free]];
			s->head = b->chain.head;
			s->gen = b->gen;
			s->req.iov = b->iov + (s - b->slot) * VIRTQ_MAX_SEGS;
			if (ret) {
				/* Refused by the virtqueue: no status byte. */
				s->req.op = BLK_OP_DROP;
				s->req.err = BLK_ERR_BAD_CHAIN;
				s->req.status_ptr = NULL;
				s->req.in_len = 0;
			} else {
				virtio_blk__parse(&b->lim, &b->chain, &s->req);
			}
			blk__start(b, s);
		}
		/* Out of slots: a completion will call us again. */
		if (!b->nr_free)
			break;
	} while (ret != -EIO && virtq__enable_notify(vq));
	blk__submit(b);
}

/* Should the driver get an interrupt?  Under b->lock. */
static bool blk__want_signal(struct blk_dev *b)
{
	bool pushed = b->pushed;

	b->pushed = false;
	return pushed && b->vq && virtq__should_notify(b->vq);
}

static void blk__notify(struct virtio_device *vdev, u16 q)
{
	struct blk_dev *b = to_blk(vdev);
	bool signal;

	pthread_mutex_lock(&b->lock);
	blk__process(b);
	signal = blk__want_signal(b);
	pthread_mutex_unlock(&b->lock);
	if (signal)
		virtio__signal_vq(vdev, 0);
}

int virtio_blk__complete(struct virtio_device *vdev, bool wait)
{
	struct blk_dev *b = to_blk(vdev);
	bool signal;
	int n;

	pthread_mutex_lock(&b->lock);
	n = blk__reap(b, wait);
	/* Freed slots may let waiting chains in. */
	blk__process(b);
	signal = blk__want_signal(b);
	pthread_mutex_unlock(&b->lock);
	if (signal)
		virtio__signal_vq(vdev, 0);
	return n;
}

static void blk__uring_event(struct vm *vm, int fd, u32 revents,
			     void *opaque)
{
	u64 cnt;

	/* Clear the eventfd first: a CQE posted after this rearms it. */
	if (read(fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		return;
	virtio_blk__complete(opaque, false);
}

/* Wait for everything in flight; nothing of it reaches the driver. */
static void blk__drain(struct blk_dev *b)
{
	b->vq = NULL;
	b->gen++;
	b->pushed = false;
	while (b->inflight) {
		if (!blk__reap(b, true)) {
			pr_warn("virtio-blk %s: io_uring failed: %u requests left in flight",
				b->path, b->inflight);
			break;
		}
	}
}

static int blk__queue_init(struct virtio_device *vdev, u16 q,
			   struct virtq *vq)
{
	struct blk_dev *b = to_blk(vdev);

	pthread_mutex_lock(&b->lock);
	b->vq = vq;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

static void blk__queue_exit(struct virtio_device *vdev, u16 q)
{
	struct blk_dev *b = to_blk(vdev);

	pthread_mutex_lock(&b->lock);
	blk__drain(b);
	pthread_mutex_unlock(&b->lock);
}

static void blk__status(struct virtio_device *vdev, u8 status)
{
	struct blk_dev *b = to_blk(vdev);

	if (!(status & VIRTIO_STATUS_FEATURES_OK))
		return;
	pthread_mutex_lock(&b->lock);
	b->lim.discard = virtio__has_feature(vdev, VIRTIO_BLK_F_DISCARD);
	b->lim.write_zeroes = virtio__has_feature(vdev,
						  VIRTIO_BLK_F_WRITE_ZEROES);
	b->flush = virtio__has_feature(vdev, VIRTIO_BLK_F_FLUSH);
	pthread_mutex_unlock(&b->lock);
}

static void blk__reset(struct virtio_device *vdev)
{
	struct blk_dev *b = to_blk(vdev);

	pthread_mutex_lock(&b->lock);
	blk__drain(b);
	b->lim.discard = b->lim.write_zeroes = false;
	b->flush = false;
	pthread_mutex_unlock(&b->lock);
}

static void blk__config_read(struct virtio_device *vdev, u32 off, void *buf,
			     u32 len)
{
	struct blk_dev *b = to_blk(vdev);
	struct virtio_blk_config cfg;

	virtio_blk__config(&b->lim, b->ops.features, &cfg);
	memcpy(buf, (u8 *)&cfg + off, len);
}

static void blk__release(struct virtio_device *vdev)
{
	struct blk_dev *b = to_blk(vdev);
	struct blk_stats *st = &b->st;

	pr_info("virtio-blk %s: %llu reads (%llu bytes), %llu writes (%llu bytes), %llu flushes, %llu discards, %llu write-zeroes, %llu get-id",
		b->path, (unsigned long long)st->reads,
		(unsigned long long)st->bytes_read,
		(unsigned long long)st->writes,
		(unsigned long long)st->bytes_written,
		(unsigned long long)st->flushes,
		(unsigned long long)st->discards,
		(unsigned long long)st->write_zeroes,
		(unsigned long long)st->get_ids);
	for (int e = BLK_ERR_NONE + 1; e < BLK_NR_ERRS; e++)
		if (st->errors[e])
			pr_info("virtio-blk %s: %llu x %s", b->path,
				(unsigned long long)st->errors[e],
				virtio_blk__err_name(e));
	if (b->vm && b->efd >= 0)
		evloop__del(b->vm, b->efd);
	virtio_blk__free(vdev);
}

static const struct virtio_device_ops blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.class_code = 0x018000,		/* mass storage, other */
	.nr_queues = 1,
	.queue_max_size = VIRTIO_BLK_QUEUE_SIZE,
	.config_size = sizeof(struct virtio_blk_config),
	.config_read = blk__config_read,
	.queue_init = blk__queue_init,
	.queue_exit = blk__queue_exit,
	.notify = blk__notify,
	.reset = blk__reset,
	.status = blk__status,
	.release = blk__release,
};

/* Bytes in the image; -errno with a message. */
static int blk__size(const char *path, int fd, u64 *size)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return -errno;
	if (S_ISREG(sb.st_mode)) {
		*size = (u64)sb.st_size;
	} else if (S_ISBLK(sb.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size) < 0)
			return -errno;
	} else {
		pr_err("virtio-blk: %s is not a regular file or block device",
		       path);
		return -EINVAL;
	}
	if (*size % VIRTIO_BLK_SECTOR_SIZE) {
		pr_err("virtio-blk: %s: size %llu is not a multiple of 512 bytes",
		       path, (unsigned long long)*size);
		return -EINVAL;
	}
	return 0;
}

static int blk__open(struct blk_dev *b, bool ro)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE,
		.cq_entries = BLK_CQ_ENTRIES,
	};
	u64 size;
	int ret;

	b->fd = open(b->path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0) {
		ret = -errno;
		pr_err("virtio-blk: cannot open %s: %s", b->path,
		       strerror(errno));
		return ret;
	}
	/*
	 * Two writers on one image corrupt it: refuse like QEMU does.  A
	 * kernel without file locking (CONFIG_FILE_LOCKING=n, as in the lab's
	 * tinyconfig kernel) cannot tell: go on unprotected.
	 */
	if (flock(b->fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		ret = -errno;
		if (ret == -ENOSYS) {
			pr_warn("virtio-blk: %s: no file locking in this kernel, the image is not protected from other writers",
				b->path);
		} else {
			pr_err("virtio-blk: %s is in use by another process",
			       b->path);
			return ret;
		}
	}
	ret = blk__size(b->path, b->fd, &size);
	if (ret)
		return ret;
	b->lim.capacity = size / VIRTIO_BLK_SECTOR_SIZE;

	ret = io_uring_queue_init_params(BLK_SQ_ENTRIES, &b->ring, &p);
	if (ret) {
		pr_err("virtio-blk: io_uring: %s", strerror(-ret));
		return ret;
	}
	b->ring_ok = true;
	b->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->efd < 0)
		return -errno;
	ret = io_uring_register_eventfd(&b->ring, b->efd);
	if (ret)
		pr_err("virtio-blk: io_uring eventfd: %s", strerror(-ret));
	return ret;
}

struct virtio_device *virtio_blk__new(const char *path, bool ro,
				      const char *id, int *err)
{
	struct blk_dev *b = calloc(1, sizeof(*b));
	int ret = -ENOMEM;

	if (!b)
		goto fail;
	b->fd = b->efd = -1;
	pthread_mutex_init(&b->lock, NULL);
	b->vdev.ops = &b->ops;
	b->vdev.priv = b;
	b->ops = blk_ops;
	b->ops.features = BIT_ULL(VIRTIO_BLK_F_SEG_MAX) |
			  BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) |
			  BIT_ULL(VIRTIO_BLK_F_FLUSH);
	if (ro)
		b->ops.features |= BIT_ULL(VIRTIO_BLK_F_RO);
	else
		b->ops.features |= BIT_ULL(VIRTIO_BLK_F_DISCARD) |
				   BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES);
	b->lim.ro = ro;
	snprintf(b->id, sizeof(b->id), "%s", id);
	b->path = strdup(path);
	b->iov = calloc(BLK_DEPTH * VIRTQ_MAX_SEGS, sizeof(*b->iov));
	if (!b->path || !b->iov)
		goto fail;
	for (int i = 0; i < BLK_DEPTH; i++)
		b->free[b->nr_free++] = (u16)(BLK_DEPTH - 1 - i);
	ret = blk__open(b, ro);
	if (ret)
		goto fail;
	return &b->vdev;
fail:
	if (b)
		virtio_blk__free(&b->vdev);
	*err = ret;
	return NULL;
}

void virtio_blk__free(struct virtio_device *vdev)
{
	struct blk_dev *b;

	if (!vdev)
		return;
	b = to_blk(vdev);
	if (b->ring_ok) {
		pthread_mutex_lock(&b->lock);
		blk__drain(b);
		pthread_mutex_unlock(&b->lock);
		io_uring_queue_exit(&b->ring);
	}
	if (b->efd >= 0)
		close(b->efd);
	if (b->fd >= 0)
		close(b->fd);
	pthread_mutex_destroy(&b->lock);
	free(b->iov);
	free(b->path);
	free(b);
}

int virtio_blk__event_fd(struct virtio_device *vdev)
{
	return to_blk(vdev)->efd;
}

unsigned int virtio_blk__inflight(struct virtio_device *vdev)
{
	struct blk_dev *b = to_blk(vdev);
	unsigned int n;

	pthread_mutex_lock(&b->lock);
	n = b->inflight;
	pthread_mutex_unlock(&b->lock);
	return n;
}

u64 virtio_blk__errors(struct virtio_device *vdev, enum blk_err e)
{
	struct blk_dev *b = to_blk(vdev);
	u64 n;

	if ((unsigned int)e >= BLK_NR_ERRS)
		return 0;
	pthread_mutex_lock(&b->lock);
	n = b->st.errors[e];
	pthread_mutex_unlock(&b->lock);
	return n;
}

static int blk__add(struct vm *vm, const struct vm_disk *d, int index)
{
	struct virtio_device *vdev;
	char id[VIRTIO_BLK_ID_BYTES + 1];
	char *path = strndup(d->arg, d->path_len);
	int ret = -ENOMEM;

	if (!path)
		return ret;
	snprintf(id, sizeof(id), "vsva-disk%d", index);
	vdev = virtio_blk__new(path, d->ro, id, &ret);
	free(path);
	if (!vdev)
		return ret;
	to_blk(vdev)->vm = vm;
	ret = evloop__add(vm, virtio_blk__event_fd(vdev), EPOLLIN,
			  blk__uring_event, vdev);
	if (ret) {
		virtio_blk__free(vdev);
		return ret;
	}
	ret = virtio_pci__init(vm, vdev);
	if (ret) {
		evloop__del(vm, virtio_blk__event_fd(vdev));
		virtio_blk__free(vdev);
		return ret;
	}
	virtio_pci__pdev(vdev)->no_iommu = d->no_iommu;
	pr_info("virtio-blk: %s: %llu sectors%s%s", to_blk(vdev)->path,
		(unsigned long long)to_blk(vdev)->lim.capacity,
		d->ro ? ", read-only" : "",
		d->no_iommu ? ", not behind the vIOMMU" : "");
	return 0;
}

int virtio_blk__init(struct vm *vm)
{
	for (int i = 0; i < vm->cfg->nr_disks; i++) {
		int ret = blk__add(vm, &vm->cfg->disks[i], i);

		if (ret)
			return ret;
	}
	return 0;
}
