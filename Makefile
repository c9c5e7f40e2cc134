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

PROGS	 = $(patsubst %.c,%,$(wildcard samotop-*.c))
LIBSRCS	 = $(filter-out samotop-%.c,$(wildcard *.c))
LIBOBJS	 = $(LIBSRCS:.c=.o)
HDRS	 = $(wildcard *.h)
TESTSRCS = $(wildcard tests/test_*.c)
TESTS	 = $(TESTSRCS:.c=)
ASANTESTS = $(TESTSRCS:tests/%.c=tests/asan/%)
FUZZSRCS = $(wildcard fuzz/fuzz_*.c)
FUZZERS	 = $(FUZZSRCS:.c=)
LDLIBS_SMTPD = -ltls -lsqlite3 -lspf2 -lresolv

all: $(PROGS)

%.o: %.c $(HDRS)
	$(CC) $(CFLAGS) $(WFLAGS) -c -o $@ $<

libsamotop.a: $(LIBOBJS)
	rm -f $@
	ar rcs $@ $(LIBOBJS)

samotop-smtpd: samotop-smtpd.o libsamotop.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ samotop-smtpd.o libsamotop.a $(LDLIBS_SMTPD)

# The helpers: one main each, linked against the same library.
samotop-%: samotop-%.o libsamotop.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $@.o libsamotop.a

tests/test_%: tests/test_%.c tests/unit.h libsamotop.a
	$(CC) $(CFLAGS) $(WFLAGS) -I. -o $@ $< libsamotop.a $(LDLIBS_SMTPD)

tests/asan/test_%: tests/test_%.c tests/unit.h $(LIBSRCS) $(HDRS)
	@mkdir -p tests/asan
	$(CC) $(SANFLAGS) $(WFLAGS) -I. -o $@ $< $(LIBSRCS) $(LDLIBS_SMTPD)

fuzz/fuzz_%: fuzz/fuzz_%.c $(LIBSRCS) $(HDRS)
	clang -g -O1 -fsanitize=fuzzer,address,undefined $(WFLAGS) -I. \
	    -o $@ $< $(LIBSRCS) $(LDLIBS_SMTPD)

fuzz: $(FUZZERS)

units: $(TESTS)
asan: $(ASANTESTS)

check:
	@sh ./setup deps
	@$(MAKE) -s all units asan fuzz
	@sh tests/run

run: all
	@sh etc/run-demo

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	cp $(PROGS) $(DESTDIR)$(BINDIR)/
	cp man/*.5 $(DESTDIR)$(MANDIR)/man5/
	cp man/*.8 $(DESTDIR)$(MANDIR)/man8/

lint:
	mandoc -Tlint -Wwarning man/*.5 man/*.8

clean:
	rm -f *.o libsamotop.a $(PROGS) $(TESTS) $(FUZZERS)
	rm -rf tests/asan run

.PHONY: all check run install lint clean fuzz units asan
