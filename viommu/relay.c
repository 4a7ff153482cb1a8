// SPDX-License-Identifier: GPL-2.0
/* The page-request relay: see include/vsva/relay.h and docs/relay.md. */
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <vsva/log.h>
#include <vsva/relay.h>

#define RELAY_READ_RECS		256	/* 10 KiB: several whole groups */
#define RELAY_SLOTS		2	/* reads armed at once (io_uring) */
#define RELAY_MAX_DEVS		64
#define RELAY_TIMEOUT_WARNINGS	8	/* log lines; the rest is counted */
#define RELAY_MAX_GROUPS	RELAY_READ_RECS

/* user_data: kind in the low byte, read slot above it */
enum {
	UD_POLL = 1,
	UD_READ,
	UD_CTL,
	UD_CANCEL,
	UD_WRITE,
};

#define UD(kind, slot)	((u64)(kind) | (u64)(slot) << 8)

#define CTL_REQUESTS	1ULL
#define CTL_STOP	2ULL
#define CTL_CALL	4ULL

struct relay {
	struct relay_config cfg;
	struct io_uring ring;
	bool ring_ok;
	pthread_t thread;
	bool started;

	int ctl_fd;
	u64 ctl_val;		/* eventfd counter: a wakeup only */
	u64 ctl_flags;		/* CTL_*: work asked for (atomic) */
	u64 ctl_pending;	/* flags taken, not yet acted on */
	bool read_armed[RELAY_SLOTS], ctl_armed;
	int nr_armed;
	bool stopping;

	struct prq_host_fault rbuf[RELAY_SLOTS][RELAY_READ_RECS];
	struct prq_host_fault sbuf[RELAY_READ_RECS];	/* synchronous drain */
	struct prq_group groups[RELAY_MAX_GROUPS];
	/* tags of the groups pushed from the current read */
	u32 batch_tags[RELAY_MAX_GROUPS];
	u32 nr_batch_tags;
	struct virtio_iommu_page_req recs[PRQ_MAX_GROUP];

	struct { u32 dev_id, ep; } map[RELAY_MAX_DEVS];
	int nr_map;
	/* Per-endpoint timeout policies (relay__set_timeout()), and the
	 * shortest of those and cfg.timeout_ns: how often to look. */
	struct { u32 ep; u64 ns; } tmo[RELAY_MAX_DEVS];
	int nr_tmo;
	u64 tick_ns;
	u32 timeout_warnings;

	pthread_mutex_t call_lock;	/* one call at a time */
	pthread_cond_t call_done;
	void (*call_fn)(struct relay *r, void *arg);
	void *call_arg;
	bool call_finished;

	struct prq_table tags;
	struct prq_resp_batch batch;
	/* io_uring mode: the batch being written (the next one fills) */
	struct prq_resp_batch wbatch;
	bool write_inflight;
	bool pushed;
	struct relay_stats st;
};

static u64 relay__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

int relay__create(struct relay **out, const struct relay_config *cfg)
{
	struct relay *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->cfg = *cfg;
	r->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->ctl_fd < 0) {
		free(r);
		return -errno;
	}
	prq__init(&r->tags, cfg->max_tags ? cfg->max_tags : PRQ_MAX_TAGS);
	pthread_mutex_init(&r->call_lock, NULL);
	pthread_cond_init(&r->call_done, NULL);
	hist__init(&r->st.dev_to_relay);
	hist__init(&r->st.relay_to_guest);
	hist__init(&r->st.guest);
	hist__init(&r->st.relay_cost);
	r->tick_ns = cfg->timeout_ns;
	*out = r;
	return 0;
}

int relay__set_timeout(struct relay *r, u32 ep, u64 ns)
{
	int i;

	if (r->started)
		return -EBUSY;
	for (i = 0; i < r->nr_tmo; i++)
		if (r->tmo[i].ep == ep)
			break;
	if (i == r->nr_tmo) {
		if (r->nr_tmo == RELAY_MAX_DEVS)
			return -ENOSPC;
		r->nr_tmo++;
	}
	r->tmo[i].ep = ep;
	r->tmo[i].ns = ns;
	r->tick_ns = r->cfg.timeout_ns;
	for (i = 0; i < r->nr_tmo; i++)
		if (r->tmo[i].ns && (!r->tick_ns || r->tmo[i].ns < r->tick_ns))
			r->tick_ns = r->tmo[i].ns;
	return 0;
}

/* The timeout policy of endpoint @ep (0: none). */
static u64 relay__timeout_of(const struct relay *r, u32 ep)
{
	for (int i = 0; i < r->nr_tmo; i++)
		if (r->tmo[i].ep == ep && r->tmo[i].ns)
			return r->tmo[i].ns;
	return r->cfg.timeout_ns;
}

void relay__map_device(struct relay *r, u32 dev_id, u32 ep)
{
	if (r->nr_map < RELAY_MAX_DEVS) {
		r->map[r->nr_map].dev_id = dev_id;
		r->map[r->nr_map].ep = ep;
		r->nr_map++;
	}
}

static int relay__ep_of(struct relay *r, u32 dev_id, u32 *ep)
{
	for (int i = 0; i < r->nr_map; i++)
		if (r->map[i].dev_id == dev_id) {
			*ep = r->map[i].ep;
			return 0;
		}
	return -ENOENT;
}

/* --- responses --- */

void relay__flush(struct relay *r)
{
	struct prq_resp_batch *b = &r->batch;

	while (b->nr) {
		ssize_t n = write(r->cfg.fd, b->r, b->nr * sizeof(b->r[0]));

		r->st.writes++;
		r->st.syscalls++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EINVAL) {
			/* The FD is gone: nothing more can be answered. */
			r->st.write_errors++;
			pr_err("relay: writing responses: %s", strerror(errno));
			b->nr = 0;
			return;
		}
		/* EINVAL: the first entry was refused (nothing consumed). */
		if (prq_batch__consumed(b, n < 0 ? 0 : (size_t)n) < 0) {
			b->nr = 0;
			return;
		}
	}
	r->st.refused_by_host = b->refused;
}

/*
 * io_uring mode: hand the batch to the ring; it is written with the next
 * submit, in the same io_uring_enter that waits for page requests.
 */
static void relay__flush_async(struct relay *r)
{
	struct io_uring_sqe *sqe;

	if (!r->batch.nr || r->write_inflight)
		return;
	sqe = io_uring_get_sqe(&r->ring);
	if (!sqe) {
		relay__flush(r);
		return;
	}
	r->wbatch.nr = r->batch.nr;
	memcpy(r->wbatch.r, r->batch.r, r->batch.nr * sizeof(r->batch.r[0]));
	r->batch.nr = 0;
	io_uring_prep_write(sqe, r->cfg.fd, r->wbatch.r,
			    r->wbatch.nr * sizeof(r->wbatch.r[0]), 0);
	io_uring_sqe_set_data64(sqe, UD_WRITE);
	r->write_inflight = true;
	r->st.writes++;
}

/* The ring wrote (part of) wbatch: a short write refused its first
 * unwritten entry; what follows it goes back to the front of the batch. */
static void relay__write_done(struct relay *r, int res)
{
	struct prq_resp_batch *w = &r->wbatch;

	r->write_inflight = false;
	if (res < 0 && res != -EINVAL) {
		r->st.write_errors++;
		pr_err("relay: writing responses: %s", strerror(-res));
		w->nr = 0;
		return;
	}
	if (prq_batch__consumed(w, res < 0 ? 0 : (size_t)res) < 0) {
		w->nr = 0;
		return;
	}
	r->batch.refused += w->refused;
	r->batch.short_writes += w->short_writes;
	w->refused = w->short_writes = 0;
	if (w->nr) {
		u32 room = PRQ_BATCH_MAX - r->batch.nr;

		if (w->nr > room) {
			relay__flush(r);
			room = PRQ_BATCH_MAX;
		}
		memmove(&r->batch.r[w->nr], r->batch.r,
			r->batch.nr * sizeof(r->batch.r[0]));
		memcpy(r->batch.r, w->r, w->nr * sizeof(w->r[0]));
		r->batch.nr += w->nr;
		w->nr = 0;
	}
}

static void relay__respond(struct relay *r, u32 cookie, u32 code)
{
	if (prq_batch__add(&r->batch, cookie, code) == -ENOSPC) {
		relay__flush(r);
		prq_batch__add(&r->batch, cookie, code);
	}
}

/* --- host -> guest --- */

static void relay__group(struct relay *r, const struct prq_group *g, u64 now)
{
	const struct relay_guest_ops *ops = r->cfg.guest;
	u64 t0 = 0;
	u32 ep;
	int room, tag;

	r->st.groups_in++;
	if (r->cfg.host && r->cfg.host->raised_at)
		t0 = r->cfg.host->raised_at(r->cfg.h, g->cookie);
	if (t0 && t0 <= now)
		hist__add(&r->st.dev_to_relay, now - t0);
	if (relay__ep_of(r, g->rec[0].dev_id, &ep)) {
		prq__count_auto(&r->tags, PRQ_AUTO_UNKNOWN_DEVICE);
		relay__respond(r, g->cookie, IOMMUFD_PAGE_RESP_INVALID);
		return;
	}
	room = ops->room(r->cfg.g);
	if (room < 0 || (u32)room < g->nr) {
		/* The device re-translates and asks again (VT-d does this
		 * when its page-request queue overflows). */
		prq__count_auto(&r->tags, room < 0 ? PRQ_AUTO_NO_QUEUE :
				PRQ_AUTO_QUEUE_FULL);
		relay__respond(r, g->cookie, IOMMUFD_PAGE_RESP_SUCCESS);
		return;
	}
	tag = prq__translate_group(&r->tags, g, ep, now, r->recs);
	if (tag < 0) {
		prq__count_auto(&r->tags, PRQ_AUTO_QUEUE_FULL);
		relay__respond(r, g->cookie, IOMMUFD_PAGE_RESP_SUCCESS);
		return;
	}
	ops->push(r->cfg.g, r->recs, g->nr);
	r->pushed = true;
	r->batch_tags[r->nr_batch_tags++] = (u32)tag;
}

/* The groups of one read are in the guest's queue: one timestamp for all
 * of them (the guest sees none of them before the kick that follows). */
static void relay__pushed(struct relay *r, u64 t_read)
{
	u64 t;

	if (!r->nr_batch_tags)
		return;
	t = relay__now();
	for (u32 i = 0; i < r->nr_batch_tags; i++) {
		struct prq_tag *pt = prq__lookup(&r->tags, r->batch_tags[i]);

		if (pt)
			pt->t_pushed = t;
		hist__add(&r->st.relay_to_guest, t - t_read);
		hist__add(&r->st.relay_cost, t - t_read);
	}
	r->nr_batch_tags = 0;
}

static void relay__process(struct relay *r, const void *buf, size_t len)
{
	size_t bad = 0;
	u64 now = relay__now();
	int n = prq__split(buf, len, r->groups, RELAY_MAX_GROUPS, &bad);

	r->st.reads++;
	r->st.read_bytes += len;
	if (n < 0) {
		/* Cannot happen with the kernel's whole-group reads; nothing
		 * in a malformed read can be answered (no trusted cookie). */
		r->tags.stats.bad_records += len / sizeof(struct prq_host_fault);
		pr_warn("relay: %zu bytes of malformed fault records dropped",
			len);
		return;
	}
	for (int i = 0; i < n; i++)
		relay__group(r, &r->groups[i], now);
	relay__pushed(r, now);
}

/* The optional timeout policy: groups the guest sat on too long. */
static void relay__expire(struct relay *r)
{
	u64 now, limit;

	if (!r->tick_ns || !r->tags.nr_live)
		return;
	now = relay__now();
	for (u32 i = 0; i < PRQ_MAX_TAGS; i++) {
		struct prq_tag *t = &r->tags.tags[i];
		u32 tag;

		if (!t->live || !t->t_read)
			continue;
		limit = relay__timeout_of(r, t->endpoint);
		if (!limit || now - t->t_read < limit)
			continue;
		tag = t->gen << PRQ_TAG_INDEX_BITS | i;
		if (prq__auto_answer(&r->tags, tag, PRQ_AUTO_TIMEOUT, &r->batch,
				     IOMMUFD_PAGE_RESP_INVALID) == -ENOSPC) {
			relay__flush(r);
			prq__auto_answer(&r->tags, tag, PRQ_AUTO_TIMEOUT,
					 &r->batch, IOMMUFD_PAGE_RESP_INVALID);
		}
		/* A few lines, then only the count (a silent guest can
		 * leave thousands). */
		if (++r->timeout_warnings <= RELAY_TIMEOUT_WARNINGS)
			pr_warn("relay: endpoint %#x PASID %u: no answer from the guest in %llu ms, answered Invalid%s",
				t->endpoint, t->pasid,
				(unsigned long long)(limit / 1000000),
				r->timeout_warnings == RELAY_TIMEOUT_WARNINGS ?
				" (further ones only counted: timeout)" : "");
	}
}

static void relay__kick_guest(struct relay *r)
{
	if (r->pushed) {
		r->cfg.guest->kick(r->cfg.g);
		r->st.kicks++;
		r->pushed = false;
	}
}

/* --- guest -> host --- */

u8 relay__page_resp(struct relay *r,
		    const struct virtio_iommu_req_page_resp *resp)
{
	struct prq_tag *pt = prq__lookup(&r->tags, resp->tag);
	u64 pushed = pt ? pt->t_pushed : 0;
	struct prq_host_resp hr;
	bool failure = false;
	u8 st;

	st = prq__guest_response(&r->tags, resp, &hr, &failure);
	if (st != VIRTIO_IOMMU_S_OK)
		return st;
	{
		u64 now = relay__now();

		if (pushed)
			hist__add(&r->st.guest, now - pushed);
		if (r->cfg.host && r->cfg.host->answered)
			r->cfg.host->answered(r->cfg.h, hr.cookie, now);
	}
	relay__respond(r, hr.cookie, hr.code);
	if (failure && r->cfg.guest->pri_failure)
		r->cfg.guest->pri_failure(r->cfg.g, resp->endpoint);
	return VIRTIO_IOMMU_S_OK;
}

void relay__drop(struct relay *r, u32 ep, u32 pasid, enum prq_auto why,
		 bool respond)
{
	/* A drain stops when the batch is full: flush and go on. */
	while (prq__drain(&r->tags, ep, pasid, why, respond, &r->batch) > 0 &&
	       respond)
		relay__flush(r);
	if (respond)
		relay__flush(r);
}

/* --- the io_uring loop --- */

static void relay__arm_read(struct relay *r)
{
	for (int i = 0; i < RELAY_SLOTS; i++) {
		struct io_uring_sqe *sqe;

		if (r->read_armed[i])
			continue;
		sqe = io_uring_get_sqe(&r->ring);
		if (!sqe)
			return;
		io_uring_prep_poll_add(sqe, r->cfg.fd, POLLIN);
		sqe->flags |= IOSQE_IO_LINK;
		io_uring_sqe_set_data64(sqe, UD(UD_POLL, i));
		sqe = io_uring_get_sqe(&r->ring);
		io_uring_prep_read(sqe, r->cfg.fd, r->rbuf[i],
				   sizeof(r->rbuf[i]), 0);
		io_uring_sqe_set_data64(sqe, UD(UD_READ, i));
		r->read_armed[i] = true;
		r->nr_armed++;
	}
}

static void relay__arm_ctl(struct relay *r)
{
	struct io_uring_sqe *sqe;

	if (r->ctl_armed)
		return;
	sqe = io_uring_get_sqe(&r->ring);
	io_uring_prep_read(sqe, r->ctl_fd, &r->ctl_val, sizeof(r->ctl_val), 0);
	io_uring_sqe_set_data64(sqe, UD_CTL);
	r->ctl_armed = true;
}

/* One completion.  Read data is processed at once. */
static void relay__cqe(struct relay *r, struct io_uring_cqe *cqe)
{
	u64 ud = io_uring_cqe_get_data64(cqe);
	int slot = (int)(ud >> 8) % RELAY_SLOTS;

	switch (ud & 0xff) {
	case UD_POLL:
		if (cqe->res < 0 && cqe->res != -ECANCELED)
			pr_warn("relay: poll on the fault FD: %s",
				strerror(-cqe->res));
		break;
	case UD_READ:
		r->read_armed[slot] = false;
		r->nr_armed--;
		if (cqe->res > 0)
			relay__process(r, r->rbuf[slot], (size_t)cqe->res);
		else if (cqe->res == 0 || cqe->res == -EAGAIN)
			r->st.empty_reads++;
		else if (cqe->res != -ECANCELED)
			pr_warn("relay: reading the fault FD: %s",
				strerror(-cqe->res));
		break;
	case UD_WRITE:
		relay__write_done(r, cqe->res);
		break;
	case UD_CTL:
		r->ctl_armed = false;
		r->ctl_pending |= __atomic_exchange_n(&r->ctl_flags, 0,
						      __ATOMIC_ACQ_REL);
		break;
	default:
		break;
	}
}

void relay__quiesce(struct relay *r)
{
	struct io_uring_cqe *cqe;

	if (r->cfg.mode == RELAY_URING && r->ring_ok && r->nr_armed) {
		for (int i = 0; i < RELAY_SLOTS; i++) {
			/* The poll, or the read if the poll already fired
			 * (io_uring may park a read on an empty socket). */
			static const int kinds[] = { UD_POLL, UD_READ };

			if (!r->read_armed[i])
				continue;
			for (int k = 0; k < 2; k++) {
				struct io_uring_sqe *sqe;

				sqe = io_uring_get_sqe(&r->ring);
				if (!sqe) {
					io_uring_submit(&r->ring);
					sqe = io_uring_get_sqe(&r->ring);
				}
				io_uring_prep_cancel64(sqe, UD(kinds[k], i), 0);
				io_uring_sqe_set_data64(sqe, UD_CANCEL);
			}
		}
		io_uring_submit(&r->ring);
		/* Each read completes either way: with data if it got some,
		 * else -ECANCELED. */
		while (r->nr_armed) {
			if (io_uring_wait_cqe(&r->ring, &cqe))
				break;
			relay__cqe(r, cqe);
			io_uring_cqe_seen(&r->ring, cqe);
		}
	}
	/* Take in whatever else the host has queued, synchronously. */
	for (;;) {
		ssize_t n = read(r->cfg.fd, r->sbuf, sizeof(r->sbuf));


		if (n <= 0)
			break;
		relay__process(r, r->sbuf, (size_t)n);
	}
}

static void relay__run_ctl_once(struct relay *r);

/* Run what was asked, including what arrives meanwhile (a quiesce inside
 * the work can take in more control completions). */
static void relay__run_ctl(struct relay *r)
{
	while (r->ctl_pending && !r->stopping)
		relay__run_ctl_once(r);
}

static void relay__run_ctl_once(struct relay *r)
{
	u64 p = r->ctl_pending;

	r->ctl_pending = 0;
	if (p & CTL_REQUESTS)
		r->cfg.guest->requests(r->cfg.g);
	if (p & CTL_CALL) {
		void (*fn)(struct relay *r, void *arg);

		pthread_mutex_lock(&r->call_lock);
		fn = r->call_fn;
		r->call_fn = NULL;
		pthread_mutex_unlock(&r->call_lock);
		if (fn)
			fn(r, r->call_arg);
		pthread_mutex_lock(&r->call_lock);
		r->call_finished = true;
		pthread_cond_broadcast(&r->call_done);
		pthread_mutex_unlock(&r->call_lock);
	}
	if (p & CTL_STOP)
		r->stopping = true;
}

static void *relay__uring_thread(void *arg)
{
	struct relay *r = arg;
	struct io_uring_cqe *cqe;

	while (!r->stopping) {
		unsigned int head, n = 0;

		relay__arm_read(r);
		relay__arm_ctl(r);
		struct __kernel_timespec ts = {
			.tv_nsec = (long long)MIN(r->tick_ns / 2 + 1,
						  100000000ULL),
		};
		int ret;

		r->st.syscalls++;
		ret = r->tick_ns ?
			  io_uring_submit_and_wait_timeout(&r->ring, &cqe, 1,
							   &ts, NULL) :
			  io_uring_submit_and_wait(&r->ring, 1);

		if (ret == -ETIME)
			ret = 0;
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN) {
			pr_err("relay: io_uring: %s", strerror(-ret));
			break;
		}
		io_uring_for_each_cqe(&r->ring, head, cqe) {
			relay__cqe(r, cqe);
			n++;
		}
		io_uring_cq_advance(&r->ring, n);
		relay__run_ctl(r);
		relay__expire(r);
		/* Kick first: a guest may answer at once (the synthetic one
		 * does, on this thread); its answers go out with the next
		 * submit. */
		relay__kick_guest(r);
		relay__flush_async(r);
	}
	/* Let the last write land before anything else is written. */
	while (r->write_inflight) {
		if (io_uring_submit_and_wait(&r->ring, 1) < 0 ||
		    io_uring_wait_cqe(&r->ring, &cqe))
			break;
		relay__cqe(r, cqe);
		io_uring_cqe_seen(&r->ring, cqe);
	}
	return NULL;
}

/* The baseline: poll() for readiness, then read(), as eventfd-era
 * designs do; kept for `make bench`. */
static void *relay__poll_thread(void *arg)
{
	struct relay *r = arg;

	while (!r->stopping) {
		struct pollfd p[2] = {
			{ .fd = r->cfg.fd, .events = POLLIN },
			{ .fd = r->ctl_fd, .events = POLLIN },
		};

		int wait = r->tick_ns ?
			   (int)MIN(r->tick_ns / 2000000 + 1, 100ULL) : -1;

		r->st.syscalls++;
		if (poll(p, 2, wait) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		relay__expire(r);
		if (p[0].revents & POLLIN) {
			ssize_t n = read(r->cfg.fd, r->rbuf[0],
					 sizeof(r->rbuf[0]));

			r->st.syscalls++;
			if (n > 0)
				relay__process(r, r->rbuf[0], (size_t)n);
			else
				r->st.empty_reads++;
		}
		if (p[1].revents & POLLIN) {
			u64 v;

			if (read(r->ctl_fd, &v, sizeof(v)) < 0)
				pr_debug("relay: control read: %s",
					 strerror(errno));
			r->ctl_pending |= __atomic_exchange_n(&r->ctl_flags, 0,
							      __ATOMIC_ACQ_REL);
			relay__run_ctl(r);
		}
		relay__kick_guest(r);
		relay__flush(r);
	}
	return NULL;
}

static void *relay__thread(void *arg)
{
	struct relay *r = arg;

	if (r->cfg.mode == RELAY_URING)
		relay__uring_thread(r);
	else
		relay__poll_thread(r);
	/* VM exit: vsva answers everything still outstanding. */
	relay__quiesce(r);
	relay__drop(r, PRQ_ALL_ENDPOINTS, PRQ_ALL_PASIDS, PRQ_AUTO_VM_EXIT,
		    true);
	{
		struct timespec ts;

		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
		r->st.cpu_ns = (u64)ts.tv_sec * 1000000000ULL +
			       (u64)ts.tv_nsec;
	}
	return NULL;
}

int relay__start(struct relay *r)
{
	int ret;

	if (r->cfg.mode == RELAY_URING) {
		ret = io_uring_queue_init(4 * RELAY_SLOTS + 8, &r->ring, 0);
		if (ret)
			return ret;
		r->ring_ok = true;
	}
	ret = pthread_create(&r->thread, NULL, relay__thread, r);
	if (ret)
		return -ret;
	pthread_setname_np(r->thread, "vsva-relay");
	r->started = true;
	return 0;
}

/*
 * Ask the relay thread for work: the flag says what, the eventfd only
 * wakes it (its counter adds up writes, so it cannot carry flags).
 */
static void relay__ctl(struct relay *r, u64 what)
{
	u64 one = 1;

	__atomic_or_fetch(&r->ctl_flags, what, __ATOMIC_ACQ_REL);
	if (write(r->ctl_fd, &one, sizeof(one)) < 0)
		pr_warn("relay: control: %s", strerror(errno));
}

void relay__kick_requests(struct relay *r)
{
	relay__ctl(r, CTL_REQUESTS);
}

void relay__call(struct relay *r, void (*fn)(struct relay *r, void *arg),
		 void *arg)
{
	static pthread_mutex_t serial = PTHREAD_MUTEX_INITIALIZER;

	if (!r->started) {
		fn(r, arg);
		return;
	}
	pthread_mutex_lock(&serial);
	pthread_mutex_lock(&r->call_lock);
	r->call_fn = fn;
	r->call_arg = arg;
	r->call_finished = false;
	pthread_mutex_unlock(&r->call_lock);
	relay__ctl(r, CTL_CALL);
	pthread_mutex_lock(&r->call_lock);
	while (!r->call_finished)
		pthread_cond_wait(&r->call_done, &r->call_lock);
	pthread_mutex_unlock(&r->call_lock);
	pthread_mutex_unlock(&serial);
}

void relay__stop(struct relay *r)
{
	if (!r->started)
		return;
	relay__ctl(r, CTL_STOP);
	pthread_join(r->thread, NULL);
	r->started = false;
}

void relay__destroy(struct relay *r)
{
	if (!r)
		return;
	relay__stop(r);
	if (r->ring_ok)
		io_uring_queue_exit(&r->ring);
	close(r->ctl_fd);
	free(r);
}

void relay__stats(struct relay *r, struct relay_stats *out)
{
	*out = r->st;
	out->prq = r->tags.stats;
	out->refused_by_host = r->batch.refused;
}
