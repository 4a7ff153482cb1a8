// SPDX-License-Identifier: GPL-2.0
/*
 * The formatting core behind printf() and fmt__snprintf().
 */
#include "fmt.h"

struct fmt_spec {
	bool left;		/* '-' */
	bool zero;		/* '0' */
	bool alt;		/* '#': 0x prefix on non-zero %x */
	int width;
	int prec;		/* -1: none */
	int len;		/* number of 'l's; -1 'h', -2 'hh' */
};

struct fmt_out {
	void (*put)(void *ctx, char c);
	void *ctx;
	int n;
};

static void out_char(struct fmt_out *o, char c)
{
	o->put(o->ctx, c);
	o->n++;
}

static void out_pad(struct fmt_out *o, char c, int count)
{
	while (count-- > 0)
		out_char(o, c);
}

/* Emits prefix (sign or "0x"), zero padding and digits within the width. */
static void out_field(struct fmt_out *o, const struct fmt_spec *s,
		      const char *prefix, const char *digits, int ndigits)
{
	int nprefix = 0, zeros = 0, total;

	while (prefix[nprefix])
		nprefix++;
	if (s->prec > ndigits)
		zeros = s->prec - ndigits;
	total = nprefix + zeros + ndigits;
	if (s->zero && !s->left && s->prec < 0 && s->width > total) {
		zeros += s->width - total;
		total = s->width;
	}
	if (!s->left)
		out_pad(o, ' ', s->width - total);
	while (*prefix)
		out_char(o, *prefix++);
	out_pad(o, '0', zeros);
	while (ndigits--)
		out_char(o, *digits++);
	if (s->left)
		out_pad(o, ' ', s->width - total);
}

static void out_number(struct fmt_out *o, const struct fmt_spec *s, u64 v,
		       unsigned int base, bool upper, const char *prefix)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int i = sizeof(buf);

	/* C: a zero value with precision 0 prints no digits. */
	if (v == 0 && s->prec != 0)
		buf[--i] = '0';
	while (v) {
		buf[--i] = set[v % base];
		v /= base;
	}
	out_field(o, s, prefix, buf + i, sizeof(buf) - i);
}

static void out_string(struct fmt_out *o, const struct fmt_spec *s,
		       const char *str)
{
	int n = 0;

	if (!str)
		str = "(null)";
	while (str[n] && (s->prec < 0 || n < s->prec))
		n++;
	if (!s->left)
		out_pad(o, ' ', s->width - n);
	for (int i = 0; i < n; i++)
		out_char(o, str[i]);
	if (s->left)
		out_pad(o, ' ', s->width - n);
}

static u64 arg_unsigned(const struct fmt_spec *s, va_list *ap)
{
	if (s->len >= 2)
		return va_arg(*ap, unsigned long long);
	if (s->len == 1)
		return va_arg(*ap, unsigned long);
	if (s->len == -1)
		return (unsigned short)va_arg(*ap, unsigned int);
	if (s->len == -2)
		return (unsigned char)va_arg(*ap, unsigned int);
	return va_arg(*ap, unsigned int);
}

static s64 arg_signed(const struct fmt_spec *s, va_list *ap)
{
	if (s->len >= 2)
		return va_arg(*ap, long long);
	if (s->len == 1)
		return va_arg(*ap, long);
	if (s->len == -1)
		return (short)va_arg(*ap, int);
	if (s->len == -2)
		return (signed char)va_arg(*ap, int);
	return va_arg(*ap, int);
}

/* Parses flags, width, precision and length; returns the conversion. */
static const char *parse_spec(const char *f, struct fmt_spec *s, va_list *ap)
{
	*s = (struct fmt_spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-')
			s->left = true;
		else if (*f == '0')
			s->zero = true;
		else if (*f == '#')
			s->alt = true;
		else
			break;
	}
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0) {
			s->left = true;
			s->width = -s->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		s->width = s->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		s->prec = 0;
		if (*f == '*') {
			s->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			s->prec = s->prec * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'l')
			s->len++;
		else if (*f == 'h')
			s->len = s->len == -1 ? -2 : -1;
		else if (*f == 'z')
			s->len = 1;
		else
			break;
	}
	return f;
}

int fmt__vformat(void (*put)(void *ctx, char c), void *ctx,
		 const char *fmt, va_list ap)
{
	struct fmt_out o = { .put = put, .ctx = ctx };
	struct fmt_spec s;
	va_list args;
	char c;

	va_copy(args, ap);
	while (*fmt) {
		const char *start = fmt;

		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &args);
		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = arg_signed(&s, &args);

			out_number(&o, &s, v < 0 ? -(u64)v : (u64)v, 10, false,
				   v < 0 ? "-" : "");
			break;
		}
		case 'u':
			out_number(&o, &s, arg_unsigned(&s, &args), 10, false,
				   "");
			break;
		case 'x':
		case 'X': {
			u64 v = arg_unsigned(&s, &args);
			const char *pfx = *fmt == 'X' ? "0X" : "0x";

			out_number(&o, &s, v, 16, *fmt == 'X',
				   s.alt && v ? pfx : "");
			break;
		}
		case 'o':
			out_number(&o, &s, arg_unsigned(&s, &args), 8, false,
				   "");
			break;
		case 'p':
			out_number(&o, &s, (uintptr_t)va_arg(args, void *), 16,
				   false, "0x");
			break;
		case 's':
			out_string(&o, &s, va_arg(args, const char *));
			break;
		case 'c':
			c = (char)va_arg(args, int);
			s.zero = false;
			s.prec = -1;
			out_field(&o, &s, "", &c, 1);
			break;
		case '%':
			out_char(&o, '%');
			break;
		default:
			/* Unknown or truncated: print it as written. */
			while (start < fmt)
				out_char(&o, *start++);
			if (!*fmt)
				continue;
			out_char(&o, *fmt);
			break;
		}
		fmt++;
	}
	va_end(args);
	return o.n;
}

struct fmt_buf {
	char *buf;
	size_t size;
	size_t pos;
};

static void buf_put(void *ctx, char c)
{
	struct fmt_buf *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int fmt__vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buf b = { .buf = buf, .size = size };
	int n = fmt__vformat(buf_put, &b, fmt, ap);

	if (size)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

int fmt__snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt__vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
