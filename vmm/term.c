// SPDX-License-Identifier: GPL-2.0
/* The host terminal behind the guest console. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <termios.h>
#include <unistd.h>

#include <vsva/log.h>
#include <vsva/term.h>
#include <vsva/vm.h>

#define CTRL_A	0x01

static struct termios term_saved;
static bool term_raw;
static bool term_escape;
static void (*term_input)(void *opaque, const u8 *buf, size_t len);
static void *term_opaque;

void term__restore(void)
{
	if (term_raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &term_saved);
		term_raw = false;
	}
}

static void term__fatal_signal(int sig)
{
	term__restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

void term__write(const u8 *buf, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return;		/* stdout gone: drop output */
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void term__readable(struct vm *vm, int fd, u32 revents, void *opaque)
{
	u8 in[64], out[64];
	size_t n_out = 0;
	ssize_t n = read(fd, in, sizeof(in));

	if (n <= 0) {
		/* EOF or error on stdin: stop watching it. */
		evloop__del(vm, fd);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		u8 c = in[i];

		if (term_raw && term_escape) {
			term_escape = false;
			if (c == 'x') {
				term__write((const u8 *)"\r\nvsva: quit\r\n", 14);
				vm__request_exit(vm, VM_EXIT_SIGNAL, 0);
				return;
			}
			if (c != CTRL_A)
				continue;
		} else if (term_raw && c == CTRL_A) {
			term_escape = true;
			continue;
		}
		out[n_out++] = c;
	}
	if (n_out && term_input)
		term_input(term_opaque, out, n_out);
}

void term__set_input(void (*input)(void *opaque, const u8 *buf, size_t len),
		     void *opaque)
{
	/* Set-up only (before the event loop runs): no lock needed. */
	term_input = input;
	term_opaque = opaque;
}

int term__init(struct vm *vm, void (*input)(void *opaque, const u8 *buf,
					    size_t len), void *opaque)
{
	static const int fatal[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL };

	term_input = input;
	term_opaque = opaque;
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &term_saved)) {
		struct termios raw = term_saved;

		cfmakeraw(&raw);
		raw.c_oflag |= OPOST | ONLCR;
		if (!tcsetattr(STDIN_FILENO, TCSANOW, &raw)) {
			term_raw = true;
			atexit(term__restore);
			for (unsigned int i = 0; i < ARRAY_SIZE(fatal); i++)
				signal(fatal[i], term__fatal_signal);
		}
	}
	if (!isatty(STDIN_FILENO) && lseek(STDIN_FILENO, 0, SEEK_CUR) >= 0)
		return 0;	/* a regular file or /dev/null: no input */
	return evloop__add(vm, STDIN_FILENO, EPOLLIN, term__readable, NULL);
}
