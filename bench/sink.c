/* bench/sink.c: the floor's delivery program: read stdin to EOF, store
 * nothing, exit 0.  Like /bin/true, but it drains the pipe. */
#include <unistd.h>

int main(void)
{
	static char buf[1 << 16];

	while (read(0, buf, sizeof buf) > 0)
		;
	return 0;
}
