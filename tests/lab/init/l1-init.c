// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the lab's L1 Linux (QEMU TCG, with its own KVM).
 *
 * Mounts proc, sysfs, devtmpfs and a tmpfs on /tmp, checks /dev/kvm, then
 * runs the cases of one list file and powers off.  The list file is named on
 * the kernel command line (lab_list=PATH, default /lab/cases.list); each
 * non-empty line not starting with '#' is
 *
 *	NAME TIMEOUT_SECONDS PROGRAM [ARG...]
 *
 * (fields separated by blanks, no quoting).  Each case runs in its own
 * process group with cwd /lab and LAB_CASE=NAME in its environment, and is
 * killed when its time is up.  Results go to the console as
 *
 *	LAB-CASE NAME PASS|FAIL (exit N | signal N | timeout, S.SSs)
 *
 * followed by LAB-DONE once all cases ran.  tests/lab/run.sh parses these.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LAB_MAX_ARGS	32
#define LAB_LINE_MAX	1024

static void lab_init__say(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* One write() per line, so kernel messages do not split our markers. */
static void lab_init__say(const char *fmt, ...)
{
	char buf[LAB_LINE_MAX + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

static double lab_init__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void lab_init__mount(const char *src, const char *dir,
			    const char *type, const char *opts)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, opts) < 0 && errno != EBUSY)
		lab_init__say("lab-init: mount %s on %s: %s", type, dir,
			      strerror(errno));
}

static void lab_init__console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

static void lab_init__power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	/* Only reached if power-off failed: panic=-1 + -no-reboot ends QEMU. */
	_exit(1);
}

/* Prints LAB-KVM ok|FAIL: the runner refuses the run if KVM is unusable. */
static void lab_init__check_kvm(void)
{
	int fd, api, vm;

	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		lab_init__say("LAB-KVM FAIL open /dev/kvm: %s", strerror(errno));
		return;
	}
	api = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		lab_init__say("LAB-KVM FAIL KVM_GET_API_VERSION = %d (%s)", api,
			      api < 0 ? strerror(errno) : "unexpected");
		close(fd);
		return;
	}
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		lab_init__say("LAB-KVM FAIL KVM_CREATE_VM: %s", strerror(errno));
		close(fd);
		return;
	}
	close(vm);
	close(fd);
	lab_init__say("LAB-KVM ok api=%d", api);
}

/* Finds lab_list=PATH on the kernel command line. */
static void lab_init__list_path(char *path, size_t size)
{
	char cmdline[4096];
	ssize_t n;
	char *p, *end;
	int fd;

	snprintf(path, size, "/lab/cases.list");
	fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, cmdline, sizeof(cmdline) - 1);
	close(fd);
	if (n <= 0)
		return;
	cmdline[n] = '\0';
	for (p = strtok(cmdline, " \n"); p; p = strtok(NULL, " \n")) {
		if (strncmp(p, "lab_list=", 9))
			continue;
		end = p + 9;
		snprintf(path, size, "%s", end);
	}
}

static void lab_init__describe(int status, int timed_out, char *buf,
			       size_t size)
{
	if (timed_out)
		snprintf(buf, size, "timeout");
	else if (WIFEXITED(status))
		snprintf(buf, size, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "status 0x%x", status);
}

/*
 * Waits for @pid for at most @timeout seconds, reaping any orphan that was
 * re-parented to us on the way.  Returns 1 when the case finished (status in
 * *status), 0 on timeout.
 */
static int lab_init__wait(pid_t pid, double timeout, int *status)
{
	double deadline = lab_init__now() + timeout;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int st;
	pid_t got;

	for (;;) {
		while ((got = waitpid(-1, &st, WNOHANG)) > 0) {
			if (got == pid) {
				*status = st;
				return 1;
			}
		}
		if (lab_init__now() >= deadline)
			return 0;
		nanosleep(&tick, NULL);
	}
}

/* Runs one case; returns 1 if it passed. */
static int lab_init__run_case(char *name, double timeout, char **argv)
{
	char what[64];
	double start, secs;
	int status = 0, done, passed;
	pid_t pid;

	lab_init__say("LAB-START %s (timeout %.0fs)", name, timeout);
	start = lab_init__now();
	pid = fork();
	if (pid < 0) {
		lab_init__say("LAB-CASE %s FAIL (fork: %s, 0.00s)", name,
			      strerror(errno));
		return 0;
	}
	if (pid == 0) {
		setpgid(0, 0);
		setenv("LAB_CASE", name, 1);
		if (chdir("/lab") < 0)
			_exit(126);
		execvp(argv[0], argv);
		fprintf(stderr, "lab-init: exec %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	done = lab_init__wait(pid, timeout, &status);
	secs = lab_init__now() - start;
	/* Whatever the case left behind in its group goes too. */
	kill(-pid, SIGKILL);
	if (!done)
		lab_init__wait(pid, 10, &status);
	lab_init__describe(status, !done, what, sizeof(what));
	passed = done && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	lab_init__say("LAB-CASE %s %s (%s, %.2fs)", name,
		      passed ? "PASS" : "FAIL", what, secs);
	return passed;
}

static int lab_init__split(char *line, char **fields, int max)
{
	int n = 0;
	char *p;

	for (p = strtok(line, " \t\r\n"); p && n < max;
	     p = strtok(NULL, " \t\r\n"))
		fields[n++] = p;
	return n;
}

static void lab_init__run_list(const char *path)
{
	char line[LAB_LINE_MAX];
	char *f[LAB_MAX_ARGS + 3];
	int n, total = 0, failed = 0;
	double timeout;
	FILE *list;

	list = fopen(path, "r");
	if (!list) {
		lab_init__say("LAB-ERROR cannot open case list %s: %s", path,
			      strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), list)) {
		if (line[0] == '#')
			continue;
		n = lab_init__split(line, f, LAB_MAX_ARGS + 2);
		if (n == 0)
			continue;
		if (n < 3 || (timeout = strtod(f[1], NULL)) <= 0) {
			lab_init__say("LAB-ERROR bad line in %s (case %s)",
				      path, f[0]);
			continue;
		}
		f[n] = NULL;
		total++;
		if (!lab_init__run_case(f[0], timeout, &f[2]))
			failed++;
	}
	fclose(list);
	lab_init__say("lab-init: %d cases, %d failed", total, failed);
}

int main(void)
{
	char path[256];

	lab_init__mount("proc", "/proc", "proc", NULL);
	lab_init__mount("sysfs", "/sys", "sysfs", NULL);
	lab_init__mount("devtmpfs", "/dev", "devtmpfs", NULL);
	lab_init__mount("tmpfs", "/tmp", "tmpfs", "mode=1777");
	lab_init__console();
	setenv("PATH", "/lab/bin:/bin:/sbin:/usr/bin:/usr/sbin", 1);
	setenv("HOME", "/tmp", 1);
	setenv("TMPDIR", "/tmp", 1);

	lab_init__say("LAB-INIT uptime %.2fs", lab_init__now());
	lab_init__check_kvm();
	lab_init__list_path(path, sizeof(path));
	lab_init__run_list(path);
	lab_init__say("LAB-DONE");
	lab_init__power_off();
	return 0;
}
