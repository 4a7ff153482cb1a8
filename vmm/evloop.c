// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop: one thread on epoll for ioeventfds, the console input
 * and device back ends.  Callbacks run on this thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include <vsva/evloop.h>
#include <vsva/log.h>
#include <vsva/vm.h>

typedef void (*evloop_fn)(struct vm *vm, int fd, u32 revents, void *opaque);

struct evloop_entry {
	int fd;
	evloop_fn fn;
	void *opaque;
	struct evloop_entry *next;
};

struct ioevent {
	u64 addr;
	u32 len;
	bool pio;
	int fd;
	void (*fn)(struct vm *vm, void *opaque);
	void *opaque;
	struct ioevent *next;
};

struct evloop {
	int epfd;
	int stop_fd;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	struct evloop_entry *entries;	/* freed at exit, never reused */
	struct ioevent *ioevents;
};

static void *evloop__thread(void *arg)
{
	struct vm *vm = arg;
	struct evloop *el = vm->evloop;
	struct epoll_event evs[16];

	for (;;) {
		int n = epoll_wait(el->epfd, evs, ARRAY_SIZE(evs), -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_err("evloop: epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			struct evloop_entry *e = evs[i].data.ptr;

			if (!e)		/* the stop eventfd */
				return NULL;
			if (e->fn)
				e->fn(vm, e->fd, evs[i].events, e->opaque);
		}
	}
	return NULL;
}

int evloop__init(struct vm *vm)
{
	struct evloop *el = calloc(1, sizeof(*el));
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	if (!el)
		return -ENOMEM;
	pthread_mutex_init(&el->lock, NULL);
	el->epfd = epoll_create1(EPOLL_CLOEXEC);
	el->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (el->epfd < 0 || el->stop_fd < 0 ||
	    epoll_ctl(el->epfd, EPOLL_CTL_ADD, el->stop_fd, &ev) < 0) {
		int err = -errno;

		free(el);
		return err;
	}
	vm->evloop = el;
	return 0;
}

int evloop__start(struct vm *vm)
{
	struct evloop *el = vm->evloop;
	int ret = pthread_create(&el->thread, NULL, evloop__thread, vm);

	if (ret)
		return -ret;
	pthread_setname_np(el->thread, "vsva-evloop");
	el->started = true;
	return 0;
}

void evloop__stop(struct vm *vm)
{
	struct evloop *el = vm->evloop;
	u64 one = 1;

	if (!el || !el->started)
		return;
	if (write(el->stop_fd, &one, sizeof(one)) < 0)
		pr_warn("evloop: cannot signal stop");
	pthread_join(el->thread, NULL);
	el->started = false;
}

void evloop__exit(struct vm *vm)
{
	struct evloop *el = vm->evloop;

	if (!el)
		return;
	evloop__stop(vm);
	while (el->ioevents) {
		struct ioevent *io = el->ioevents;

		el->ioevents = io->next;
		close(io->fd);
		free(io);
	}
	while (el->entries) {
		struct evloop_entry *e = el->entries;

		el->entries = e->next;
		free(e);
	}
	close(el->stop_fd);
	close(el->epfd);
	free(el);
	vm->evloop = NULL;
}

int evloop__add(struct vm *vm, int fd, u32 events, evloop_fn fn, void *opaque)
{
	struct evloop *el = vm->evloop;
	struct evloop_entry *e = calloc(1, sizeof(*e));
	struct epoll_event ev = { .events = events };

	if (!e)
		return -ENOMEM;
	e->fd = fd;
	e->fn = fn;
	e->opaque = opaque;
	ev.data.ptr = e;
	if (epoll_ctl(el->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		free(e);
		return err;
	}
	pthread_mutex_lock(&el->lock);
	e->next = el->entries;
	el->entries = e;
	pthread_mutex_unlock(&el->lock);
	return 0;
}

int evloop__del(struct vm *vm, int fd)
{
	struct evloop *el = vm->evloop;
	struct evloop_entry *e;

	if (epoll_ctl(el->epfd, EPOLL_CTL_DEL, fd, NULL) < 0)
		return -errno;
	/*
	 * The entry stays allocated (a callback may be running on it); it
	 * is only disarmed, and freed at exit.
	 */
	pthread_mutex_lock(&el->lock);
	for (e = el->entries; e; e = e->next)
		if (e->fd == fd && e->fn) {
			e->fn = NULL;
			e->fd = -1;
			break;
		}
	pthread_mutex_unlock(&el->lock);
	return 0;
}

static void ioeventfd__fire(struct vm *vm, int fd, u32 revents, void *opaque)
{
	struct ioevent *io = opaque;
	u64 cnt;

	if (read(fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return;
	io->fn(vm, io->opaque);
}

static int ioeventfd__kvm(struct vm *vm, struct ioevent *io, bool assign)
{
	struct kvm_ioeventfd kio = {
		.addr = io->addr,
		.len = io->len,
		.fd = io->fd,
		.flags = (io->pio ? KVM_IOEVENTFD_FLAG_PIO : 0) |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &kio) < 0 ? -errno : 0;
}

int ioeventfd__add(struct vm *vm, u64 addr, u32 len, bool pio,
		   void (*fn)(struct vm *vm, void *opaque), void *opaque)
{
	struct evloop *el = vm->evloop;
	struct ioevent *io = calloc(1, sizeof(*io));
	int ret;

	if (!io)
		return -ENOMEM;
	io->addr = addr;
	io->len = len;
	io->pio = pio;
	io->fn = fn;
	io->opaque = opaque;
	io->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (io->fd < 0) {
		ret = -errno;
		goto err_free;
	}
	ret = ioeventfd__kvm(vm, io, true);
	if (ret)
		goto err_close;
	ret = evloop__add(vm, io->fd, EPOLLIN, ioeventfd__fire, io);
	if (ret) {
		ioeventfd__kvm(vm, io, false);
		goto err_close;
	}
	pthread_mutex_lock(&el->lock);
	io->next = el->ioevents;
	el->ioevents = io;
	pthread_mutex_unlock(&el->lock);
	return 0;
err_close:
	close(io->fd);
err_free:
	free(io);
	return ret;
}

int ioeventfd__del(struct vm *vm, u64 addr, bool pio)
{
	struct evloop *el = vm->evloop;
	struct ioevent *io;
	int fd = -1;

	pthread_mutex_lock(&el->lock);
	for (io = el->ioevents; io; io = io->next) {
		if (io->addr == addr && io->pio == pio && io->len) {
			fd = io->fd;
			break;
		}
	}
	pthread_mutex_unlock(&el->lock);
	if (fd < 0)
		return -ENOENT;
	evloop__del(vm, fd);
	ioeventfd__kvm(vm, io, false);
	io->len = 0;	/* disarmed; the fd is closed at exit */
	return 0;
}
