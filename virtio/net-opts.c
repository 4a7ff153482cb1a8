// SPDX-License-Identifier: GPL-2.0
/*
 * `--network` text -> struct net_config.  Pure: no I/O, no globals.
 *
 *   user[,mac=52:54:00:12:34:56][,hostfwd=RULE]...[,iommu=on|off]
 *   RULE = [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT
 *
 * HOSTADDR defaults to 127.0.0.1 (give 0.0.0.0 to listen on every host
 * interface), GUESTADDR to 10.0.2.15 and must lie in 10.0.2.0/24.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <vsva/virtio-net.h>

#define NET_OPT_MAX	256	/* longest key=value item */

static const char *const net_backends[] = { "user" };

static int net_opts__err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int net_opts__err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Decimal 1..65535, digits only. */
static int net_opts__port(const char *s, size_t n, u16 *port)
{
	u32 v = 0;

	if (!n || n > 5)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (u32)(s[i] - '0');
	}
	if (!v || v > 65535)
		return -EINVAL;
	*port = (u16)v;
	return 0;
}

/* Dotted-quad IPv4 of exactly @n bytes, into host order. */
static int net_opts__addr(const char *s, size_t n, u32 *addr)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr a;

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	*addr = ntohl(a.s_addr);
	return 0;
}

/* "[ADDR]:PORT" of @n bytes. */
static int net_opts__endpoint(const char *s, size_t n, u32 *addr, u16 *port,
			      bool *addr_given)
{
	const char *colon = memchr(s, ':', n);
	size_t alen;

	if (!colon)
		return -EINVAL;
	alen = (size_t)(colon - s);
	*addr_given = alen > 0;
	if (alen && net_opts__addr(s, alen, addr))
		return -EINVAL;
	return net_opts__port(colon + 1, n - alen - 1, port);
}

int net_hostfwd__parse(struct net_hostfwd *fwd, const char *s, char *err,
		       size_t errlen)
{
	const char *colon, *dash;
	size_t plen;
	bool given;

	*fwd = (struct net_hostfwd){
		.host_addr = 0x7f000001u,
		.guest_addr = NET_USER_GUEST,
	};
	colon = strchr(s, ':');
	if (!colon)
		return net_opts__err(err, errlen,
				     "hostfwd '%s': want [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT",
				     s);
	plen = (size_t)(colon - s);
	if (plen == 3 && !strncmp(s, "udp", 3))
		fwd->udp = true;
	else if (plen && !(plen == 3 && !strncmp(s, "tcp", 3)))
		return net_opts__err(err, errlen,
				     "hostfwd '%s': protocol is tcp or udp", s);
	s = colon + 1;
	dash = strchr(s, '-');
	if (!dash || strchr(dash + 1, '-'))
		return net_opts__err(err, errlen,
				     "hostfwd: want HOST-GUEST, not '%s'", s);
	if (net_opts__endpoint(s, (size_t)(dash - s), &fwd->host_addr,
			       &fwd->host_port, &given))
		return net_opts__err(err, errlen,
				     "hostfwd: bad host side '%.*s' (want [ADDR]:PORT, port 1-65535)",
				     (int)(dash - s), s);
	s = dash + 1;
	if (net_opts__endpoint(s, strlen(s), &fwd->guest_addr,
			       &fwd->guest_port, &given))
		return net_opts__err(err, errlen,
				     "hostfwd: bad guest side '%s' (want [ADDR]:PORT, port 1-65535)",
				     s);
	if (given && ((fwd->guest_addr & NET_USER_MASK) != NET_USER_NET ||
		      fwd->guest_addr == NET_USER_GATEWAY ||
		      fwd->guest_addr == NET_USER_DNS ||
		      (fwd->guest_addr & ~NET_USER_MASK) == 0 ||
		      (fwd->guest_addr & ~NET_USER_MASK) == 0xff))
		return net_opts__err(err, errlen,
				     "hostfwd: guest address '%s' is not a guest in 10.0.2.0/24",
				     s);
	return 0;
}

/* XX:XX:XX:XX:XX:XX, unicast and not all zero. */
static int net_opts__mac(const char *s, u8 *mac)
{
	u8 m[NET_ETH_ALEN];

	if (strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < NET_ETH_ALEN; i++) {
		u8 v = 0;

		for (int j = 0; j < 2; j++) {
			char ch = s[3 * i + j];

			v <<= 4;
			if (ch >= '0' && ch <= '9')
				v |= (u8)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				v |= (u8)(ch - 'a' + 10);
			else if (ch >= 'A' && ch <= 'F')
				v |= (u8)(ch - 'A' + 10);
			else
				return -EINVAL;
		}
		if (i < NET_ETH_ALEN - 1 && s[3 * i + 2] != ':')
			return -EINVAL;
		m[i] = v;
	}
	if ((m[0] & 1) || !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
		return -EINVAL;
	memcpy(mac, m, sizeof(m));
	return 0;
}

static int net_opts__item(struct net_config *cfg, const char *item, char *err,
			  size_t errlen)
{
	struct net_hostfwd *fwd;

	if (!strncmp(item, "mac=", 4)) {
		if (net_opts__mac(item + 4, cfg->mac))
			return net_opts__err(err, errlen,
					     "bad mac '%s' (want a unicast XX:XX:XX:XX:XX:XX)",
					     item + 4);
		return 0;
	}
	if (!strcmp(item, "iommu=on") || !strcmp(item, "iommu=off")) {
		cfg->no_iommu = !strcmp(item, "iommu=off");
		return 0;
	}
	if (!strncmp(item, "hostfwd=", 8)) {
		if (cfg->nr_hostfwd == NET_MAX_HOSTFWD)
			return net_opts__err(err, errlen,
					     "at most %d hostfwd rules",
					     NET_MAX_HOSTFWD);
		fwd = &cfg->hostfwd[cfg->nr_hostfwd];
		if (net_hostfwd__parse(fwd, item + 8, err, errlen))
			return -EINVAL;
		for (unsigned int i = 0; i < cfg->nr_hostfwd; i++) {
			const struct net_hostfwd *o = &cfg->hostfwd[i];

			if (o->udp == fwd->udp &&
			    o->host_port == fwd->host_port &&
			    (o->host_addr == fwd->host_addr ||
			     !o->host_addr || !fwd->host_addr))
				return net_opts__err(err, errlen,
						     "hostfwd: host %s port %u forwarded twice",
						     fwd->udp ? "udp" : "tcp",
						     fwd->host_port);
		}
		cfg->nr_hostfwd++;
		return 0;
	}
	return net_opts__err(err, errlen, "unknown option '%s'", item);
}

int net_config__parse(struct net_config *cfg, const char *s, char *err,
		      size_t errlen)
{
	static const u8 def_mac[] = NET_DEFAULT_MAC;
	char item[NET_OPT_MAX];
	const char *comma;
	size_t n;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->mac, def_mac, sizeof(cfg->mac));
	comma = strchr(s, ',');
	n = comma ? (size_t)(comma - s) : strlen(s);
	for (size_t i = 0; i < ARRAY_SIZE(net_backends); i++)
		if (strlen(net_backends[i]) == n &&
		    !strncmp(s, net_backends[i], n))
			cfg->backend = net_backends[i];
	if (!cfg->backend)
		return net_opts__err(err, errlen,
				     "unknown network back end '%.*s' (want user)",
				     (int)MIN(n, 32), s);
	while (comma) {
		s = comma + 1;
		comma = strchr(s, ',');
		n = comma ? (size_t)(comma - s) : strlen(s);
		if (!n || n >= sizeof(item))
			return net_opts__err(err, errlen,
					     "empty or overlong option");
		memcpy(item, s, n);
		item[n] = '\0';
		ret = net_opts__item(cfg, item, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}
