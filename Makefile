# samotop: make, make check, make install, make fuzz

CC	?= cc
CFLAGS	?= -O2 -g
WFLAGS	 = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	   -Wall -Wextra -Werror
SANFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
PREFIX	?= /usr/local
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man
LIBEXECDIR = $(PREFIX)/libexec/samotop

PROGS	 = $(patsubst %.c,%,$(wildcard samotop-*.c))
LIBSRCS	 = $(filter-out samotop-%.c,$(wildcard *.c))
LIBOBJS	 = $(LIBSRCS:.c=.o)
TESTSRCS = $(wildcard tests/test_*.c)
TESTS	 = $(TESTSRCS:.c=)
ASANTESTS = $(TESTSRCS:tests/%.c=tests/asan/%)
ASANDIR	 = build-asan
ASANOBJS = $(LIBSRCS:%.c=$(ASANDIR)/%.o)
ASANPROGS = $(PROGS:%=$(ASANDIR)/%)
FUZZSRCS = $(wildcard fuzz/fuzz_*.c)
FUZZERS	 = $(FUZZSRCS:.c=)
# Process start-up is the cost paid per connection and per delivery
# (measured in bench/results.md), and every shared library costs every
# process its loading.  So libtls (with OpenSSL) and SQLite are not
# linked at all: they are loaded with dlopen(3), by the sonames found
# here, by the sessions that start TLS or greylist (dlload.h); so is
# libspf2, by the sessions that check SPF, and it parses what senders'
# domains publish: the system's copy, with its security fixes, is the one
# in use; and libcrypto, by the sessions that run with leave-no-trace
# (its keyed hashes, trace.h), will spool a message (AES, spool.h) or
# verify ARC chains (SHA-256 and RSA, arc.h).
# libresolv is linked in statically, and the helpers that need no name
# service (samotop-maildir, samotop-pipe) are static PIEs.
# DYNAMIC=1 links those as shared libraries instead, so that a
# distribution's updates apply without relinking; libtls, SQLite and
# libspf2 are always the system's shared ones.
soname	 = $(shell objdump -p "$$($(CC) -print-file-name=$(1))" 2>/dev/null | \
	   awk '$$1 == "SONAME" { print $$2 }')
ifndef LIBTLS_SONAME
LIBTLS_SONAME := $(call soname,libtls.so)
endif
ifndef LIBSQLITE3_SONAME
LIBSQLITE3_SONAME := $(call soname,libsqlite3.so)
endif
ifndef LIBSPF2_SONAME
LIBSPF2_SONAME := $(call soname,libspf2.so)
endif
ifndef LIBCRYPTO_SONAME
LIBCRYPTO_SONAME := $(call soname,libcrypto.so)
endif
# libopendkim, by the sessions that verify DKIM (dkimlib.h).
ifndef LIBOPENDKIM_SONAME
LIBOPENDKIM_SONAME := $(call soname,libopendkim.so)
endif
# libopendmarc, by the sessions that evaluate DMARC (dmarclib.h).
ifndef LIBOPENDMARC_SONAME
LIBOPENDMARC_SONAME := $(call soname,libopendmarc.so)
endif
# An empty soname would show only when a session first loads the
# library, as a failed STARTTLS or a deferred message: compiling with one
# is an error instead (checked when a compile command is expanded, so
# that `make check` can still install the -dev packages first).
need_soname = $(if $(strip $($(1))),,$(error $(1) is empty: \
	   $(CC) -print-file-name=$(2) finds no shared library with a SONAME; \
	   install $(3) (Debian), or set $(1)=SONAME))
WFLAGS	+= $(call need_soname,LIBTLS_SONAME,libtls.so,libtls-dev) \
	   $(call need_soname,LIBSQLITE3_SONAME,libsqlite3.so,libsqlite3-dev) \
	   $(call need_soname,LIBSPF2_SONAME,libspf2.so,libspf2-dev) \
	   $(call need_soname,LIBCRYPTO_SONAME,libcrypto.so,libssl-dev) \
	   $(call need_soname,LIBOPENDKIM_SONAME,libopendkim.so,libopendkim-dev) \
	   $(call need_soname,LIBOPENDMARC_SONAME,libopendmarc.so,libopendmarc-dev) \
	   -DLIBTLS_SONAME='"$(LIBTLS_SONAME)"' \
	   -DLIBSQLITE3_SONAME='"$(LIBSQLITE3_SONAME)"' \
	   -DLIBSPF2_SONAME='"$(LIBSPF2_SONAME)"' \
	   -DLIBCRYPTO_SONAME='"$(LIBCRYPTO_SONAME)"' \
	   -DLIBOPENDKIM_SONAME='"$(LIBOPENDKIM_SONAME)"' \
	   -DLIBOPENDMARC_SONAME='"$(LIBOPENDMARC_SONAME)"'
ifeq ($(DYNAMIC),1)
LDLIBS_SMTPD = -lresolv
STATIC_HELPERS =
else
LDLIBS_SMTPD = -Wl,-Bstatic -lresolv -Wl,-Bdynamic
STATIC_HELPERS = samotop-maildir samotop-pipe
endif
# samotop-encrypt alone links libcrypto (S/MIME): the other programs'
# objects never refer to it (an archive member is linked only when
# referred to).  LDLIBS_<name> is added to the link of the program or
# fuzzer <name>, in every build.  librnp (OpenPGP), with Botan and
# libstdc++ behind it, costs a process about 7 ms at start: it is loaded
# with dlopen(3) too, by rnplib.c, at the first OpenPGP key file.
LDLIBS_samotop-encrypt = -lcrypto
# samotop-remote looks MX records up with the resolver.
LDLIBS_samotop-remote = $(LDLIBS_SMTPD)
# samotop-tlsrpt looks _smtp._tls TXT records up, and gzips its reports
# with zlib (RFC 8460 §5.2): it alone links it, once a day.
LDLIBS_samotop-tlsrpt = $(LDLIBS_SMTPD) -lz
ifndef LIBRNP_SONAME
LIBRNP_SONAME := $(call soname,librnp.so)
endif
RNPLIB_FLAGS = $(call need_soname,LIBRNP_SONAME,librnp.so,librnp-dev) \
	   -DLIBRNP_SONAME='"$(LIBRNP_SONAME)"'
rnplib.o: WFLAGS += $(RNPLIB_FLAGS)
%/rnplib.o: WFLAGS += $(RNPLIB_FLAGS)
# libunbound (validating DNS: the screener's DNSSEC and DANE evidence,
# scr_dane.h), loaded likewise by unboundlib.c at the first check.
ifndef LIBUNBOUND_SONAME
LIBUNBOUND_SONAME := $(call soname,libunbound.so)
endif
UNBOUNDLIB_FLAGS = $(call need_soname,LIBUNBOUND_SONAME,libunbound.so,libunbound-dev) \
	   -DLIBUNBOUND_SONAME='"$(LIBUNBOUND_SONAME)"'
unboundlib.o: WFLAGS += $(UNBOUNDLIB_FLAGS)
%/unboundlib.o: WFLAGS += $(UNBOUNDLIB_FLAGS)
# libcurl (OpenSSL's flavour: samotop-remote's MTA-STS policy fetches,
# sts_fetch.h, and samotop-tlsrpt's report POSTs, tlsrpt_post.h), loaded
# likewise by curllib.c at the first fetch.
ifndef LIBCURL_SONAME
LIBCURL_SONAME := $(call soname,libcurl.so)
endif
CURLLIB_FLAGS = $(call need_soname,LIBCURL_SONAME,libcurl.so,libcurl4-openssl-dev) \
	   -DLIBCURL_SONAME='"$(LIBCURL_SONAME)"'
curllib.o: WFLAGS += $(CURLLIB_FLAGS)
%/curllib.o: WFLAGS += $(CURLLIB_FLAGS)
# libssl itself (DANE, RFC 7672: libtls has no API for it), loaded
# likewise by ssllib.c when samotop-remote first meets a host with TLSA
# records (rmt_conn_dane.c).
ifndef LIBSSL_SONAME
LIBSSL_SONAME := $(call soname,libssl.so)
endif
SSLLIB_FLAGS = $(call need_soname,LIBSSL_SONAME,libssl.so,libssl-dev) \
	   -DLIBSSL_SONAME='"$(LIBSSL_SONAME)"'
ssllib.o: WFLAGS += $(SSLLIB_FLAGS)
%/ssllib.o: WFLAGS += $(SSLLIB_FLAGS)
# libpq (a store that is a postgresql:// URI, store_pg.c), loaded likewise
# by pglib.c when such a store is first opened; its header from libpq-dev.
ifndef LIBPQ_SONAME
LIBPQ_SONAME := $(call soname,libpq.so)
endif
PQ_INCLUDE ?= /usr/include/postgresql
PGLIB_FLAGS = $(call need_soname,LIBPQ_SONAME,libpq.so,libpq-dev) \
	   -DLIBPQ_SONAME='"$(LIBPQ_SONAME)"' -I$(PQ_INCLUDE)
pglib.o store_pg.o: WFLAGS += $(PGLIB_FLAGS)
%/pglib.o %/store_pg.o: WFLAGS += $(PGLIB_FLAGS)
# The version -V prints: `git describe` in samotop's own git tree, else
# the first line of a VERSION file (a release tarball), else "unknown".
# Only version.o is compiled with it, and only when it changes: the
# stamp file is rewritten when its text differs (checked at every make).
VERSION != if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$$(pwd -P)" ]; \
	then git describe --always --dirty 2>/dev/null; \
	elif [ -r VERSION ]; then sed -n 1p VERSION; else echo unknown; fi
VERSION_STAMP != v='$(VERSION)'; [ "$$(cat version.stamp 2>/dev/null)" = "$$v" ] || \
	printf '%s\n' "$$v" >version.stamp; echo version.stamp
VERSION_OBJS = version.o $(ASANDIR)/version.o $(FUZZDIR)/version.o
$(VERSION_OBJS): $(VERSION_STAMP)
$(VERSION_OBJS): WFLAGS += -DSAMOTOP_VERSION='"$(VERSION)"'

# Tests may look into a greylisting store themselves.
LDLIBS_TEST = $(LDLIBS_SMTPD) -lsqlite3

# The libraries of samotop-encrypt's key back ends (enc_smime.c:
# OpenSSL's libcrypto).  Only the programs that call a back end link
# them: an archive member nobody references (enc_smime.o in the others)
# is not linked in, so it costs the other programs nothing.
ENCLIBS	 = -lcrypto
tests/test_enc_smime tests/asan/test_enc_smime: LDLIBS_TEST += $(ENCLIBS)
# test_dkim signs its message with libopendkim's dkim_sign().
tests/test_dkim tests/asan/test_dkim: LDLIBS_TEST += -lopendkim
fuzz/fuzz_smime_key: LDLIBS_SMTPD += $(ENCLIBS)

all: $(PROGS)

# Each object lists the headers it includes (-MMD -MP, the *.d files).
DEPFLAGS = -MMD -MP

%.o: %.c
	$(CC) $(CFLAGS) $(WFLAGS) $(DEPFLAGS) -c -o $@ $<

# The sandbox's seccomp filters (sandbox_policy.c), compiled to BPF by
# libseccomp here, once, not by every process (gen/sandbox_gen.c): no
# program links libseccomp.
gen/sandbox_gen: gen/sandbox_gen.c sandbox_policy.c sandbox.h
	$(CC) $(CFLAGS) $(WFLAGS) -I. -o $@ gen/sandbox_gen.c \
	    sandbox_policy.c -lseccomp

sandbox_bpf.h: gen/sandbox_gen
	./gen/sandbox_gen >$@.new && mv -f $@.new $@

sandbox.o $(ASANDIR)/sandbox.o $(FUZZDIR)/sandbox.o: sandbox_bpf.h

libsamotop.a: $(LIBOBJS)
	rm -f $@
	ar rcs $@ $(LIBOBJS)

samotop-smtpd: samotop-smtpd.o libsamotop.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ samotop-smtpd.o libsamotop.a $(LDLIBS_SMTPD)

# The helpers: one main each, linked against the same library.
samotop-%: samotop-%.o libsamotop.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(if $(filter $@,$(STATIC_HELPERS)),-static-pie) \
	    -o $@ $@.o libsamotop.a $(LDLIBS_$@)

tests/test_%: tests/test_%.c libsamotop.a
	$(CC) $(CFLAGS) $(WFLAGS) $(DEPFLAGS) -I. -o $@ $< libsamotop.a \
	    $(LDLIBS_TEST)

# tests/smime.bats's filter: smime_encrypt() from stdin to stdout.
tests/enc_smime_drive: tests/enc_smime_drive.c libsamotop.a
	$(CC) $(CFLAGS) $(WFLAGS) $(DEPFLAGS) -I. -o $@ $< libsamotop.a \
	    $(ENCLIBS)

# tests/milter.bats's client: milterconn.c (over milter.c) against real filters.
tests/milter_drive: tests/milter_drive.c libsamotop.a
	$(CC) $(CFLAGS) $(WFLAGS) $(DEPFLAGS) -I. -o $@ $< libsamotop.a

# tests/dkim.bats's verifier (dkim.c) and signer (libopendkim's own).
tests/dkim_drive: tests/dkim_drive.c libsamotop.a
	$(CC) $(CFLAGS) $(WFLAGS) $(DEPFLAGS) -I. -o $@ $< libsamotop.a \
	    -lopendkim

# tests/dmarc.bats's evaluator: dmarc.c, records from the tests' DNS.
tests/dmarc_drive: tests/dmarc_drive.c libsamotop.a
	$(CC) $(CFLAGS) $(WFLAGS) $(DEPFLAGS) -I. -o $@ $< libsamotop.a

# tests/arc.bats's verifier: arc.c, keys from the tests' DNS.
tests/arc_drive: tests/arc_drive.c libsamotop.a
	$(CC) $(CFLAGS) $(WFLAGS) $(DEPFLAGS) -I. -o $@ $< libsamotop.a \
	    $(LDLIBS_SMTPD)

# tests/dane.bats's checker: scr_dane.c against a validating resolver.
tests/dane_drive: tests/dane_drive.c libsamotop.a
	$(CC) $(CFLAGS) $(WFLAGS) $(DEPFLAGS) -I. -o $@ $< libsamotop.a

# tests/screener_web.bats's server: the web page over a source in files.
tests/scr_http_drive: tests/scr_http_drive.c libsamotop.a
	$(CC) $(CFLAGS) $(WFLAGS) $(DEPFLAGS) -I. -o $@ $< libsamotop.a \
	    $(LDLIBS_SMTPD)

# The same tests against the library built with ASan and UBSan.
tests/asan/test_%: tests/test_%.c $(ASANDIR)/libsamotop.a
	@mkdir -p tests/asan
	$(CC) $(SANFLAGS) $(WFLAGS) $(DEPFLAGS) -I. -o $@ $< \
	    $(ASANDIR)/libsamotop.a $(LDLIBS_TEST)

# Fuzzers link the library built for coverage (build-fuzz/).
FUZZDIR	 = build-fuzz
FUZZCC	 = clang -g -O1 -fsanitize=address,undefined
FUZZOBJS = $(LIBSRCS:%.c=$(FUZZDIR)/%.o)

$(FUZZOBJS): $(FUZZDIR)/%.o: %.c
	@mkdir -p $(FUZZDIR)
	$(FUZZCC) -fsanitize=fuzzer-no-link $(WFLAGS) $(DEPFLAGS) -c -o $@ $<

$(FUZZDIR)/libsamotop.a: $(FUZZOBJS)
	rm -f $@
	ar rcs $@ $(FUZZOBJS)

fuzz/fuzz_%: fuzz/fuzz_%.c $(FUZZDIR)/libsamotop.a
	$(FUZZCC) -fsanitize=fuzzer $(WFLAGS) $(DEPFLAGS) -I. -o $@ $< \
	    $(FUZZDIR)/libsamotop.a $(LDLIBS_SMTPD) $(LDLIBS_$(notdir $@))

# fuzz_session's LMTP helper, the scripted mock (fuzz/helper_mock.c): a
# plain build, since it is executed for every input.
fuzz/helper_mock: fuzz/helper_mock.c
	$(CC) $(CFLAGS) $(WFLAGS) $(DEPFLAGS) -o $@ $<

fuzz/fuzz_session: fuzz/helper_mock

fuzz: $(FUZZERS)

units: $(TESTS) tests/enc_smime_drive tests/milter_drive tests/dkim_drive \
	   tests/dmarc_drive tests/arc_drive tests/dane_drive \
	   tests/scr_http_drive
asan: $(ASANTESTS)

check:
	@sh ./setup deps
	@$(MAKE) -s all units asan fuzz
	@sh tests/run

run: all
	@sh etc/run-demo

# Each file is installed under a temporary name in its directory and
# renamed over the old one: a running program keeps its (now unlinked)
# text instead of failing the copy with "Text file busy", and nothing
# ever runs or reads half a file.  $(call put,MODE,SRC,DIR)
put	 = install -m $(1) $(2) $(3)/.$(notdir $(2)).new && \
	   mv -f $(3)/.$(notdir $(2)).new $(3)/$(notdir $(2))
MAN5	 = $(wildcard man/*.5)
MAN8	 = $(wildcard man/*.8)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	$(foreach f,$(PROGS),$(call put,0755,$(f),$(DESTDIR)$(BINDIR)) && ) :
	sed 's|@BINDIR@|$(BINDIR)|' etc/smtpd-inetd.in \
	    >$(DESTDIR)$(LIBEXECDIR)/.smtpd-inetd.new && \
	chmod 0755 $(DESTDIR)$(LIBEXECDIR)/.smtpd-inetd.new && \
	mv -f $(DESTDIR)$(LIBEXECDIR)/.smtpd-inetd.new \
	    $(DESTDIR)$(LIBEXECDIR)/smtpd-inetd
	$(foreach f,$(MAN5),$(call put,0644,$(f),$(DESTDIR)$(MANDIR)/man5) && ) :
	$(foreach f,$(MAN8),$(call put,0644,$(f),$(DESTDIR)$(MANDIR)/man8) && ) :

uninstall:
	rm -f $(PROGS:%=$(DESTDIR)$(BINDIR)/%) \
	    $(DESTDIR)$(LIBEXECDIR)/smtpd-inetd \
	    $(MAN5:man/%=$(DESTDIR)$(MANDIR)/man5/%) \
	    $(MAN8:man/%=$(DESTDIR)$(MANDIR)/man8/%)
	rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null || :

bench: all
	@sh bench/run

lint:
	mandoc -Tlint -Wwarning man/*.5 man/*.8

# Robustness (README "Robustness"): long fuzzing, the bats suite under
# ASan/UBSan and under valgrind, a soak test and memory bounds.
#   make fuzz-long  FUZZ_SECONDS=300: each fuzzer that long, from its seeds
#                   (fuzz/seeds/NAME) and corpus (fuzz/corpus-NAME); crash
#                   inputs and logs go to fuzz/findings/ (not in git).
#                   fuzz_session also needs fuzz/helper_mock, built with it
FUZZ_SECONDS ?= 300

fuzz-long: $(FUZZERS)
	@mkdir -p fuzz/findings; bad=0; \
	for f in $(FUZZERS); do \
		n=$${f#fuzz/}; \
		mkdir -p fuzz/corpus-$$n fuzz/findings/$$n; \
		before=$$(ls fuzz/findings/$$n | wc -l); \
		seeds=; [ -d fuzz/seeds/$$n ] && seeds=fuzz/seeds/$$n; \
		$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		    -rss_limit_mb=2048 -print_final_stats=1 \
		    -artifact_prefix=fuzz/findings/$$n/ \
		    fuzz/corpus-$$n $$seeds >fuzz/findings/$$n.log 2>&1; \
		rc=$$?; \
		runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' \
		    fuzz/findings/$$n.log | tail -1); \
		cov=$$(grep -o 'cov: [0-9]*' fuzz/findings/$$n.log | tail -1); \
		found=$$(($$(ls fuzz/findings/$$n | wc -l) - before)); \
		if [ $$rc -eq 0 ] && [ $$found -eq 0 ]; then \
			echo "$$n: $${runs:-?} executions in $(FUZZ_SECONDS) s, $$cov, nothing found"; \
		else \
			bad=1; \
			echo "$$n: $${runs:-?} executions, $$cov, FOUND $$found (exit $$rc): $$(ls -t fuzz/findings/$$n | head -$$found | tr '\n' ' ')see fuzz/findings/$$n.log"; \
		fi; \
	done; \
	exit $$bad

#   make check-asan: the programs built with ASan and UBSan into
#                   build-asan/, then every tests/*.bats against them
#                   (tests/asan.bash); fails on a test failure or on any
#                   sanitizer report (build-asan/logs/)
#   make check-valgrind: tests smtp_basic, smtp_data and maildir against
#                   the programs above run under valgrind --leak-check=full
$(ASANOBJS) $(ASANPROGS:=.o): $(ASANDIR)/%.o: %.c
	@mkdir -p $(ASANDIR)
	$(CC) $(SANFLAGS) $(WFLAGS) $(DEPFLAGS) -c -o $@ $<

$(ASANDIR)/libsamotop.a: $(ASANOBJS)
	rm -f $@
	ar rcs $@ $(ASANOBJS)

$(ASANPROGS): $(ASANDIR)/%: $(ASANDIR)/%.o $(ASANDIR)/libsamotop.a
	$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $@.o $(ASANDIR)/libsamotop.a \
	    $(LDLIBS_SMTPD) $(LDLIBS_$(notdir $@))

check-asan: $(ASANPROGS)
	@CC="$(CC) $(SANFLAGS) -I$(CURDIR)" bash tests/asan.bash asan

# valgrind cannot follow a static executable's malloc: it runs shared builds.
VGPROGS	 = $(PROGS:%=build-valgrind/bin/%)

build-valgrind/bin/samotop-smtpd: samotop-smtpd.o libsamotop.a
	@mkdir -p build-valgrind/bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ samotop-smtpd.o libsamotop.a \
	    -lresolv

build-valgrind/bin/samotop-%: samotop-%.o libsamotop.a
	@mkdir -p build-valgrind/bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ samotop-$*.o libsamotop.a \
	    $(LDLIBS_samotop-$*)

check-valgrind: $(VGPROGS)
	@bash tests/asan.bash valgrind

#   make soak:      tests/soak/run: SOAK_SESSIONS (2000) sessions of every
#                   kind under tcpserver, then the delivery counts; and
#                   tests/soak/memory: peak RSS for small and large input
soak: samotop-smtpd samotop-maildir samotop-lmtp
	@sh tests/soak/run
	@python3 tests/soak/memory

clean:
	rm -f *.o *.d libsamotop.a $(PROGS) $(TESTS) $(FUZZERS) fuzz/helper_mock
	rm -f tests/enc_smime_drive tests/milter_drive tests/dkim_drive \
	    tests/dmarc_drive tests/arc_drive tests/dane_drive \
	    tests/scr_http_drive
	rm -f version.stamp gen/sandbox_gen sandbox_bpf.h
	rm -f tests/*.d fuzz/*.d
	rm -rf tests/asan run $(ASANDIR) $(FUZZDIR)

-include $(wildcard *.d tests/*.d tests/asan/*.d fuzz/*.d \
	    $(ASANDIR)/*.d $(FUZZDIR)/*.d)

.PHONY: all check run install uninstall lint clean fuzz units asan bench
.PHONY: fuzz-long check-asan check-valgrind soak
