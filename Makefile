# xrt: one entry point. all, test, demo, bench, deps, install, deb, clean.
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
SYSCONFDIR ?= /etc
# The one place the version comes from: xrt --version, xrtd --version, the .deb.
XRT_VERSION := $(shell cat VERSION)

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

.PHONY: all test test-unit test-bpf test-netns demo bench deps install deb clean
all: $(BPF_OBJS) $(BINS) $(TESTS)

%.bpf.o: %.bpf.c
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# Only the two programs that print it see the version (rebuilt when it changes).
build/obj/userspace/daemon/xrtd.o build/obj/tools/xrt/xrt.o: VERSION
build/obj/userspace/daemon/xrtd.o build/obj/tools/xrt/xrt.o: CFLAGS += -DXRT_VERSION='"$(XRT_VERSION)"'

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
	valgrind systemd thc-ipv6 groff-base man-db bash-completion dpkg xdp-tools
# Real servers over the socket layer (tests/netns/t_sock_tcp_apps.sh).
DEPS += iperf3 openssh-server openssh-client
# The unit's capability set, applied and decoded (tests/netns/t_ops_unit_caps.sh).
DEPS += libcap2-bin util-linux
deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# A missing test binary is a failure (make: No such file), never a skip.
test: deps all
	build/test_unit
	build/test_bpf
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

# Everything a machine needs, under $(DESTDIR)$(PREFIX) (tests/netns/
# t_ops_install.sh lists it). The unit's /usr/local becomes $(PREFIX); the
# configuration goes to $(SYSCONFDIR)/xrt/xrt.conf only if there is none.
INSTALL_BINS := build/xrtd build/xrt build/libxrt-sock.so bpf/xrt_fwd.bpf.o
install: $(INSTALL_BINS)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib/xrt \
		$(DESTDIR)$(PREFIX)/lib/systemd/system \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/doc/xrt/examples $(DESTDIR)$(SYSCONFDIR)/xrt
	install -m 755 build/xrtd build/xrt $(DESTDIR)$(PREFIX)/sbin/
	install -m 644 bpf/xrt_fwd.bpf.o $(DESTDIR)$(PREFIX)/lib/xrt/
	install -m 755 build/libxrt-sock.so $(DESTDIR)$(PREFIX)/lib/xrt/
	sed 's|/usr/local|$(PREFIX)|g' deploy/xrtd.service >$(DESTDIR)$(PREFIX)/lib/systemd/system/xrtd.service
	chmod 644 $(DESTDIR)$(PREFIX)/lib/systemd/system/xrtd.service
	install -m 644 deploy/man/xrt.8 deploy/man/xrtd.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 644 deploy/man/xrt.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 deploy/bash-completion/xrt $(DESTDIR)$(PREFIX)/share/bash-completion/completions/xrt
	install -m 644 README.md $(DESTDIR)$(PREFIX)/share/doc/xrt/
	install -m 644 deploy/xrt.conf $(DESTDIR)$(PREFIX)/share/doc/xrt/examples/
	[ -e $(DESTDIR)$(SYSCONFDIR)/xrt/xrt.conf ] || \
		install -m 644 deploy/xrt.conf $(DESTDIR)$(SYSCONFDIR)/xrt/xrt.conf

# A Debian package from a staged install (PREFIX=/usr), with dpkg-deb:
# build/xrt_VERSION_ARCH.deb. deploy/debian/control is the template.
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
DEB := build/xrt_$(XRT_VERSION)_$(DEB_ARCH).deb
deb: $(DEB)
$(DEB): $(INSTALL_BINS) VERSION deploy/debian/control deploy/xrtd.service deploy/xrt.conf \
		$(wildcard deploy/man/* deploy/bash-completion/*)
	rm -rf build/deb
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/build/deb PREFIX=/usr SYSCONFDIR=/etc
	install -d build/deb/DEBIAN
	echo /etc/xrt/xrt.conf >build/deb/DEBIAN/conffiles
	sed -e 's/@VERSION@/$(XRT_VERSION)/' -e 's/@ARCH@/$(DEB_ARCH)/' \
		-e "s/@SIZE@/$$(du -sk --exclude=DEBIAN build/deb | cut -f1)/" \
		deploy/debian/control >build/deb/DEBIAN/control
	dpkg-deb --root-owner-group --build build/deb $@

clean:
	rm -rf build $(BPF_OBJS) $(BPF_OBJS:.o=.d)

-include $(shell find build -name '*.d' 2>/dev/null) $(wildcard $(BPF_OBJS:.o=.d))
