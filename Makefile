# xrt: one entry point. all, test, demo, bench, deps, install, clean.
#
# Sources are found by directory, so adding a file needs no Makefile edit:
#   bpf/xrt_fwd.bpf.c      -> bpf/xrt_fwd.bpf.o (the product XDP program)
#   tools/NAME/*.bpf.c, tests/*/*.bpf.c -> beside their source (the bench and
#                             test programs, clang -target bpf like the product)
#   userspace/**.c         -> build/libxrt.a (all but the two below)
#   userspace/daemon/xrtd.c -> build/xrtd
#   userspace/sock/{client,shim}.c -> build/libxrt-sock.so (client library + shim)
#   tools/NAME/*.c         -> build/NAME (NAME=xrt is the CLI; not *.bpf.c)
#   tests/unit/*.c         -> build/test_unit (criterion)
#   tests/bpf/*.c          -> build/test_bpf (criterion + BPF_PROG_TEST_RUN)

CC ?= gcc
CLANG ?= clang
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
PREFIX ?= /usr/local

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Iinclude -Iuserspace -MMD -MP -fPIC
LDLIBS := -lxdp -lbpf -lelf -lz -lmnl -ljson-c -lpthread -lm
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -Iinclude \
	-I/usr/include/$(MULTIARCH) -MMD -MP

BPF_SRCS := $(wildcard bpf/*.bpf.c tools/*/*.bpf.c tests/*/*.bpf.c)
BPF_OBJS := $(BPF_SRCS:.c=.o)
XRTD_SRC := userspace/daemon/xrtd.c
SOCK_SRCS := userspace/sock/client.c userspace/sock/shim.c
LIB_SRCS := $(filter-out $(XRTD_SRC) $(SOCK_SRCS), \
	$(shell find userspace -name '*.c' 2>/dev/null | sort))
LIB_OBJS := $(LIB_SRCS:%.c=build/obj/%.o)
SOCK_OBJS := $(SOCK_SRCS:%.c=build/obj/%.o)
TOOL_SRCS = $(filter-out %.bpf.c,$(wildcard tools/$(1)/*.c))
TOOLS := $(notdir $(patsubst %/,%,$(dir $(call TOOL_SRCS,*))))
TOOL_BINS := $(addprefix build/,$(sort $(TOOLS)))
UNIT_SRCS := $(filter-out %.bpf.c,$(wildcard tests/unit/*.c))
BPFT_SRCS := $(filter-out %.bpf.c,$(wildcard tests/bpf/*.c))

BINS := build/xrtd $(TOOL_BINS)
BINS += build/libxrt-sock.so
ifneq ($(UNIT_SRCS),)
TESTS += build/test_unit
endif
ifneq ($(BPFT_SRCS),)
TESTS += build/test_bpf
endif

.PHONY: all test test-unit test-bpf test-netns demo bench deps install clean
all: $(BPF_OBJS) $(BINS) $(TESTS)

%.bpf.o: %.bpf.c
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

build/libxrt.a: $(LIB_OBJS)
	@mkdir -p build
	rm -f $@ && ar rcs $@ $^

build/xrtd: $(XRTD_SRC:%.c=build/obj/%.o) build/libxrt.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

build/libxrt-sock.so: $(SOCK_OBJS) build/libxrt.a
	$(CC) $(LDFLAGS) -shared -o $@ $^ $(LDLIBS) -ldl

.SECONDEXPANSION:
$(TOOL_BINS): build/%: $$(addprefix build/obj/,$$(addsuffix .o,$$(basename $$(call TOOL_SRCS,$$*)))) build/libxrt.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

build/test_unit: $(UNIT_SRCS:%.c=build/obj/%.o) build/libxrt.a
	$(CC) $(LDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

build/test_bpf: $(BPFT_SRCS:%.c=build/obj/%.o) build/libxrt.a
	$(CC) $(LDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

# Debian 12 packages for building, testing, the demo and the benchmarks.
DEPS := make gcc clang llvm libbpf-dev libxdp-dev libelf-dev zlib1g-dev \
	bpftool libcriterion-dev libmnl-dev libjson-c-dev pkg-config \
	iproute2 iputils-ping iputils-tracepath traceroute ethtool tcpdump \
	python3 python3-scapy socat netcat-openbsd netsniff-ng bird2 procps \
	valgrind systemd thc-ipv6 xdp-tools
deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

test: deps all
	@if [ -x build/test_unit ]; then build/test_unit; fi
	@if [ -x build/test_bpf ]; then build/test_bpf; fi
	tests/netns/run

test-unit: build/test_unit
	build/test_unit
test-bpf: all
	build/test_bpf
test-netns: all
	tests/netns/run

demo: deps all
	deploy/demo.sh

bench: deps all
	tools/bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib/xrt
	install -m 755 build/xrtd build/xrt $(DESTDIR)$(PREFIX)/sbin/
	install -m 644 bpf/xrt_fwd.bpf.o $(DESTDIR)$(PREFIX)/lib/xrt/

clean:
	rm -rf build $(BPF_OBJS) $(BPF_OBJS:.o=.d)

-include $(shell find build -name '*.d' 2>/dev/null) $(wildcard $(BPF_OBJS:.o=.d))
