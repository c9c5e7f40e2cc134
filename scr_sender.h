/*
 * scr_sender.h: one sender waiting in a user's Screener folder, as the
 * folder's reader (scr_box.h) gives it and the web page (scr_http.h)
 * shows it.  The texts are NUL-terminated and may hold anything a
 * message did: whoever shows them escapes them.
 */
#ifndef SAMOTOP_SCR_SENDER_H
#define SAMOTOP_SCR_SENDER_H

#include <time.h>

#include "address.h"

struct scr_sender {		/* one waiting sender, grouped by From: */
	char	 addr[ADDR_MAX + 1];	/* lowercased From: address */
	char	 display[256];		/* display name, decoded as it can */
	unsigned count;			/* messages waiting */
	time_t	 first, last;		/* their arrival (file mtime) */
	char	 subject[256];		/* the newest message's, printable */
	char	 snippet[512];		/* its first lines of text */
	char	 evidence[512];		/* its Authentication-Results:
					   results (ours, topmost) + TLS
					   or not */
};

#endif
