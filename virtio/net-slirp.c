// SPDX-License-Identifier: GPL-2.0
/*
 * The `user` network back end: libslirp, user-mode TCP/IP with NAT, no
 * privileges.  The guest network is 10.0.2.0/24: the guest gets
 * 10.0.2.15 by DHCP, the gateway (and the host) is 10.0.2.2, DNS 10.0.2.3.
 * IPv4 only.  hostfwd rules make host ports reach guest ports.
 *
 * Everything here but open and close runs on virtio-net's network thread:
 * libslirp is not thread-safe and that thread is the only one entering
 * it.  Each loop: slirp_pollfds_fill() adds the sockets it wants to the
 * pollset and shortens the timeout for its TCP timers (and ours), poll(),
 * then slirp_pollfds_poll() services the sockets and timers.  libslirp's
 * register/unregister_poll_fd callbacks only count sockets: the fd set is
 * rebuilt before every poll().
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <slirp/libslirp.h>

#include <vsva/log.h>
#include <vsva/virtio-net.h>

struct slirp_timer {
	SlirpTimerCb cb;
	void *cb_opaque;
	s64 expire_ms;			/* -1: not armed */
	struct slirp_timer *next;
};

struct net_slirp {
	Slirp *slirp;
	struct net_port *port;
	struct net_pollset *ps;		/* during poll_fill/poll_done */
	struct slirp_timer *timers;
	bool fill_failed;		/* an fd did not fit in the set */
	unsigned int nr_sockets;
	u64 guest_errors;
};

static s64 net_slirp__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (s64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* --- SlirpCb --- */

static ssize_t net_slirp__send_packet(const void *buf, size_t len,
				      void *opaque)
{
	struct net_slirp *s = opaque;

	/* Dropping is allowed (TCP retransmits); the device counts drops. */
	net_port__receive(s->port, buf, len);
	return (ssize_t)len;
}

static void net_slirp__guest_error(const char *msg, void *opaque)
{
	struct net_slirp *s = opaque;

	s->guest_errors++;
	pr_debug("virtio-net: slirp: guest error: %s", msg);
}

static int64_t net_slirp__clock_get_ns(void *opaque)
{
	return net_slirp__now_ns();
}

static void *net_slirp__timer_new(SlirpTimerCb cb, void *cb_opaque,
				  void *opaque)
{
	struct net_slirp *s = opaque;
	struct slirp_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cb = cb;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = s->timers;
	s->timers = t;
	return t;
}

static void net_slirp__timer_free(void *timer, void *opaque)
{
	struct net_slirp *s = opaque;
	struct slirp_timer **p;

	for (p = &s->timers; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
	}
}

/* @expire_ms is absolute, on the clock_get_ns clock in milliseconds. */
static void net_slirp__timer_mod(void *timer, int64_t expire_ms,
				 void *opaque)
{
	struct slirp_timer *t = timer;

	t->expire_ms = expire_ms < 0 ? 0 : expire_ms;
}

static void net_slirp__register_poll_fd(int fd, void *opaque)
{
	((struct net_slirp *)opaque)->nr_sockets++;
}

static void net_slirp__unregister_poll_fd(int fd, void *opaque)
{
	struct net_slirp *s = opaque;

	if (s->nr_sockets)
		s->nr_sockets--;
}

static void net_slirp__notify(void *opaque)
{
	/* A socket can take more data: look again at once. */
	net_port__wake(((struct net_slirp *)opaque)->port);
}

static const SlirpCb net_slirp_cb = {
	.send_packet = net_slirp__send_packet,
	.guest_error = net_slirp__guest_error,
	.clock_get_ns = net_slirp__clock_get_ns,
	.timer_new = net_slirp__timer_new,
	.timer_free = net_slirp__timer_free,
	.timer_mod = net_slirp__timer_mod,
	.register_poll_fd = net_slirp__register_poll_fd,
	.unregister_poll_fd = net_slirp__unregister_poll_fd,
	.notify = net_slirp__notify,
};

/* --- polling --- */

static short net_slirp__to_poll(int ev)
{
	short p = 0;

	if (ev & SLIRP_POLL_IN)
		p |= POLLIN;
	if (ev & SLIRP_POLL_OUT)
		p |= POLLOUT;
	if (ev & SLIRP_POLL_PRI)
		p |= POLLPRI;
	/* ERR and HUP are always reported. */
	return p;
}

static int net_slirp__add_poll(int fd, int events, void *opaque)
{
	struct net_slirp *s = opaque;
	int idx = net_pollset__add(s->ps, fd, net_slirp__to_poll(events));

	/* -1 (unpolled) if the set cannot grow; slirp skips the socket. */
	if (idx < 0) {
		s->fill_failed = true;
		return -1;
	}
	return idx;
}

static int net_slirp__get_revents(int idx, void *opaque)
{
	struct net_slirp *s = opaque;
	short r;
	int ev = 0;

	if (idx < 0 || (unsigned int)idx >= s->ps->nr)
		return 0;
	r = s->ps->fds[idx].revents;
	if (r & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (r & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (r & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (r & (POLLERR | POLLNVAL))
		ev |= SLIRP_POLL_ERR;
	if (r & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

static int net_slirp__poll_fill(void *be, struct net_pollset *ps,
				int *timeout_ms)
{
	struct net_slirp *s = be;
	uint32_t t = UINT32_MAX;
	s64 now = net_slirp__now_ns() / 1000000;
	struct slirp_timer *tm;

	s->ps = ps;
	s->fill_failed = false;
	slirp_pollfds_fill(s->slirp, &t, net_slirp__add_poll, s);
	for (tm = s->timers; tm; tm = tm->next) {
		if (tm->expire_ms < 0)
			continue;
		if (tm->expire_ms <= now)
			t = 0;
		else if ((u64)(tm->expire_ms - now) < t)
			t = (uint32_t)(tm->expire_ms - now);
	}
	if (t != UINT32_MAX && (*timeout_ms < 0 || t < (u32)*timeout_ms))
		*timeout_ms = (int)MIN(t, (uint32_t)INT32_MAX);
	/* Some socket is not polled: the caller polls again soon. */
	return s->fill_failed ? -ENOMEM : 0;
}

static void net_slirp__run_timers(struct net_slirp *s)
{
	s64 now = net_slirp__now_ns() / 1000000;
	struct slirp_timer *t;
	bool again = true;

	/* A callback may free or re-arm timers: rescan after each one. */
	while (again) {
		again = false;
		for (t = s->timers; t; t = t->next) {
			if (t->expire_ms >= 0 && t->expire_ms <= now) {
				t->expire_ms = -1;
				t->cb(t->cb_opaque);
				again = true;
				break;
			}
		}
	}
}

static void net_slirp__poll_done(void *be, const struct net_pollset *ps,
				 bool error)
{
	struct net_slirp *s = be;

	s->ps = (struct net_pollset *)ps;
	slirp_pollfds_poll(s->slirp, error, net_slirp__get_revents, s);
	net_slirp__run_timers(s);
	s->ps = NULL;
}

/* --- the rest of the back end --- */

static void net_slirp__send(void *be, const u8 *frame, size_t len)
{
	struct net_slirp *s = be;

	slirp_input(s->slirp, frame, (int)len);
}

static void net_slirp__close(void *be)
{
	struct net_slirp *s = be;

	if (s->slirp)
		slirp_cleanup(s->slirp);
	while (s->timers) {
		struct slirp_timer *t = s->timers;

		s->timers = t->next;
		free(t);
	}
	if (s->guest_errors)
		pr_info("virtio-net: slirp reported %llu guest errors",
			(unsigned long long)s->guest_errors);
	free(s);
}

static struct in_addr net_slirp__in(u32 host_order)
{
	return (struct in_addr){ .s_addr = htonl(host_order) };
}

static int net_slirp__open(void **be, const struct net_config *cfg,
			   struct net_port *port)
{
	SlirpConfig sc = {
		.version = 4,
		.restricted = 0,
		.in_enabled = true,
		.vnetwork = net_slirp__in(NET_USER_NET),
		.vnetmask = net_slirp__in(NET_USER_MASK),
		.vhost = net_slirp__in(NET_USER_GATEWAY),
		.in6_enabled = false,
		.vdhcp_start = net_slirp__in(NET_USER_GUEST),
		.vnameserver = net_slirp__in(NET_USER_DNS),
		.if_mtu = NET_MTU,
		.if_mru = NET_MTU,
	};
	struct net_slirp *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->port = port;
	s->slirp = slirp_new(&sc, &net_slirp_cb, s);
	if (!s->slirp) {
		pr_err("virtio-net: slirp_new failed");
		free(s);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < cfg->nr_hostfwd; i++) {
		const struct net_hostfwd *f = &cfg->hostfwd[i];

		if (slirp_add_hostfwd(s->slirp, f->udp,
				      net_slirp__in(f->host_addr),
				      f->host_port,
				      net_slirp__in(f->guest_addr),
				      f->guest_port) < 0) {
			pr_err("virtio-net: cannot forward host %s port %u to the guest (port in use?)",
			       f->udp ? "udp" : "tcp", f->host_port);
			net_slirp__close(s);
			return -EADDRINUSE;
		}
	}
	*be = s;
	return 0;
}

const struct net_backend_ops net_slirp_ops = {
	.name = "user",
	.open = net_slirp__open,
	.send = net_slirp__send,
	.poll_fill = net_slirp__poll_fill,
	.poll_done = net_slirp__poll_done,
	.close = net_slirp__close,
};
