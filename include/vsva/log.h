/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_LOG_H
#define VSVA_LOG_H

enum log_level {
	LOG_ERR = 0,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

extern int log_level;

int log__parse_level(const char *name);
void log__printf(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void die_perror(const char *what) __attribute__((noreturn));

#define pr_err(fmt, ...)	log__printf(LOG_ERR, fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	log__printf(LOG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	log__printf(LOG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)					\
	do {							\
		if (log_level >= LOG_DEBUG)			\
			log__printf(LOG_DEBUG, fmt, ##__VA_ARGS__); \
	} while (0)

#endif
