/*
 * scr_page.h: the HTML of samotop-screener's web page.  Every text that
 * came from a message, a request or the store goes through
 * scr_buf_html(), so nothing a sender writes becomes markup.  The pages
 * need no JavaScript: plain forms, one per sender, that POST with the
 * user's CSRF token; they are readable from 360 px wide up, every
 * control labelled and reachable with the keyboard.
 */
#ifndef SAMOTOP_SCR_PAGE_H
#define SAMOTOP_SCR_PAGE_H

#include <stddef.h>
#include <time.h>

#include "scr_sender.h"

#define SCR_PAGE_MAX	(4 * 1024 * 1024)	/* one page's HTML */

/* A growing buffer; on failure (memory, SCR_PAGE_MAX) failed is set. */
struct scr_buf {
	char	*p;
	size_t	 len, size;
	int	 failed;
};

/* Free b's text (b may be NULL). */
void	scr_buf_free(struct scr_buf *b);
void	scr_buf_add(struct scr_buf *b, const char *s, size_t n);
void	scr_buf_str(struct scr_buf *b, const char *s);
void	scr_buf_printf(struct scr_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * s escaped for HTML text and attribute values: & < > " ' as character
 * references, control octets other than LF and TAB as U+FFFD.
 */
void	scr_buf_html(struct scr_buf *b, const char *s);

/* The sign-in form, with message (NULL: none) above it. */
void	scr_page_login(struct scr_buf *b, const char *message);
/*
 * The list page, in pieces: the top (user, the outcome of the last
 * decision: note, NULL for none), one section per waiting sender (n is
 * its place, for ids), the decisions made, and the end.
 */
void	scr_page_top(struct scr_buf *b, const char *user, const char *csrf,
	    const char *note);
void	scr_page_sender(struct scr_buf *b, const char *csrf, unsigned n,
	    const struct scr_sender *s);
/* After the senders: how many there were, and the decisions' heading. */
void	scr_page_middle(struct scr_buf *b, unsigned nsenders);
void	scr_page_decision(struct scr_buf *b, const char *csrf,
	    const char *sender, int decision, time_t at);
void	scr_page_end(struct scr_buf *b, unsigned ndecisions);
/* A short page for an error status: its title and a sentence. */
void	scr_page_error(struct scr_buf *b, int status, const char *title,
	    const char *text);

#endif
