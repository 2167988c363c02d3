/* import_c: the work of `retreat blackout import`, written directly on libical and SQLite in C.
 *
 * The like-for-like side of `make bench-import`: it reads the file, parses it with libical, resolves every
 * TZID (the file's own VTIMEZONEs first, then libical's built-in zones), expands each series in the window
 * (DTSTART, RRULE with COUNT/UNTIL/BYDAY through icalrecur_iterator, EXDATE, RDATE, RECURRENCE-ID overrides,
 * the highest SEQUENCE winning), drops TRANSP:TRANSPARENT and STATUS:CANCELLED occurrences, maps each busy
 * occurrence to what Retreat keeps (all-day dates clipped to the window; a timed occurrence that takes time as
 * its interval clipped to the window, with the local dates of its start and its last second), and stores the rows into a Retreat store (same table, same SQL, one transaction, one
 * prepared statement) with the audit row. Retreat's rows and these are compared before any time is reported.
 *
 * It covers what the benchmark calendar uses; Retreat's importer also handles Windows zone names, RDATE
 * periods, RANGE=THISANDFUTURE and the rest (see the README), which do not occur in that file.
 *
 *   gcc -O2 import_c.c -o import_c $(pkg-config --cflags --libs libical sqlite3)
 *   ./import_c FILE.ics STORE.sqlite FROM TO ZONE HH:MM HH:MM
 *   e.g.  ./import_c cal50k.ics store.sqlite 2027-01-01 2029-12-31 America/New_York 09:00 17:00
 *
 * Exit status: 0 ok, 1 error, 2 usage.
 */
#define _GNU_SOURCE
#include <libical/ical.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <limits.h>

#define MAX_OCC 20000
#define MAX_STEPS 500000

/* ---------- civil days (days since 1970-01-01) ---------- */
static long days_from_civil(long y, unsigned m, unsigned d) {
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}
static void civil_from_days(long z, int *y, int *m, int *d) {
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}
static long floordiv(long a, long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
static void day_text(long day, char out[11]) {
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}
static void iso_utc(long t, char out[21]) {
    long day = floordiv(t, 86400), rest = t - day * 86400;
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(out, 21, "%04d-%02d-%02dT%02d:%02d:%02dZ", y % 10000, m, d, (int)(rest / 3600), (int)(rest % 3600 / 60), (int)(rest % 60));
}

/* ---------- zones ---------- */
struct zone { const char *tzid; icaltimezone *zone; };
static struct zone *zones; static size_t nzones;
static icaltimezone *floating_zone; /* X-WR-TIMEZONE, else the practice zone */

static icaltimezone *zone_for(const char *tzid) {
    for (size_t i = 0; i < nzones; i++) if (strcmp(zones[i].tzid, tzid) == 0) return zones[i].zone;
    if (!strcmp(tzid, "UTC") || !strcmp(tzid, "Etc/UTC") || !strcmp(tzid, "GMT")) return icaltimezone_get_utc_timezone();
    return icaltimezone_get_builtin_timezone(tzid);
}

/* A DATE/DATE-TIME property value as written: the time plus the zone it is in (NULL for UTC). */
struct when { struct icaltimetype t; icaltimezone *zone; int is_date, is_utc; };

static int read_when(icalproperty *p, struct icaltimetype t, struct when *w) {
    w->t = t; w->is_date = t.is_date; w->is_utc = icaltime_is_utc(t); w->zone = NULL;
    if (w->is_date || w->is_utc) return 0;
    icalparameter *tzp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
    if (tzp) {
        w->zone = zone_for(icalparameter_get_tzid(tzp));
        if (!w->zone) { fprintf(stderr, "unknown time zone \"%s\"\n", icalparameter_get_tzid(tzp)); return -1; }
    } else {
        w->zone = floating_zone;
    }
    return 0;
}
/* The instant of a wall-clock time in a value's zone (DATE: midnight in the floating zone). */
static long instant_of(struct icaltimetype t, const struct when *kind) {
    struct icaltimetype x = t;
    x.is_date = 0;
    if (kind->is_utc) return (long)icaltime_as_timet_with_zone(x, icaltimezone_get_utc_timezone());
    return (long)icaltime_as_timet_with_zone(x, kind->is_date ? floating_zone : kind->zone);
}
static long naive(struct icaltimetype t) {
    return days_from_civil(t.year, (unsigned)t.month, (unsigned)t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}
static struct icaltimetype from_naive(long s, int is_date) {
    struct icaltimetype t = icaltime_null_time();
    long day = floordiv(s, 86400), rest = s - day * 86400;
    civil_from_days(day, &t.year, &t.month, &t.day);
    t.hour = (int)(rest / 3600); t.minute = (int)(rest % 3600 / 60); t.second = (int)(rest % 60);
    t.is_date = is_date;
    return t;
}

/* ---------- events ---------- */
struct event {
    icalcomponent *c;
    const char *uid;
    int seq, has_rid, allday;
    struct when start, rid;
    long length;  /* seconds (days * 86400 for all-day) */
    int skip;     /* transparent or cancelled */
    long key;     /* for overrides: the matching key */
};
static struct event *events; static size_t nevents, capevents;

static int by_uid(const void *a, const void *b) {
    const struct event *x = a, *y = b;
    int c = strcmp(x->uid, y->uid);
    if (c) return c;
    return (x->c > y->c) - (x->c < y->c);
}

/* ---------- the practice ---------- */
static long win_first, win_last;       /* practice-local days */
static long win_start, win_end;        /* instants */
static int start_min, end_min;         /* session hours, minutes after midnight */
static icaltimezone *practice;
static long *sess_start, *sess_end;    /* per window day */

static long local_instant(long day, int minutes, icaltimezone *z) {
    struct icaltimetype t = from_naive(day * 86400 + minutes * 60L, 0);
    return (long)icaltime_as_timet_with_zone(t, z);
}

/* ---------- rows ---------- */
struct row { const char *uid; char rid[21]; char from[11], to[11]; int timed; long starts, ends; };
static struct row *rows; static size_t nrows, caprows;
static size_t free_count;

static void add_row(const char *uid, long rid, long first, long last) {
    if (nrows == caprows) { caprows = caprows ? caprows * 2 : 4096; rows = realloc(rows, caprows * sizeof *rows); }
    struct row *r = &rows[nrows++];
    r->uid = uid;
    iso_utc(rid, r->rid);
    day_text(first, r->from);
    day_text(last, r->to);
    r->timed = 0;
}

/* The practice-local day of an instant. */
static long local_day(long instant) {
    struct icaltimetype t = icaltime_from_timet_with_zone((time_t)instant, 0, practice);
    return days_from_civil(t.year, (unsigned)t.month, (unsigned)t.day);
}

/* A timed occurrence, kept as its interval (as Retreat keeps busy time at its real granularity): its local dates
   are those of its start and of its last second. */
static void add_timed_row(const char *uid, long rid, long s, long en) {
    add_row(uid, rid, local_day(s), local_day(en - 1));
    rows[nrows - 1].timed = 1;
    rows[nrows - 1].starts = s;
    rows[nrows - 1].ends = en;
}

static void emit(const struct event *e, struct icaltimetype start, long length, long rid_instant) {
    if (e->skip) { free_count++; return; }
    if (e->allday) {
        long first = days_from_civil(start.year, (unsigned)start.month, (unsigned)start.day);
        long ndays = length / 86400; if (ndays < 1) ndays = 1;
        long last = first + ndays - 1;
        long s_inst = instant_of(start, &e->start);
        long e_inst = instant_of(from_naive(naive(start) + ndays * 86400, 1), &e->start);
        if (!(s_inst < win_end && e_inst > win_start)) return;
        if (first < win_first) first = win_first;
        if (last > win_last) last = win_last;
        if (first <= last) add_row(e->uid, rid_instant, first, last);
        return;
    }
    long s = e->start.is_utc ? naive(start) : instant_of(start, &e->start);
    struct icaltimetype end_local = from_naive(naive(start) + length, 0);
    long en = e->start.is_utc ? naive(end_local) : instant_of(end_local, &e->start);
    if (en <= s) return; /* an event taking no time blocks nothing */
    if (!(s < win_end && en > win_start)) return;
    /* Kept within the window, as Retreat keeps it. */
    add_timed_row(e->uid, rid_instant, s < win_start ? win_start : s, en > win_end ? win_end : en);
}

static long key_of(struct icaltimetype t, const struct when *kind, const struct event *master) {
    if (master->allday) return days_from_civil(t.year, (unsigned)t.month, (unsigned)t.day);
    return kind->is_utc ? naive(t) : instant_of(t, kind);
}

static int expand(struct event *master, struct event *ov, size_t nov) {
    long earliest = win_start - master->length - 86400;
    /* EXDATEs */
    long *ex = NULL; size_t nex = 0, capex = 0;
    for (icalproperty *p = icalcomponent_get_first_property(master->c, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(master->c, ICAL_EXDATE_PROPERTY)) {
        struct when w;
        if (read_when(p, icalproperty_get_exdate(p), &w)) return -1;
        if (w.is_date && !master->allday) { w.t.hour = master->start.t.hour; w.t.minute = master->start.t.minute;
            w.t.second = master->start.t.second; w.is_date = 0; w.zone = master->start.zone; w.is_utc = master->start.is_utc; }
        if (nex == capex) { capex = capex ? capex * 2 : 8; ex = realloc(ex, capex * sizeof *ex); }
        ex[nex++] = key_of(w.t, &w, master);
    }
    long *seen = NULL; size_t nseen = 0, capseen = 0;
    int status = 0;
#define ADD(T)                                                                                       \
    do {                                                                                             \
        struct icaltimetype t_ = (T);                                                                \
        long inst_ = master->start.is_utc ? naive(t_) : instant_of(t_, &master->start);             \
        if (inst_ >= win_end || inst_ < earliest) break;                                             \
        long k_ = master->allday ? days_from_civil(t_.year, (unsigned)t_.month, (unsigned)t_.day) : inst_; \
        int dup_ = 0;                                                                                \
        for (size_t i_ = 0; i_ < nex && !dup_; i_++) dup_ = ex[i_] == k_;                             \
        for (size_t i_ = 0; i_ < nseen && !dup_; i_++) dup_ = seen[i_] == k_;                         \
        if (dup_) break;                                                                             \
        if (nseen == capseen) { capseen = capseen ? capseen * 2 : 16; seen = realloc(seen, capseen * sizeof *seen); } \
        seen[nseen++] = k_;                                                                          \
        if (nseen > MAX_OCC) { fprintf(stderr, "an event (UID \"%s\") repeats too often\n", master->uid); status = -1; goto done; } \
        struct event *o_ = NULL;                                                                     \
        for (size_t i_ = 0; i_ < nov; i_++) if (ov[i_].key == k_) { o_ = &ov[i_]; o_->key = LONG_MIN; break; } \
        if (o_) emit(o_, o_->start.t, o_->length, inst_);                                            \
        else emit(master, t_, master->length, inst_);                                                \
    } while (0)

    ADD(master->start.t);
    int steps = 0;
    for (icalproperty *p = icalcomponent_get_first_property(master->c, ICAL_RRULE_PROPERTY); p;
         p = icalcomponent_get_next_property(master->c, ICAL_RRULE_PROPERTY)) {
        struct icalrecurrencetype rule = icalproperty_get_rrule(p);
        /* UNTIL is applied here, as Retreat does: a DATE includes its whole day, a UTC value is an instant. */
        struct icaltimetype until = rule.until;
        rule.until = icaltime_null_time();
        int has_until = !icaltime_is_null_time(until);
        long until_day = 0, until_inst = 0;
        if (has_until) {
            until_day = days_from_civil(until.year, (unsigned)until.month, (unsigned)until.day);
            if (!until.is_date) {
                struct when uw = master->start;
                if (icaltime_is_utc(until)) uw.is_utc = 1;
                if (master->allday) until_day = floordiv(naive(until) + 43200, 86400);
                else until_inst = uw.is_utc ? naive(until) : instant_of(until, &uw);
            }
        }
        struct icaltimetype dtstart = master->start.t;
        dtstart.is_date = 0; dtstart.zone = NULL;
        icalrecur_iterator *it = icalrecur_iterator_new(rule, dtstart);
        if (!it) continue;
        int generated = 0, start_is_instance = 0;
        for (;;) {
            struct icaltimetype n = icalrecur_iterator_next(it);
            if (icaltime_is_null_time(n)) break;
            if (++steps > MAX_STEPS) { icalrecur_iterator_free(it); fprintf(stderr, "too many steps\n"); status = -1; goto done; }
            generated++;
            if (generated == 1) start_is_instance = naive(n) == naive(dtstart);
            if (rule.count && !start_is_instance && generated >= rule.count) break;
            n.is_date = master->allday;
            if (has_until && (until.is_date || master->allday) &&
                days_from_civil(n.year, (unsigned)n.month, (unsigned)n.day) > until_day) break;
            long inst = master->start.is_utc ? naive(n) : instant_of(n, &master->start);
            if (has_until && !until.is_date && !master->allday && inst > until_inst) break;
            if (inst >= win_end) break;
            ADD(n);
        }
        icalrecur_iterator_free(it);
    }
    for (icalproperty *p = icalcomponent_get_first_property(master->c, ICAL_RDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(master->c, ICAL_RDATE_PROPERTY)) {
        struct icaldatetimeperiodtype dp = icalproperty_get_rdate(p);
        if (icaltime_is_null_time(dp.time)) continue;
        struct icaltimetype t = dp.time;
        if (t.is_date && !master->allday) { t.hour = master->start.t.hour; t.minute = master->start.t.minute; t.second = master->start.t.second; t.is_date = 0; }
        ADD(t);
    }
    /* Overrides whose instance was not generated still count on their own. */
    for (size_t i = 0; i < nov; i++) {
        if (ov[i].key == LONG_MIN) continue;
        long rid = ov[i].rid.is_utc ? naive(ov[i].rid.t) : instant_of(ov[i].rid.t, &ov[i].rid);
        emit(&ov[i], ov[i].start.t, ov[i].length, rid);
    }
done:
    free(ex);
    free(seen);
    return status;
#undef ADD
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return NULL; }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { fclose(f); free(buf); return NULL; }
    fclose(f);
    buf[n] = 0;
    return buf;
}

static int parse_day(const char *s, long *day) {
    int y, m, d;
    if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3) return -1;
    *day = days_from_civil(y, (unsigned)m, (unsigned)d);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 8) { fprintf(stderr, "usage: %s FILE.ics STORE.sqlite FROM TO ZONE HH:MM HH:MM\n", argv[0]); return 2; }
    int h1, m1, h2, m2;
    if (parse_day(argv[3], &win_first) || parse_day(argv[4], &win_last) || sscanf(argv[6], "%d:%d", &h1, &m1) != 2 ||
        sscanf(argv[7], "%d:%d", &h2, &m2) != 2) { fprintf(stderr, "bad arguments\n"); return 2; }
    start_min = h1 * 60 + m1; end_min = h2 * 60 + m2;
    icalerror_set_errors_are_fatal(0);
    practice = icaltimezone_get_builtin_timezone(argv[5]);
    if (!practice) { fprintf(stderr, "unknown zone %s\n", argv[5]); return 2; }
    win_start = local_instant(win_first, 0, practice);
    win_end = local_instant(win_last + 1, 0, practice);
    long ndays = win_last - win_first + 1;
    sess_start = malloc((size_t)ndays * sizeof(long)); sess_end = malloc((size_t)ndays * sizeof(long));
    for (long d = 0; d < ndays; d++) {
        sess_start[d] = local_instant(win_first + d, start_min, practice);
        sess_end[d] = local_instant(win_first + d, end_min, practice);
    }

    char *text = slurp(argv[1]);
    if (!text) return 1;
    icalcomponent *root = icalparser_parse_string(text);
    free(text);
    if (!root) { fprintf(stderr, "libical could not parse %s\n", argv[1]); return 1; }
    icalcomponent *cal = icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT ? root
                         : icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
    floating_zone = practice;
    for (icalproperty *p = icalcomponent_get_first_property(cal, ICAL_X_PROPERTY); p;
         p = icalcomponent_get_next_property(cal, ICAL_X_PROPERTY)) {
        if (strcasecmp(icalproperty_get_x_name(p), "X-WR-TIMEZONE") == 0) {
            icaltimezone *z = icaltimezone_get_builtin_timezone(icalproperty_get_x(p));
            if (z) floating_zone = z;
        }
    }
    /* The file's VTIMEZONEs (cloned into zones this program owns). */
    for (icalcomponent *v = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT); v;
         v = icalcomponent_get_next_component(cal, ICAL_VTIMEZONE_COMPONENT)) {
        icalproperty *tp = icalcomponent_get_first_property(v, ICAL_TZID_PROPERTY);
        if (!tp) continue;
        icaltimezone *z = icaltimezone_new();
        if (!icaltimezone_set_component(z, icalcomponent_new_clone(v))) { icaltimezone_free(z, 1); continue; }
        zones = realloc(zones, (nzones + 1) * sizeof *zones);
        zones[nzones].tzid = icalproperty_get_tzid(tp);
        zones[nzones++].zone = z;
    }
    /* Events. */
    for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        if (nevents == capevents) { capevents = capevents ? capevents * 2 : 4096; events = realloc(events, capevents * sizeof *events); }
        struct event *e = &events[nevents];
        memset(e, 0, sizeof *e);
        e->c = c;
        e->uid = icalcomponent_get_uid(c);
        if (!e->uid) e->uid = "";
        icalproperty *sp = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
        if (!sp) { fprintf(stderr, "an event has no DTSTART\n"); return 1; }
        if (read_when(sp, icalproperty_get_dtstart(sp), &e->start)) return 1;
        e->allday = e->start.is_date;
        icalproperty *ep = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
        icalproperty *dp = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
        if (ep) {
            struct when end;
            if (read_when(ep, icalproperty_get_dtend(ep), &end)) return 1;
            if (e->start.is_date || end.is_date) e->length = (days_from_civil(end.t.year, (unsigned)end.t.month, (unsigned)end.t.day) -
                days_from_civil(e->start.t.year, (unsigned)e->start.t.month, (unsigned)e->start.t.day)) * 86400;
            else if (end.zone == e->start.zone && end.is_utc == e->start.is_utc) e->length = naive(end.t) - naive(e->start.t);
            else e->length = instant_of(end.t, &end) - instant_of(e->start.t, &e->start);
            if (e->length < 0) e->length = 0;
        } else if (dp) {
            e->length = icaldurationtype_as_int(icalproperty_get_duration(dp));
        } else {
            e->length = e->allday ? 86400 : 0;
        }
        icalproperty *q = icalcomponent_get_first_property(c, ICAL_SEQUENCE_PROPERTY);
        e->seq = q ? icalproperty_get_sequence(q) : 0;
        q = icalcomponent_get_first_property(c, ICAL_TRANSP_PROPERTY);
        if (q && icalproperty_get_transp(q) == ICAL_TRANSP_TRANSPARENT) e->skip = 1;
        q = icalcomponent_get_first_property(c, ICAL_STATUS_PROPERTY);
        if (q && icalproperty_get_status(q) == ICAL_STATUS_CANCELLED) e->skip = 1;
        q = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
        if (q) { e->has_rid = 1; if (read_when(q, icalproperty_get_recurrenceid(q), &e->rid)) return 1; }
        nevents++;
    }
    /* Series: group by UID; the master with the highest SEQUENCE; overrides keyed like instances. */
    qsort(events, nevents, sizeof *events, by_uid);
    for (size_t i = 0; i < nevents;) {
        size_t j = i;
        while (j < nevents && strcmp(events[j].uid, events[i].uid) == 0) j++;
        struct event *master = NULL;
        for (size_t k = i; k < j; k++)
            if (!events[k].has_rid && (!master || events[k].seq > master->seq)) master = &events[k];
        /* Overrides first in the group (stable: sort by has_rid would move pointers; copy instead). */
        size_t nov = 0;
        struct event *ov = malloc((j - i) * sizeof *ov);
        for (size_t k = i; k < j; k++) if (events[k].has_rid) ov[nov++] = events[k];
        if (master) {
            for (size_t k = 0; k < nov; k++) {
                struct when w = ov[k].rid;
                struct icaltimetype t = w.t;
                if (w.is_date && !master->allday) { t.hour = master->start.t.hour; t.minute = master->start.t.minute;
                    t.second = master->start.t.second; t.is_date = 0; w = master->start; }
                ov[k].key = key_of(t, &w, master);
            }
            if (expand(master, ov, nov)) return 1;
        } else {
            for (size_t k = 0; k < nov; k++) {
                long rid = ov[k].rid.is_utc ? naive(ov[k].rid.t) : instant_of(ov[k].rid.t, &ov[k].rid);
                emit(&ov[k], ov[k].start.t, ov[k].length, rid);
            }
        }
        free(ov);
        i = j;
    }

    /* Store: one transaction, one prepared statement reused for every row. */
    sqlite3 *db;
    if (sqlite3_open(argv[2], &db) != SQLITE_OK) { fprintf(stderr, "cannot open %s\n", argv[2]); return 1; }
    sqlite3_busy_timeout(db, 30000);
    sqlite3_exec(db, "PRAGMA synchronous=FULL", 0, 0, 0);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0) != SQLITE_OK) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
    const char *base = strrchr(argv[1], '/');
    base = base ? base + 1 : argv[1];
    char source[512], reason[512];
    snprintf(source, sizeof source, "%s", argv[1]);  /* Retreat keys an import by the file's path */
    snprintf(reason, sizeof reason, "busy in %s", base);
    /* What Retreat's store does: a page cache sized to the import (half a KiB per row), and the lookup of an
       occurrence already stored only when something is stored under this key. */
    size_t cache_kib = nrows / 2 > 512 * 1024 ? 512 * 1024 : nrows / 2;
    if (cache_kib > 2000) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%zu", cache_kib);
        sqlite3_exec(db, pragma, 0, 0, 0);
    }
    int any_stored = 1;
    sqlite3_stmt *probe;
    sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM blackouts WHERE coalesce(resource, '') = '' AND source = ? AND uid IS NOT NULL)",
                       -1, &probe, 0);
    sqlite3_bind_text(probe, 1, source, -1, SQLITE_STATIC);
    if (sqlite3_step(probe) == SQLITE_ROW) any_stored = sqlite3_column_int(probe, 0);
    sqlite3_finalize(probe);
    /* The statements Retreat's store runs: one row per INSERT ... VALUES (an INSERT ... SELECT would keep a
       statement journal), and a look-up first only when something is stored under this key (so no id is used up
       by a conflict). */
    sqlite3_stmt *ins, *stored = NULL;
    if (sqlite3_prepare_v2(db,
            "INSERT INTO blackouts (from_day, to_day, resource, reason, source, uid, recurrence_id, starts_at, ends_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
            "ON CONFLICT (coalesce(resource, ''), source, uid, recurrence_id) WHERE uid IS NOT NULL DO NOTHING", -1, &ins, 0) != SQLITE_OK
        || (any_stored && sqlite3_prepare_v2(db,
            "SELECT 1 FROM blackouts WHERE coalesce(resource, '') = coalesce(?3, '') AND source = ?5 AND uid = ?6 AND recurrence_id IS ?7",
            -1, &stored, 0) != SQLITE_OK)) {
        fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1;
    }
    size_t added = 0, unchanged = 0;
    sqlite3_bind_null(ins, 3);
    sqlite3_bind_text(ins, 4, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, source, -1, SQLITE_STATIC);
    if (stored) { sqlite3_bind_null(stored, 3); sqlite3_bind_text(stored, 5, source, -1, SQLITE_STATIC); }
    for (size_t i = 0; i < nrows; i++) {
        if (stored) {
            sqlite3_bind_text(stored, 6, rows[i].uid, -1, SQLITE_STATIC);
            sqlite3_bind_text(stored, 7, rows[i].rid, 20, SQLITE_STATIC);
            int found = sqlite3_step(stored);
            sqlite3_reset(stored);
            if (found == SQLITE_ROW) { unchanged++; continue; }
        }
        sqlite3_bind_text(ins, 1, rows[i].from, 10, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, rows[i].to, 10, SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, rows[i].uid, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 7, rows[i].rid, 20, SQLITE_STATIC);
        if (rows[i].timed) { sqlite3_bind_double(ins, 8, (double)rows[i].starts); sqlite3_bind_double(ins, 9, (double)rows[i].ends); }
        else { sqlite3_bind_null(ins, 8); sqlite3_bind_null(ins, 9); }
        if (sqlite3_step(ins) != SQLITE_DONE) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
        if (sqlite3_changes(db) > 0) added++; else unchanged++;
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(stored);
    char detail[128];
    snprintf(detail, sizeof detail, "{\"added\":\"%zu\",\"removed\":\"0\",\"unchanged\":\"%zu\"}", added, unchanged);
    sqlite3_stmt *audit;
    sqlite3_prepare_v2(db, "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES (?, 'bench', 'blackout-import', 'blackout', ?, ?)", -1, &audit, 0);
    sqlite3_bind_double(audit, 1, (double)time(NULL));
    sqlite3_bind_text(audit, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(audit, 3, detail, -1, SQLITE_STATIC);
    sqlite3_step(audit);
    sqlite3_finalize(audit);
    if (sqlite3_exec(db, "COMMIT", 0, 0, 0) != SQLITE_OK) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
    sqlite3_close(db);
    printf("%s: %zu blackout(s) added, %zu already present; %zu occurrence(s) free or cancelled\n", source, added, unchanged, free_count);

    for (size_t i = 0; i < nzones; i++) icaltimezone_free(zones[i].zone, 1);
    free(zones); free(events); free(rows); free(sess_start); free(sess_end);
    icalcomponent_free(root);
    return 0;
}
