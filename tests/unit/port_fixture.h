/* SPDX-License-Identifier: MIT */
/*
 * What the tests of the port devices share (test_vpit.c, test_vrtc.c,
 * test_vi8042.c, test_vsysport.c, test_vuart.c): the VM's I/O bus and byte
 * accesses through it, as a guest's IN and OUT reach a device. Every access
 * must be claimed. Each test file is its own program: everything is static.
 */
#ifndef PORT_FIXTURE_H
#define PORT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "io_bus.h"

static struct io_bus bus;

static void outb(uint16_t port, uint8_t v)
{
	uint64_t x = v;

	assert_true(io_bus_access(&bus, IO_SPACE_PORT, port, 1, true, &x));
}

static uint8_t inb(uint16_t port)
{
	uint64_t x;

	assert_true(io_bus_access(&bus, IO_SPACE_PORT, port, 1, false, &x));
	assert_true(x <= 0xff);
	return (uint8_t)x;
}

/* 32-bit accesses (PCI's CONFIG_ADDRESS and CONFIG_DATA): inline, as few tests use them */
static inline void outl(uint16_t port, uint32_t v)
{
	uint64_t x = v;

	assert_true(io_bus_access(&bus, IO_SPACE_PORT, port, 4, true, &x));
}

static inline uint32_t inl(uint16_t port)
{
	uint64_t x;

	assert_true(io_bus_access(&bus, IO_SPACE_PORT, port, 4, false, &x));
	return (uint32_t)x;
}

#endif
