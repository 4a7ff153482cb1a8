// SPDX-License-Identifier: GPL-2.0
/*
 * lab-expect: runs a command, copies its output (stdout and stderr, merged)
 * to our stdout, and watches it for a marker.
 *
 *	lab-expect [-k SECONDS] [-t METRIC] [-f FAILTEXT] MARKER COMMAND [ARG...]
 *
 * Exit status 0 only if COMMAND exited 0, a line containing MARKER was seen
 * and no line containing FAILTEXT was.  With -k, COMMAND is stopped
 * (SIGTERM, then SIGKILL) SECONDS after the marker and need not exit 0:
 * for yardsticks whose job ends at the marker.  With -r, a COMMAND is run again
 * (at most twice) if it exits 4 or 5 (vsva: the guest triple-faulted, or reset after
 * a panic) before the marker, and the retry is printed.  With -t, prints
 *
 *	LAB-METRIC <case> <METRIC> <seconds>
 *
 * the time from starting COMMAND to the end of the first marker line
 * (<case> is $LAB_CASE).  COMMAND's stdin is /dev/null.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_LEN	4096

struct lab_expect {
	const char *marker;
	const char *fail_text;
	char line[LINE_MAX_LEN + 1];
	size_t len;
	double start;
	double marker_at;	/* < 0 until the marker is seen */
	char fail_line[256];
};

static double lab_expect__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void lab_expect__line_done(struct lab_expect *e)
{
	e->line[e->len] = '\0';
	if (e->marker_at < 0 && strstr(e->line, e->marker))
		e->marker_at = lab_expect__now() - e->start;
	if (e->fail_text && !e->fail_line[0] && strstr(e->line, e->fail_text))
		snprintf(e->fail_line, sizeof(e->fail_line), "%.200s",
			 e->line);
	e->len = 0;
}

static void lab_expect__feed(struct lab_expect *e, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || e->len == LINE_MAX_LEN) {
			lab_expect__line_done(e);
			if (buf[i] == '\n')
				continue;
		}
		if (buf[i] != '\r')
			e->line[e->len++] = buf[i];
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: lab-expect [-r] [-k SECONDS] [-t METRIC] "
		"[-f FAILTEXT] MARKER COMMAND [ARG...]\n");
	exit(2);
}

static int run(struct lab_expect *ep, char **argv, int optind,
	       int kill_after, const char *metric, int *exit_code)
{
	struct lab_expect e = *ep;
	const char *lab_case;
	int pfd[2], status, ret = 0;
	bool stopped = false;
	char buf[4096];
	ssize_t n;
	pid_t pid;



	if (pipe(pfd) < 0) {
		perror("lab-expect: pipe");
		return 1;
	}
	e.start = lab_expect__now();
	pid = fork();
	if (pid < 0) {
		perror("lab-expect: fork");
		return 1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[optind], &argv[optind]);
		fprintf(stderr, "lab-expect: exec %s: %s\n", argv[optind],
			strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		if (kill_after >= 0 && e.marker_at >= 0 && !stopped) {
			struct pollfd p = { .fd = pfd[0], .events = POLLIN };
			double left = e.start + e.marker_at + kill_after -
				      lab_expect__now();

			if (left <= 0 ||
			    poll(&p, 1, (int)(left * 1000) + 1) == 0) {
				kill(pid, SIGTERM);
				usleep(500000);
				kill(pid, SIGKILL);
				stopped = true;
			}
		}
		n = read(pfd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		lab_expect__feed(&e, buf, n);
		if (write(STDOUT_FILENO, buf, n) < 0)
			break;
	}
	if (e.len)
		lab_expect__line_done(&e);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;

	lab_case = getenv("LAB_CASE");
	if (metric && e.marker_at >= 0)
		printf("\nLAB-METRIC %s %s %.2f\n", lab_case ? lab_case : "-",
		       metric, e.marker_at);
	if (stopped) {
		printf("lab-expect: %s stopped %ds after the marker\n",
		       argv[optind], kill_after);
	} else if (WIFEXITED(status) && WEXITSTATUS(status)) {
		*exit_code = WEXITSTATUS(status);
		printf("lab-expect: %s exited with %d\n", argv[optind],
		       WEXITSTATUS(status));
		ret = 1;
	} else if (WIFSIGNALED(status)) {
		printf("lab-expect: %s killed by signal %d\n", argv[optind],
		       WTERMSIG(status));
		ret = 1;
	}
	if (e.marker_at < 0) {
		printf("lab-expect: marker '%s' not seen\n", e.marker);
		ret = 1;
	} else {
		printf("lab-expect: marker '%s' after %.2fs\n", e.marker,
		       e.marker_at);
	}
	if (e.fail_line[0]) {
		printf("lab-expect: failure line: %s\n", e.fail_line);
		ret = 1;
	}
	*ep = e;
	return ret;
}

int main(int argc, char **argv)
{
	struct lab_expect e = { .marker_at = -1 };
	const char *metric = NULL;
	int opt, ret, kill_after = -1, retry = 0, code;

	while ((opt = getopt(argc, argv, "+k:rt:f:")) != -1) {
		switch (opt) {
		case 'k':
			kill_after = atoi(optarg);
			break;
		case 'r':
			retry = 2;
			break;
		case 't':
			metric = optarg;
			break;
		case 'f':
			e.fail_text = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2)
		usage();
	e.marker = argv[optind++];
	for (;;) {
		struct lab_expect try = e;

		code = 0;
		ret = run(&try, argv, optind, kill_after, metric, &code);
		if (!(ret && retry && (code == 4 || code == 5) &&
		      try.marker_at < 0))
			return ret;
		/* vsva exit 4: the guest triple-faulted; 5: it reset (a
		 * panic with panic=-1), before the marker. */
		printf("lab-expect: RETRY: %s exited %d (guest %s) before the "
		       "marker; running it again (known intermittent L2 "
		       "fault, tests/lab/README.md)\n", argv[optind], code,
		       code == 4 ? "triple fault" : "reset after a panic");
		retry--;
	}
}
