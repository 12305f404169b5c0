// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The framing of the GDB remote serial protocol: "$data#cs" with a two-digit hex checksum
 * (the sum of the data bytes modulo 256), '+' and '-' acknowledgements until gdb asks for
 * QStartNoAckMode, the lone byte 0x03 for Ctrl-C, and the escapes of binary data.
 *
 * Nothing that arrives can make the parser read or write outside its buffers: a packet
 * longer than PACKET_MAX is consumed to its end and reported as too long, stray bytes
 * between packets are dropped, and a '$' inside a packet starts a new one.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stub.h"

void conn_init(struct conn *c, int fd, bool verbose)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->verbose = verbose;
	c->rx_state = RX_IDLE;
}

void conn_fini(struct conn *c)
{
	free(c->tx_last);
	c->tx_last = NULL;
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
	static const char digits[] = "0123456789abcdef";

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

static int write_all(struct conn *c, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void log_packet(const char *dir, const char *data, size_t len)
{
	char shown[200];
	size_t n = 0;

	for (size_t i = 0; i < len && n + 5 < sizeof(shown); i++) {
		unsigned char ch = (unsigned char)data[i];

		if (ch >= 0x20 && ch < 0x7f)
			shown[n++] = (char)ch;
		else
			n += (size_t)snprintf(shown + n, sizeof(shown) - n, "\\x%02x",
					      ch);
	}
	shown[n] = '\0';
	stub_log("%s %s%s", dir, shown, n < len ? "..." : "");
}

int conn_send(struct conn *c, const char *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t sum = 0;
	char *pkt;
	int ret;

	pkt = malloc(len + 4);
	if (!pkt)
		return -ENOMEM;
	pkt[0] = '$';
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + (uint8_t)data[i]);
	memcpy(pkt + 1, data, len);
	pkt[len + 1] = '#';
	pkt[len + 2] = digits[sum >> 4];
	pkt[len + 3] = digits[sum & 0xf];
	if (c->verbose)
		log_packet("->", data, len);
	ret = write_all(c, pkt, len + 4);
	free(c->tx_last);
	c->tx_last = pkt;
	c->tx_last_len = len + 4;
	return ret;
}

int conn_send_str(struct conn *c, const char *s)
{
	return conn_send(c, s, strlen(s));
}

int conn_send_output(struct conn *c, const char *text)
{
	size_t len = strlen(text);
	char *pkt;
	int ret;

	if (len > (PACKET_MAX - 1) / 2)
		len = (PACKET_MAX - 1) / 2;
	pkt = malloc(2 * len + 2);
	if (!pkt)
		return -ENOMEM;
	pkt[0] = 'O';
	hex_encode((const uint8_t *)text, len, pkt + 1);
	ret = conn_send(c, pkt, 2 * len + 1);
	free(pkt);
	return ret;
}

bool conn_has_input(const struct conn *c)
{
	return c->in_pos < c->in_len;
}

int conn_fill(struct conn *c, bool wait)
{
	ssize_t n;

	if (c->in_pos < c->in_len)
		return 1;
	for (;;) {
		n = recv(c->fd, c->in, sizeof(c->in), wait ? 0 : MSG_DONTWAIT);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (!wait && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -EAGAIN;
		return -errno;
	}
	if (n == 0)
		return 0;
	c->in_pos = 0;
	c->in_len = (size_t)n;
	return 1;
}

static void ack(struct conn *c, char ch)
{
	if (!c->noack)
		write_all(c, &ch, 1);
}

enum rx_event conn_parse(struct conn *c)
{
	while (c->in_pos < c->in_len) {
		uint8_t ch = c->in[c->in_pos++];
		int d;

		switch (c->rx_state) {
		case RX_IDLE:
			if (ch == '$') {
				c->rx_state = RX_DATA;
				c->rx_len = 0;
				c->rx_sum = 0;
				c->rx_overflow = false;
			} else if (ch == 0x03) {
				return RX_INTERRUPT;
			} else if (ch == '-' && !c->noack && c->tx_last) {
				if (c->verbose)
					stub_log("<- '-': sending the last packet again");
				write_all(c, c->tx_last, c->tx_last_len);
			}
			/* '+' and anything else between packets: nothing to do */
			break;
		case RX_DATA:
			if (ch == '#') {
				c->rx_state = RX_CSUM1;
			} else if (ch == '$') {
				/* the end of the last one was lost: start again */
				c->rx_len = 0;
				c->rx_sum = 0;
				c->rx_overflow = false;
			} else {
				c->rx_sum = (uint8_t)(c->rx_sum + ch);
				if (c->rx_len < PACKET_MAX)
					c->rx[c->rx_len++] = (char)ch;
				else
					c->rx_overflow = true;
			}
			break;
		case RX_CSUM1:
			c->rx_csum_hi = hex_digit(ch);
			c->rx_state = RX_CSUM2;
			break;
		case RX_CSUM2:
			c->rx_state = RX_IDLE;
			d = hex_digit(ch);
			c->rx[c->rx_len] = '\0';
			if (c->rx_csum_hi < 0 || d < 0 ||
			    (c->rx_csum_hi << 4 | d) != c->rx_sum) {
				if (c->verbose)
					log_packet("<- (bad checksum)", c->rx, c->rx_len);
				ack(c, '-');
				/* without acks there is no way to ask again: drop it */
				break;
			}
			ack(c, '+');
			if (c->verbose)
				log_packet("<-", c->rx, c->rx_len);
			return c->rx_overflow ? RX_TOO_LONG : RX_PACKET;
		}
	}
	return RX_NONE;
}
