#ifndef RETREAT_CLIBICAL_SHIM_H
#define RETREAT_CLIBICAL_SHIM_H
#include <libical/ical.h>

/* icalerrno is a macro over a thread-local; Swift cannot import it. */
static inline icalerrorenum retreat_icalerrno(void) { return icalerrno; }
static inline void retreat_icalerrno_clear(void) { icalerror_clear_errno(); }

/* Keep libical from abort()ing on recoverable errors (its default in some builds). */
static inline void retreat_ical_nonfatal(void) { icalerror_set_errors_are_fatal(0); }

#endif
