// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The framing of the GDB remote serial protocol: "$data#cs" with a two-digit hex checksum
 * (the sum of the data bytes modulo 256), '+' and '-' acknowledgements until gdb asks for
 * QStartNoAckMode (and again from the next qSupported, a new gdb's first packet), the lone byte
 * 0x03 for Ctrl-C, and the escapes of binary data.
 *
 * Nothing that arrives can make the parser read or write outside its buffers: a packet
 * longer than GS_PACKET_MAX is consumed to its end and reported as too long, stray bytes
 * between packets are dropped, and a '$' inside a packet starts a new one.
 *
 * The connection may be a socket, a pipe or a serial line: it is read with read(), and
 * written with send(MSG_NOSIGNAL) when it is a socket (a closed peer must not raise SIGPIPE
 * in a VMM whose signals are its own), else with write().
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static const char digits[] = "0123456789abcdef";

void conn_init(struct gs_conn *c, struct kvmdbg_gdbserver *server, int fd)
{
	struct stat st;

	memset(c, 0, sizeof(*c));
	c->server = server;
	c->fd = fd;
	c->is_socket = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
	c->state = GS_IDLE;
}

void conn_fini(struct gs_conn *c)
{
	free(c->tx);
	c->tx = NULL;
	c->tx_len = c->tx_cap = 0;
}

static int hex_digit(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int hex_parse_u64(const char **p, const char *end, uint64_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;
	int n = 0;

	while (s < end && hex_digit(*s) >= 0) {
		if (++n > 16)
			return -EINVAL;
		v = v << 4 | (uint64_t)hex_digit(*s);
		s++;
	}
	if (!n)
		return -EINVAL;
	*p = s;
	*ret = v;
	return 0;
}

int hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t len)
{
	if (hex_len != 2 * len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void hex_encode(const uint8_t *buf, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[buf[i] >> 4];
		out[2 * i + 1] = digits[buf[i] & 0xf];
	}
	out[2 * len] = '\0';
}

long binary_unescape(char *data, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (data[i] == 0x7d) {
			if (++i == len)
				return -EINVAL;
			data[o++] = (char)(data[i] ^ 0x20);
		} else {
			data[o++] = data[i];
		}
	}
	return (long)o;
}

static int write_all(struct gs_conn *c, const char *buf, size_t len)
{
	while (len) {
		ssize_t n;

		if (c->is_socket)
			n = send(c->fd, buf, len, MSG_NOSIGNAL);
		else
			n = write(c->fd, buf, len);
		if (n < 0) {
			struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };

			if (errno == EINTR)
				continue;
			/* a non-blocking descriptor: wait until it takes more */
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && poll(&pfd, 1, -1) >= 0)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* What a log line shows of a packet: printable bytes, the others as \xNN, cut short. */
static void log_packet(struct gs_conn *c, const char *dir, const char *data, size_t len)
{
	char shown[200];
	size_t n = 0;

	if (!c->server->log_fn)
		return;
	for (size_t i = 0; i < len && n + 5 < sizeof(shown); i++) {
		unsigned char ch = (unsigned char)data[i];

		if (ch >= 0x20 && ch < 0x7f)
			shown[n++] = (char)ch;
		else
			n += (size_t)snprintf(shown + n, sizeof(shown) - n, "\\x%02x", ch);
	}
	shown[n] = '\0';
	gs_log(c->server, KVMDBG_GDBSERVER_LOG_DEBUG, "%s %s%s", dir, shown, n < len ? "..." : "");
}

int conn_send(struct gs_conn *c, const char *data, size_t len)
{
	uint8_t sum = 0;
	int ret;

	/* the packet stays in c->tx for a '-'; the buffer grows once and is kept */
	if (len + 4 > c->tx_cap) {
		size_t cap = len + 4 > GS_PACKET_MAX + 4 ? len + 4 : GS_PACKET_MAX + 4;
		char *tx = realloc(c->tx, cap);

		if (!tx)
			return -ENOMEM;
		c->tx = tx;
		c->tx_cap = cap;
	}
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + (uint8_t)data[i]);
	c->tx[0] = '$';
	memmove(c->tx + 1, data, len);
	c->tx[len + 1] = '#';
	c->tx[len + 2] = digits[sum >> 4];
	c->tx[len + 3] = digits[sum & 0xf];
	c->tx_len = len + 4;
	log_packet(c, "->", c->tx + 1, len);
	ret = write_all(c, c->tx, c->tx_len);
	if (ret < 0)
		gs_log(c->server, KVMDBG_GDBSERVER_LOG_ERROR, "cannot write to gdb: %s",
		       strerror(-ret));
	return ret;
}

int conn_send_str(struct gs_conn *c, const char *s)
{
	return conn_send(c, s, strlen(s));
}

int conn_send_output(struct gs_conn *c, const char *text)
{
	size_t len = strlen(text);
	char *pkt;
	int ret;

	if (len > (GS_PACKET_MAX - 1) / 2)
		len = (GS_PACKET_MAX - 1) / 2;
	pkt = malloc(2 * len + 2);
	if (!pkt)
		return -ENOMEM;
	pkt[0] = 'O';
	hex_encode((const uint8_t *)text, len, pkt + 1);
	ret = conn_send(c, pkt, 2 * len + 1);
	free(pkt);
	return ret;
}

bool conn_has_input(const struct gs_conn *c)
{
	return c->in_pos < c->in_len;
}

int conn_fill(struct gs_conn *c, bool wait)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	ssize_t n;

	if (c->in_pos < c->in_len)
		return 1;
	for (;;) {
		/* poll first: the descriptor may be blocking (a socket, a tty) or not */
		int r = poll(&pfd, 1, wait ? -1 : 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EAGAIN;
		n = read(c->fd, c->in, sizeof(c->in));
		if (n >= 0)
			break;
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			continue;
		return -errno;
	}
	if (n == 0)
		return 0;
	c->in_pos = 0;
	c->in_len = (size_t)n;
	return 1;
}

static void ack(struct gs_conn *c, char ch)
{
	if (!c->noack)
		write_all(c, &ch, 1);
}

static void start_packet(struct gs_conn *c)
{
	c->state = GS_DATA;
	c->rx_len = 0;
	c->rx_sum = 0;
	c->rx_overflow = false;
}

enum gs_rx conn_parse(struct gs_conn *c)
{
	while (c->in_pos < c->in_len) {
		uint8_t ch = c->in[c->in_pos++];
		int d;

		switch (c->state) {
		case GS_IDLE:
			if (ch == '$') {
				start_packet(c);
			} else if (ch == 0x03) {
				return GS_RX_INTERRUPT;
			} else if (ch == '-' && !c->noack && c->tx_len) {
				gs_log(c->server, KVMDBG_GDBSERVER_LOG_DEBUG,
				       "<- '-': sending the last packet again");
				write_all(c, c->tx, c->tx_len);
			}
			/* '+' and anything else between packets: nothing to do */
			break;
		case GS_DATA:
			if (ch == '#') {
				c->state = GS_CSUM1;
			} else if (ch == '$') {
				/* the end of the last one was lost: start again */
				start_packet(c);
			} else {
				c->rx_sum = (uint8_t)(c->rx_sum + ch);
				if (c->rx_len < GS_PACKET_MAX)
					c->rx[c->rx_len++] = (char)ch;
				else
					c->rx_overflow = true;
			}
			break;
		case GS_CSUM1:
			c->rx_csum_hi = hex_digit(ch);
			c->state = GS_CSUM2;
			break;
		case GS_CSUM2:
			c->state = GS_IDLE;
			d = hex_digit(ch);
			c->rx[c->rx_len] = '\0';
			if (c->rx_csum_hi < 0 || d < 0 || (c->rx_csum_hi << 4 | d) != c->rx_sum) {
				log_packet(c, "<- (bad checksum)", c->rx, c->rx_len);
				/* without acks there is no way to ask again: drop it */
				ack(c, '-');
				break;
			}
			/*
			 * qSupported opens every gdb session, and a session starts with
			 * acknowledgements on (the protocol's QStartNoAckMode lasts one
			 * session).  On a serial line nothing else says that a gdb went and
			 * another came: without this the new gdb waits for its '+' forever.
			 */
			if (c->noack && c->rx_len >= 10 && !memcmp(c->rx, "qSupported", 10)) {
				gs_log(c->server, KVMDBG_GDBSERVER_LOG_DEBUG,
				       "<- qSupported: a new gdb session, acknowledgements on");
				c->noack = false;
			}
			ack(c, '+');
			log_packet(c, "<-", c->rx, c->rx_len);
			return c->rx_overflow ? GS_RX_TOO_LONG : GS_RX_PACKET;
		}
	}
	return GS_RX_NONE;
}
