// SPDX-License-Identifier: GPL-2.0
/*
 * The emul fault queue (see include/vsva/emul-fq.h).  One lock; one
 * thread for the host side of the socket: it reads responses and writes
 * groups that did not fit in the socket buffer.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <vsva/emul-fq.h>
#include <vsva/log.h>

#define EMUL_FQ_MAX_PARTIAL	256

struct emul_fq_req {			/* one page request, parked */
	u32 dev_id, pasid, grpid, perm;
	bool pasid_valid;
	u64 addr;
};

struct emul_fq_group {
	bool used;
	bool queued;			/* waiting for room in the socket */
	u32 dev_id, pasid, grpid;
	bool pasid_valid;
	u64 raised_at;
	u32 nr;
	struct prq_host_fault rec[PRQ_MAX_GROUP];
};

struct emul_fq_dev {
	const struct emul_fq_dev_ops *ops;
	void *dev;
	u32 attached[64];		/* PASIDs with a fault-capable table */
	int nr_attached;
};

struct emul_fq {
	pthread_mutex_t lock;
	int fd[2];			/* [0] relay's end, [1] host's */
	int wake_fd;
	pthread_t thread;
	bool started, stop;

	struct emul_fq_dev devs[EMUL_FQ_MAX_DEVS];
	int nr_devs;
	struct emul_fq_req partial[EMUL_FQ_MAX_PARTIAL];
	int nr_partial;
	/* cookie c lives in groups[c - 1] */
	struct emul_fq_group groups[EMUL_FQ_MAX_GROUPS];
	/*
	 * Timestamps the relay reads and writes without the lock, per cookie
	 * (atomics): when the group was raised, and when the guest answered
	 * it.  The FD between the two threads orders them: a raise is stored
	 * before the group is sent, an answer before the response is written.
	 */
	u64 raised_ns[EMUL_FQ_MAX_GROUPS];
	u64 answered_ns[EMUL_FQ_MAX_GROUPS];
	u32 nr_queued;
	/* Groups waiting to go to the FD, in arrival order (cookies). */
	u32 fifo[EMUL_FQ_MAX_GROUPS];
	u32 fifo_head, fifo_len;
	bool wake_pending;
	struct prq_host_fault msg[PRQ_BATCH_MAX];
	struct emul_fq_stats stats;
};

static u64 emul_fq__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

int emul_fq__create(struct emul_fq **out)
{
	struct emul_fq *fq = calloc(1, sizeof(*fq));
	int sz = 1 << 20;

	if (!fq)
		return -ENOMEM;
	pthread_mutex_init(&fq->lock, NULL);
	hist__init(&fq->stats.rtt);
	hist__init(&fq->stats.back);
	hist__init(&fq->stats.rtt_guest);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, fq->fd) < 0) {
		free(fq);
		return -errno;
	}
	setsockopt(fq->fd[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fq->fd[0], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	fq->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fq->wake_fd < 0) {
		close(fq->fd[0]);
		close(fq->fd[1]);
		free(fq);
		return -errno;
	}
	*out = fq;
	return 0;
}

int emul_fq__fd(struct emul_fq *fq)
{
	return fq->fd[0];
}

int emul_fq__add_device(struct emul_fq *fq, const struct emul_fq_dev_ops *ops,
			void *dev)
{
	int id;

	pthread_mutex_lock(&fq->lock);
	if (fq->nr_devs == EMUL_FQ_MAX_DEVS) {
		pthread_mutex_unlock(&fq->lock);
		return -ENOSPC;
	}
	fq->devs[fq->nr_devs].ops = ops;
	fq->devs[fq->nr_devs].dev = dev;
	id = ++fq->nr_devs;	/* dev_id = index + 1 */
	pthread_mutex_unlock(&fq->lock);
	return id;
}

static struct emul_fq_dev *emul_fq__dev(struct emul_fq *fq, u32 dev_id)
{
	if (!dev_id || dev_id > (u32)fq->nr_devs)
		return NULL;
	return &fq->devs[dev_id - 1];
}

static bool emul_fq__is_attached(struct emul_fq_dev *d, u32 pasid)
{
	for (int i = 0; i < d->nr_attached; i++)
		if (d->attached[i] == pasid)
			return true;
	return false;
}

void emul_fq__attach(struct emul_fq *fq, u32 dev_id, u32 pasid)
{
	struct emul_fq_dev *d;

	pthread_mutex_lock(&fq->lock);
	d = emul_fq__dev(fq, dev_id);
	if (d && !emul_fq__is_attached(d, pasid) &&
	    d->nr_attached < (int)ARRAY_SIZE(d->attached))
		d->attached[d->nr_attached++] = pasid;
	pthread_mutex_unlock(&fq->lock);
}

/* Answer group @c (cookie) to its device and free it.  Under the lock;
 * the device callback must not call back into the queue. */
static void emul_fq__answer(struct emul_fq *fq, u32 c, u32 code)
{
	struct emul_fq_group *g = &fq->groups[c - 1];
	struct emul_fq_dev *d = emul_fq__dev(fq, g->dev_id);

	u64 now = emul_fq__now();
	u64 answered = __atomic_load_n(&fq->answered_ns[c - 1],
				       __ATOMIC_RELAXED);

	if (g->queued)
		fq->nr_queued--;
	hist__add(&fq->stats.rtt, now - g->raised_at);
	if (answered && answered <= now) {
		hist__add(&fq->stats.back, now - answered);
		hist__add(&fq->stats.rtt_guest, now - g->raised_at);
	}
	g->used = false;
	g->queued = false;
	if (d && d->ops && d->ops->page_response)
		d->ops->page_response(d->dev, g->pasid, g->pasid_valid,
				      g->grpid, code);
}

void emul_fq__detach(struct emul_fq *fq, u32 dev_id, u32 pasid)
{
	struct emul_fq_dev *d;

	pthread_mutex_lock(&fq->lock);
	d = emul_fq__dev(fq, dev_id);
	if (d) {
		for (int i = 0; i < d->nr_attached; i++)
			if (d->attached[i] == pasid) {
				d->attached[i] = d->attached[--d->nr_attached];
				break;
			}
	}
	/* Parked partial requests of that attachment go (never answered,
	 * like the kernel's partial list on detach). */
	for (int i = 0; i < fq->nr_partial; ) {
		struct emul_fq_req *r = &fq->partial[i];

		if (r->dev_id == dev_id && r->pasid == pasid) {
			*r = fq->partial[--fq->nr_partial];
			fq->stats.partial_dropped++;
		} else {
			i++;
		}
	}
	for (u32 c = 1; c <= EMUL_FQ_MAX_GROUPS; c++) {
		struct emul_fq_group *g = &fq->groups[c - 1];

		if (g->used && g->dev_id == dev_id && g->pasid == pasid) {
			fq->stats.auto_invalid++;
			emul_fq__answer(fq, c, IOMMUFD_PAGE_RESP_INVALID);
		}
	}
	pthread_mutex_unlock(&fq->lock);
}

void emul_fq__remove_device(struct emul_fq *fq, u32 dev_id)
{
	struct emul_fq_dev *d;

	pthread_mutex_lock(&fq->lock);
	d = emul_fq__dev(fq, dev_id);
	if (d) {
		for (u32 c = 1; c <= EMUL_FQ_MAX_GROUPS; c++) {
			struct emul_fq_group *g = &fq->groups[c - 1];

			if (g->used && g->dev_id == dev_id) {
				fq->stats.auto_invalid++;
				emul_fq__answer(fq, c,
						IOMMUFD_PAGE_RESP_INVALID);
			}
		}
		d->ops = NULL;
		d->nr_attached = 0;
	}
	pthread_mutex_unlock(&fq->lock);
}

static void emul_fq__wake(struct emul_fq *fq)
{
	u64 one = 1;

	if (write(fq->wake_fd, &one, sizeof(one)) < 0)
		pr_debug("emul-fq: wake: %s", strerror(errno));
}

/* The last request of a group arrived: build and queue it.  Locked. */
static int emul_fq__complete(struct emul_fq *fq, const struct emul_fq_req *last)
{
	struct emul_fq_group *g = NULL;
	u32 c, n = 0;

	for (c = 1; c <= EMUL_FQ_MAX_GROUPS; c++)	/* lowest free first */
		if (!fq->groups[c - 1].used) {
			g = &fq->groups[c - 1];
			break;
		}
	if (!g)
		return -ENOSPC;
	memset(g, 0, sizeof(*g));
	g->used = true;
	g->dev_id = last->dev_id;
	g->pasid = last->pasid;
	g->pasid_valid = last->pasid_valid;
	g->grpid = last->grpid;
	g->raised_at = emul_fq__now();
	__atomic_store_n(&fq->raised_ns[c - 1], g->raised_at, __ATOMIC_RELAXED);
	__atomic_store_n(&fq->answered_ns[c - 1], 0, __ATOMIC_RELAXED);
	/* Partials of the same device and PRG index, in arrival order (the
	 * PASID is not part of the match, as in the kernel). */
	for (int i = 0; i < fq->nr_partial && n < PRQ_MAX_GROUP - 1; ) {
		struct emul_fq_req *r = &fq->partial[i];

		if (r->dev_id == last->dev_id && r->grpid == last->grpid) {
			g->rec[n++] = (struct prq_host_fault){
				.flags = r->pasid_valid ?
					 IOMMU_PGFAULT_FLAGS_PASID_VALID : 0,
				.dev_id = r->dev_id, .pasid = r->pasid,
				.grpid = r->grpid, .perm = r->perm,
				.addr = r->addr, .cookie = c,
			};
			memmove(r, r + 1, (size_t)(fq->nr_partial - i - 1) *
				sizeof(*r));
			fq->nr_partial--;
		} else {
			i++;
		}
	}
	g->rec[n++] = (struct prq_host_fault){
		.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE |
			 (last->pasid_valid ? IOMMU_PGFAULT_FLAGS_PASID_VALID : 0),
		.dev_id = last->dev_id, .pasid = last->pasid,
		.grpid = last->grpid, .perm = last->perm, .addr = last->addr,
		.cookie = c,
	};
	g->nr = n;
	fq->stats.groups++;
	/* Like the kernel's queue, groups wait to be read; the host thread
	 * hands them to the FD, as many whole groups per message as fit
	 * (one read then returns them all, as a kernel read does). */
	g->queued = true;
	fq->nr_queued++;
	fq->fifo[(fq->fifo_head + fq->fifo_len++) % EMUL_FQ_MAX_GROUPS] = c;
	if (!fq->wake_pending) {
		fq->wake_pending = true;
		emul_fq__wake(fq);
	}
	return 0;
}

int emul_fq__page_request(struct emul_fq *fq, u32 dev_id, u32 pasid,
			  bool pasid_valid, u32 grpid, u32 perm, u64 addr,
			  bool last)
{
	struct emul_fq_req r = {
		.dev_id = dev_id, .pasid = pasid, .grpid = grpid & 0x1ff,
		.perm = perm, .pasid_valid = pasid_valid, .addr = addr,
	};
	struct emul_fq_dev *d;
	int ret = 0;

	pthread_mutex_lock(&fq->lock);
	fq->stats.requests++;
	d = emul_fq__dev(fq, dev_id);
	if (!d || !emul_fq__is_attached(d, pasid)) {
		fq->stats.no_handler++;
		ret = -ENOENT;
	} else if (!last) {
		if (fq->nr_partial == EMUL_FQ_MAX_PARTIAL)
			ret = -ENOSPC;
		else
			fq->partial[fq->nr_partial++] = r;
	} else {
		ret = emul_fq__complete(fq, &r);
	}
	pthread_mutex_unlock(&fq->lock);
	if (ret == -ENOENT && d && last && d->ops && d->ops->page_response)
		d->ops->page_response(d->dev, pasid, pasid_valid, r.grpid,
				      IOMMUFD_PAGE_RESP_INVALID);
	return ret;
}

/* Responses from the relay: in order, stop at the first bad one. */
static void emul_fq__responses(struct emul_fq *fq, const struct prq_host_resp *r,
			       size_t n)
{
	pthread_mutex_lock(&fq->lock);
	for (size_t i = 0; i < n; i++) {
		u32 c = r[i].cookie;

		if (!c || c > EMUL_FQ_MAX_GROUPS || !fq->groups[c - 1].used ||
		    fq->groups[c - 1].queued || r[i].code > 1) {
			fq->stats.refused += n - i;
			break;
		}
		fq->stats.responses++;
		emul_fq__answer(fq, c, r[i].code);
	}
	pthread_mutex_unlock(&fq->lock);
}

static void emul_fq__flush_queued(struct emul_fq *fq)
{
	pthread_mutex_lock(&fq->lock);
	fq->wake_pending = false;
	while (fq->fifo_len) {
		u32 nrec = 0, ngroups = 0;
		ssize_t n;

		/* Whole groups, in arrival order, up to one read's worth. */
		while (ngroups < fq->fifo_len) {
			u32 c = fq->fifo[(fq->fifo_head + ngroups) %
					 EMUL_FQ_MAX_GROUPS];
			struct emul_fq_group *g = &fq->groups[c - 1];

			if (!g->used || !g->queued) {	/* answered meanwhile */
				ngroups++;
				continue;
			}
			if (nrec + g->nr > PRQ_BATCH_MAX)
				break;
			memcpy(&fq->msg[nrec], g->rec, g->nr * sizeof(g->rec[0]));
			nrec += g->nr;
			ngroups++;
		}
		if (nrec) {
			n = send(fq->fd[1], fq->msg, nrec * sizeof(fq->msg[0]),
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n != (ssize_t)(nrec * sizeof(fq->msg[0])))
				break;	/* full: POLLOUT brings us back */
		}
		for (u32 i = 0; i < ngroups; i++) {
			u32 c = fq->fifo[fq->fifo_head];
			struct emul_fq_group *g = &fq->groups[c - 1];

			if (g->used && g->queued) {
				g->queued = false;
				fq->nr_queued--;
			}
			fq->fifo_head = (fq->fifo_head + 1) % EMUL_FQ_MAX_GROUPS;
			fq->fifo_len--;
		}
	}
	pthread_mutex_unlock(&fq->lock);
}

static void *emul_fq__thread(void *arg)
{
	struct emul_fq *fq = arg;
	struct prq_host_resp buf[PRQ_BATCH_MAX];

	while (!__atomic_load_n(&fq->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p[2] = {
			{ .fd = fq->fd[1], .events = POLLIN },
			{ .fd = fq->wake_fd, .events = POLLIN },
		};
		u64 cnt;

		if (__atomic_load_n(&fq->nr_queued, __ATOMIC_RELAXED))
			p[0].events |= POLLOUT;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN &&
		    read(fq->wake_fd, &cnt, sizeof(cnt)) < 0)
			pr_debug("emul-fq: wake read: %s", strerror(errno));
		if (p[0].revents & POLLIN) {
			ssize_t n = recv(fq->fd[1], buf, sizeof(buf),
					 MSG_DONTWAIT);

			if (n > 0) {
				if (n % sizeof(buf[0]))
					fq->stats.refused++;
				emul_fq__responses(fq, buf,
						   (size_t)n / sizeof(buf[0]));
			}
		}
		if (p[0].revents & (POLLHUP | POLLERR))
			break;
		emul_fq__flush_queued(fq);
	}
	return NULL;
}

int emul_fq__start(struct emul_fq *fq)
{
	int ret = pthread_create(&fq->thread, NULL, emul_fq__thread, fq);

	if (ret)
		return -ret;
	pthread_setname_np(fq->thread, "vsva-emul-fq");
	fq->started = true;
	return 0;
}

void emul_fq__destroy(struct emul_fq *fq)
{
	if (!fq)
		return;
	if (fq->started) {
		__atomic_store_n(&fq->stop, true, __ATOMIC_RELEASE);
		emul_fq__wake(fq);
		pthread_join(fq->thread, NULL);
	}
	pthread_mutex_lock(&fq->lock);
	for (u32 c = 1; c <= EMUL_FQ_MAX_GROUPS; c++)
		if (fq->groups[c - 1].used) {
			fq->stats.auto_invalid++;
			emul_fq__answer(fq, c, IOMMUFD_PAGE_RESP_INVALID);
		}
	pthread_mutex_unlock(&fq->lock);
	close(fq->fd[0]);
	close(fq->fd[1]);
	close(fq->wake_fd);
	free(fq);
}

void emul_fq__stats(struct emul_fq *fq, struct emul_fq_stats *out)
{
	pthread_mutex_lock(&fq->lock);
	*out = fq->stats;
	pthread_mutex_unlock(&fq->lock);
}

u64 emul_fq__raised_at(struct emul_fq *fq, u32 cookie)
{
	if (!cookie || cookie > EMUL_FQ_MAX_GROUPS)
		return 0;
	return __atomic_load_n(&fq->raised_ns[cookie - 1], __ATOMIC_RELAXED);
}

void emul_fq__answered(struct emul_fq *fq, u32 cookie, u64 t)
{
	if (cookie && cookie <= EMUL_FQ_MAX_GROUPS)
		__atomic_store_n(&fq->answered_ns[cookie - 1], t,
				 __ATOMIC_RELAXED);
}

static u64 emul_fq__host_raised_at(void *h, u32 cookie)
{
	return emul_fq__raised_at(h, cookie);
}

static void emul_fq__host_answered(void *h, u32 cookie, u64 t)
{
	emul_fq__answered(h, cookie, t);
}

const struct relay_host_ops emul_fq__relay_host_ops = {
	.raised_at = emul_fq__host_raised_at,
	.answered = emul_fq__host_answered,
};
