// SPDX-License-Identifier: GPL-2.0
/* vsva: git-style subcommands. */
#include <stdio.h>
#include <string.h>

#include <vsva/run.h>

int inject__main(int argc, char **argv);
int stress__main(int argc, char **argv);

#define VSVA_VERSION "0.1"

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "run", run__main, "boot a Linux kernel or a firmware guest" },
	{ "stress", stress__main, "a guest-driven PRI stress run (pri-stress firmware)" },
	{ "inject", inject__main, "a synthetic page-request storm through the relay" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vsva COMMAND [options]   (vsva COMMAND --help)\n\n");
	for (unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "  %-10s %s\n", "version", "print the version");
	fprintf(f, "  %-10s %s\n", "help", "this text");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("vsva %s\n", VSVA_VERSION);
		return 0;
	}
	for (unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "vsva: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
